import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, getSchemaPath, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import servicePackage from '../package.json';
import { BEARER_SCHEME } from './common/auth/auth.decorators';
import { ErrorResponseDto } from './common/errors/error-response.dto';
import { VALIDATION_ERROR_DESCRIPTION } from './common/http/api-responses';
import type { AppConfig } from './config/app-config';

/** What the security scheme says of the tokens; the deployment picks the verification mode (README, Authentication). */
const BEARER_DESCRIPTION =
  'An access token (JWT) of the auth service: claims `sub` (a UUID), `role`, `type` = `access` and `exp` are ' +
  'required. Verified in one of two modes, as the deployment configures: HS256 (or HS384/HS512) with a secret ' +
  'shared with the auth service (the default), or RS256, ES256 or EdDSA against the public keys the auth service ' +
  "publishes as a JWKS, picked by the token's `kid`. A token of any other algorithm, or unsigned, is refused " +
  '(401, `WWW-Authenticate: Bearer`), as is one whose key is not in the JWKS or cannot be fetched.';

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
    .addServer('/', 'This server')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: BEARER_DESCRIPTION },
      BEARER_SCHEME,
    )
    .build();
  const document = SwaggerModule.createDocument(app, options, {
    extraModels: [ErrorResponseDto],
    operationIdFactory: (_controllerKey, methodKey) => methodKey,
  });
  documentBodyParserAnswers(document);
  return document;
}

/**
 * The JSON body parser runs before routing, on every route: any operation can answer 400 (malformed or too deeply
 * nested JSON, a body it does not take, another content type) and 413 (a JSON body above 1 MiB).
 */
function documentBodyParserAnswers(document: OpenAPIObject): void {
  const errorBody = {
    content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorResponseDto) } } },
  };
  for (const item of Object.values(document.paths)) {
    for (const operation of [item.get, item.put, item.post, item.patch, item.delete]) {
      if (operation === undefined) continue;
      operation.responses['400'] ??= { description: VALIDATION_ERROR_DESCRIPTION, ...errorBody };
      operation.responses['413'] ??= { description: 'PAYLOAD_TOO_LARGE: a JSON body above 1 MiB', ...errorBody };
    }
  }
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
