import { RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Logger } from 'pino';
import { AppModule } from './app.module';
import { bodyParserErrorHandler, jsonBodyParser } from './common/http/json-body';
import { RateLimiter } from './common/http/rate-limit';
import { requestIdMiddleware } from './common/http/request-id.middleware';
import { createValidationPipe } from './common/http/validation';
import { JsonNestLogger } from './common/logging/logger';
import { requestLogger } from './common/logging/request-logger';
import type { AppConfig } from './config/app-config';
import { MetricsService } from './modules/metrics';
import { buildOpenApiDocument, serveApiDocs } from './openapi';

export const API_PREFIX = 'api/v1';

export interface CreateAppOptions {
  logger: Logger;
  /** Build the module graph without instantiating providers (no database): for exporting the OpenAPI document. */
  preview?: boolean;
}

/**
 * Creates the fully configured application without listening. main.ts, the e2e tests and the OpenAPI export
 * all call this, so the tested app is the served app.
 */
export async function createApp(config: AppConfig, options: CreateAppOptions): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    logger: new JsonNestLogger(options.logger),
    preview: options.preview ?? false,
    abortOnError: false,
  });
  app.set('etag', false); // strong ETags are set explicitly where the spec wants them
  app.set('query parser', 'extended');
  app.set('trust proxy', config.app.trustProxy); // whose X-Forwarded-For names the client (req.ip)
  app.disable('x-powered-by');
  app.use(requestIdMiddleware);
  if (!options.preview) {
    app.use(app.get(MetricsService).middleware());
    app.use(requestLogger(options.logger));
    const rateLimit = app.get(RateLimiter).middleware;
    if (rateLimit) app.use(`/${API_PREFIX}`, rateLimit);
  }
  app.use(jsonBodyParser());
  app.use(bodyParserErrorHandler);
  app.setGlobalPrefix(API_PREFIX, {
    exclude: [
      { path: 'health', method: RequestMethod.GET },
      { path: 'health/ready', method: RequestMethod.GET },
      { path: 'metrics', method: RequestMethod.GET },
    ],
  });
  app.useGlobalPipes(createValidationPipe());
  if (config.app.docsEnabled) serveApiDocs(app, buildOpenApiDocument(app));
  return app;
}
