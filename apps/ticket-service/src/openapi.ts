import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import servicePackage from '../package.json';
import { BEARER_SCHEME } from './common/auth/auth.decorators';
import { ErrorResponseDto } from './common/errors/error-response.dto';
import { applyApiConventions } from './common/http/api-conventions';
import type { AppConfig } from './config/app-config';

/** Builds the OpenAPI document from the controllers' decorators. */
export function buildOpenApiDocument(app: INestApplication, config: AppConfig): OpenAPIObject {
  const options = new DocumentBuilder()
    .setTitle('Ticket service')
    .setDescription(
      'Support tickets for DevOps teams: open, triage, assign, comment, attach and resolve against SLA clocks, ' +
        `with a full audit trail. Access tokens are issued by the auth service (${config.app.authServiceUrl}); ` +
        'this service only validates them. Use the Authorize button with `Bearer <token>`.',
    )
    .setVersion(servicePackage.version)
    .setLicense('Proprietary', 'https://example.com/license')
    .addServer('/', 'The server this document came from: local development, staging or production alike')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description:
          'A JWS access token from the auth service, checked as RFC8725 advises: the one configured algorithm ' +
          '(never `none`), signature, expiry and, when configured, issuer and audience',
      },
      BEARER_SCHEME,
    )
    .build();
  // Every server is this deployment's own: the API is for its organisation's tools and people (OWASP API9).
  options.servers = options.servers?.map((server) => ({ ...server, 'x-internal': true }));
  const document = SwaggerModule.createDocument(app, options, {
    extraModels: [ErrorResponseDto],
    operationIdFactory: (_controllerKey, methodKey) => methodKey,
  });
  applyApiConventions(document);
  return document;
}

const REDOC_PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Ticket service API</title>
    <meta name="viewport" content="width=device-width, initial-scale=1" />
  </head>
  <body>
    <redoc spec-url="/openapi.json"></redoc>
    <script src="https://cdn.redoc.ly/redoc/v2.5.1/bundles/redoc.standalone.js"></script>
  </body>
</html>`;

/** Swagger UI at /docs, ReDoc at /redoc, the document at /openapi.json. */
export function serveApiDocs(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'openapi.json',
    raw: ['json'],
    customSiteTitle: 'Ticket service API',
    swaggerOptions: { persistAuthorization: true },
  });
  app.getHttpAdapter().get('/redoc', (_req: Request, res: Response) => {
    res.type('html').send(REDOC_PAGE);
  });
}
