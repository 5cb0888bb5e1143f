import 'reflect-metadata';
import { Role } from '@ticketing/contracts';
import { mintAccessToken } from './common/auth/access-token';
import { shutDownGracefullyOnSignals } from './common/http/graceful-shutdown';
import { createRootLogger } from './common/logging/logger';
import { ConfigValidationError, parseConfig } from './config/app-config';
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
  const logger = createRootLogger(config.app.logLevel);
  if (config.auth.jwks !== null) {
    logger.info(
      { algorithm: config.auth.algorithm, jwksUrl: config.auth.jwks.url },
      'access tokens verified against the JWKS',
    );
  } else if (config.auth.usingDevelopmentSecret) {
    logger.warn('JWT_SECRET_KEY is not set: using the built-in development secret (never accepted in production)');
  }
  if (!config.db.url)
    logger.info({ dataDir: config.db.pgliteDataDir }, 'DATABASE_URL is not set: using the embedded PostgreSQL');

  const app = await createApp(config, { logger });
  shutDownGracefullyOnSignals(app, { gracePeriodMs: config.app.shutdownGracePeriodMs, logger });
  await app.listen(config.app.port, config.app.host);
  const base = `http://localhost:${config.app.port}`;
  logger.info({ port: config.app.port, host: config.app.host }, `ticket service listening on ${base}`);

  // With a JWKS only the auth service can sign (or `npm run token -- --key`, see the README).
  if (config.app.environment === 'development' && config.auth.jwks === null) {
    const token = mintAccessToken(config.auth, { role: Role.ADMIN, ttlSeconds: 12 * 3600 });
    const body = JSON.stringify({
      title: 'Production database is down',
      description: 'The primary PostgreSQL stopped answering at 14:30 UTC.',
      category: 'INCIDENT',
      priority: 'P1',
    });
    logger.info({ token }, 'development admin token (valid 12 h)');
    logger.info(
      `try: curl -X POST ${base}/${API_PREFIX}/tickets -H "Authorization: Bearer ${token}" -H "Content-Type: application/json" -d '${body}'`,
    );
    if (config.app.docsEnabled) logger.info(`API docs: ${base}/docs`);
  }
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`ticket service failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
