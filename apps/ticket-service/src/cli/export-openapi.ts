import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createApp } from '../app.setup';
import { createRootLogger } from '../common/logging/logger';
import { parseConfig } from '../config/app-config';
import { buildOpenApiDocument } from '../openapi';

/**
 * Writes the OpenAPI document from the controllers, without a database or a listening port
 * (the module graph is built in preview mode: no provider is instantiated).
 */
async function main(): Promise<void> {
  const target = resolve(process.argv[2] ?? 'libs/contracts/openapi.json');
  const config = parseConfig({ ENVIRONMENT: 'development', DOCS_ENABLED: 'false' });
  const app = await createApp(config, { logger: createRootLogger('error'), preview: true });
  const document = buildOpenApiDocument(app);
  writeFileSync(target, `${JSON.stringify(document, null, 2)}\n`);
  await app.close();
  process.stdout.write(`wrote ${target}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `OpenAPI export failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
