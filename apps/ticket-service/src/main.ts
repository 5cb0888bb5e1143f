import 'reflect-metadata';
import { DEMO_USERS, mintDemoToken } from './common/auth/demo-users';
import { shutDownGracefullyOnSignals } from './common/http/graceful-shutdown';
import { createRootLogger, logDestination, wantsPrettyLogs } from './common/logging/logger';
import { type AppConfig, ConfigValidationError, parseConfig } from './config/app-config';
import { startupNotices } from './config/startup-notices';
import { API_PREFIX, createApp } from './app.setup';

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = parseConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const pretty = wantsPrettyLogs(config.app.environment, process.stdout.isTTY === true);
  const logger = createRootLogger(config.app.logLevel, logDestination(pretty));
  for (const notice of startupNotices(config)) logger[notice.level](notice.message);

  const app = await createApp(config, { logger });
  shutDownGracefullyOnSignals(app, { gracePeriodMs: config.app.shutdownGracePeriodMs, logger });
  await app.listen(config.app.port, config.app.host);
  const base = `http://localhost:${config.app.port}`;
  logger.info({ port: config.app.port, host: config.app.host }, `ticket service listening on ${base}`);

  // With a JWKS only the auth service can sign (or `npm run token -- --key`, see the README).
  if (config.app.environment === 'development' && config.auth.jwks === null) {
    process.stdout.write(firstRequestHelp(config, base));
  }
}

/**
 * Plain lines, outside the log's JSON, so the token and the curl line can be copied as they are. The token is
 * the demo admin's (`npm run token -- --as admin`): the same user on every start.
 */
function firstRequestHelp(config: AppConfig, base: string): string {
  const token = mintDemoToken(config.auth, DEMO_USERS.admin, 12 * 3600);
  const body = JSON.stringify({
    title: 'Production database is down',
    description: 'The primary PostgreSQL stopped answering at 14:30 UTC.',
    category: 'INCIDENT',
    priority: 'P1',
  });
  return [
    '',
    `Development admin token (valid 12 h; others: npm run token -- --as alice|eng1|lead|manager|admin):`,
    '',
    token,
    '',
    'Try:',
    '',
    `curl -X POST ${base}/${API_PREFIX}/tickets -H "Authorization: Bearer ${token}" -H "Content-Type: application/json" -d '${body}'`,
    '',
    config.app.docsEnabled ? `API docs: ${base}/docs (Authorize: paste the token alone, without "Bearer")\n` : '',
  ].join('\n');
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`ticket service failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
