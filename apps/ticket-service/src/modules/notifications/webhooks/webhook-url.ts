import { DomainError } from '../../../common/errors/domain-error';

/** Cloud metadata endpoints live on link-local addresses; no webhook has a reason to call them. */
const LINK_LOCAL = /^(169\.254\.|\[fe80:)/i;

/**
 * Webhook targets are http(s) URLs without credentials, never link-local, and in production on a host of
 * the configured allow-list (so the service cannot be pointed at arbitrary internal endpoints).
 */
export function assertWebhookUrl(raw: string, allowedHosts: readonly string[], production: boolean): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw DomainError.validation('url is not a valid URL', [
      { field: 'url', message: 'must be an absolute http or https URL' },
    ]);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw DomainError.validation('url must use http or https', [{ field: 'url', message: 'must use http or https' }]);
  }
  if (url.username || url.password) {
    throw DomainError.validation('url must not carry credentials', [
      { field: 'url', message: 'must not contain user or password' },
    ]);
  }
  if (LINK_LOCAL.test(url.hostname)) {
    throw DomainError.validation('url must not be a link-local address', [
      { field: 'url', message: 'link-local addresses are not allowed' },
    ]);
  }
  if (production && allowedHosts.length === 0) {
    throw DomainError.validation('Webhooks are disabled: WEBHOOK_ALLOWED_HOSTS is not configured', [
      { field: 'url', message: 'no allowed hosts are configured' },
    ]);
  }
  if (allowedHosts.length > 0 && !allowedHosts.includes(url.hostname.toLowerCase())) {
    throw DomainError.validation('url host is not allowed', [
      { field: 'url', message: `host must be one of ${allowedHosts.join(', ')}` },
    ]);
  }
  return url.toString();
}
