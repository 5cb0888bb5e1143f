import { DomainError } from '../../../common/errors/domain-error';

/** Webhook targets are http(s) URLs without credentials, on an allowed host when an allow-list is configured. */
export function assertWebhookUrl(raw: string, allowedHosts: readonly string[]): string {
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
  if (allowedHosts.length > 0 && !allowedHosts.includes(url.hostname.toLowerCase())) {
    throw DomainError.validation('url host is not allowed', [
      { field: 'url', message: `host must be one of ${allowedHosts.join(', ')}` },
    ]);
  }
  return url.toString();
}
