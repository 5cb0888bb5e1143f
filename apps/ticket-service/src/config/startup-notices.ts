import type { AppConfig } from './app-config';

export interface StartupNotice {
  level: 'warn' | 'info';
  message: string;
}

/**
 * What the configuration quietly turns off or weakens, said once at start-up so nobody has to find out from a
 * refused request: each notice names the setting that would change it.
 */
export function startupNotices(config: AppConfig): StartupNotice[] {
  const production = config.app.environment === 'production';
  const notices: StartupNotice[] = [];
  if (config.auth.jwks !== null) {
    notices.push({
      level: 'info',
      message: `access tokens are verified with ${config.auth.algorithm} against the JWKS at ${config.auth.jwks.url}`,
    });
  } else if (config.auth.usingDevelopmentSecret) {
    notices.push({
      level: 'warn',
      message: 'JWT_SECRET_KEY is not set: using the built-in development secret (never accepted in production)',
    });
  }
  if (!config.db.url) {
    notices.push({
      level: 'info',
      message: `DATABASE_URL is not set: using the embedded PostgreSQL in ${config.db.pgliteDataDir}`,
    });
  }
  if (production && config.notifications.webhookAllowedHosts.length === 0) {
    notices.push({
      level: 'warn',
      message:
        'WEBHOOK_ALLOWED_HOSTS is empty: in production every webhook URL is refused (422), so no webhook can be ' +
        'registered; set it to the comma-separated hosts receivers run on',
    });
  }
  if (!config.notifications.enabled) {
    notices.push({
      level: 'warn',
      message: 'NOTIFICATIONS_ENABLED=false: webhook deliveries are recorded but never sent',
    });
  }
  if (production && !config.app.docsEnabled) {
    notices.push({ level: 'info', message: 'API docs are off in production: DOCS_ENABLED=true serves /docs' });
  }
  if (production && (config.auth.issuer === null || config.auth.audience === null)) {
    notices.push({
      level: 'warn',
      message: 'JWT_ISSUER or JWT_AUDIENCE is not set: tokens are accepted whatever issuer or audience they name',
    });
  }
  return notices;
}
