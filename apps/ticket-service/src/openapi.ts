import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import servicePackage from '../package.json';
import { BEARER_SCHEME } from './common/auth/auth.decorators';
import { ErrorResponseDto } from './common/errors/error-response.dto';
import { applyApiConventions } from './common/http/api-conventions';

/** How to get a token and where to paste it: on the page and in the Authorize dialog. */
const TOKEN_HOW_TO =
  'Get a token from a checkout of the service with `npm run token -- --as admin` (demo users: alice, eng1, ' +
  'lead, manager, admin; or `--role ROLE` with the roles END_USER, ' +
  'DEVOPS_ENGINEER, TEAM_LEAD, MANAGER, ADMIN), then press **Authorize** and paste the token itself, `eyJ…`, ' +
  'without `Bearer ` in front: the page adds that prefix.';

/** What the security scheme says of the tokens; the deployment picks the verification mode (README, Authentication). */
const BEARER_DESCRIPTION =
  'An access token (JWT) of the auth service, checked as RFC8725 advises: claims `sub` (a UUID), `role`, `type` = `access` and `exp` are ' +
  'required. Verified in one of two modes, as the deployment configures: HS256 (or HS384/HS512) with a secret ' +
  'shared with the auth service (the default), or RS256, ES256 or EdDSA against the public keys the auth service ' +
  "publishes as a JWKS, picked by the token's `kid`. A token of any other algorithm, or unsigned, is refused " +
  '(401, `WWW-Authenticate: Bearer`), as is one whose key is not in the JWKS or cannot be fetched.';

/** Builds the OpenAPI document from the controllers' decorators. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const options = new DocumentBuilder()
    .setTitle('Ticket service')
    .setDescription(
      'Support tickets for DevOps teams: open, triage, assign, comment, attach and resolve against SLA clocks, ' +
        'with a full audit trail. Callers authenticate with a JWT from the identity provider; this service only ' +
        `validates it.\n\n${TOKEN_HOW_TO}`,
    )
    .setVersion(servicePackage.version)
    .setLicense('Proprietary', 'https://example.com/license')
    .addServer('/', 'The server this document came from: local development, staging or production alike')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: `${TOKEN_HOW_TO} ${BEARER_DESCRIPTION}` },
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

/**
 * ReDoc's standalone bundle (an ES module), served by the service itself so the page renders without internet
 * access: the copy the build puts beside this module (scripts/vendor-redoc.mjs, for images without dev
 * dependencies), else the one installed with @redocly/cli (running from source). Undefined when neither exists.
 */
const REDOC_BUNDLE = [
  join(__dirname, 'redoc.standalone.js'),
  installedPath('@redocly/cli/lib/chunks/redoc.standalone.js'),
].find((path) => path !== undefined && existsSync(path));

function installedPath(module: string): string | undefined {
  try {
    return require.resolve(module);
  } catch {
    return undefined;
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
    <div id="redoc"></div>
    <script type="module">
      import { init } from '/redoc/redoc.standalone.js';
      init('/openapi.json', {}, document.getElementById('redoc'));
    </script>
  </body>
</html>`;

const REDOC_MISSING_PAGE = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>Ticket service API</title></head>
  <body>
    <p>ReDoc's bundle is missing here (the build copies it from the dev dependency @redocly/cli).
    Swagger UI is at <a href="/docs">/docs</a>, the document at <a href="/openapi.json">/openapi.json</a>.</p>
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
  const http = app.getHttpAdapter();
  http.get('/redoc', (_req: Request, res: Response) => {
    res.type('html').send(REDOC_BUNDLE ? REDOC_PAGE : REDOC_MISSING_PAGE);
  });
  if (REDOC_BUNDLE) {
    const bundle = REDOC_BUNDLE;
    http.get('/redoc/redoc.standalone.js', (_req: Request, res: Response) => {
      res.type('text/javascript').sendFile(bundle, { maxAge: '1h' });
    });
  }
}
