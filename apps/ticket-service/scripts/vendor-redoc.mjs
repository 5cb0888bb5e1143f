// Part of the build: copies ReDoc's standalone bundle, installed with the dev dependency @redocly/cli, beside the
// compiled openapi.js, so /redoc works offline where dev dependencies are pruned (the Docker image).
import { copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bundle = createRequire(import.meta.url).resolve('@redocly/cli/lib/chunks/redoc.standalone.js');
const compiled = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist/apps/ticket-service/src');
copyFileSync(bundle, join(compiled, 'redoc.standalone.js'));
