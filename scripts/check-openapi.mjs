// Fails when the committed OpenAPI document or the contracts types generated from it are stale.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const work = mkdtempSync(join(tmpdir(), 'openapi-check-'));
const freshDocument = join(work, 'openapi.json');
const freshTypes = join(work, 'openapi.ts');
const run = (command, args) => execFileSync(command, args, { stdio: ['ignore', 'ignore', 'inherit'] });

run('node', ['apps/ticket-service/dist/apps/ticket-service/src/cli/export-openapi.js', freshDocument]);
run('node', ['libs/contracts/scripts/generate.mjs', freshDocument, freshTypes]);
run('npx', ['prettier', '--config', '.prettierrc.json', '--write', freshTypes]);

const stale = [
  ['libs/contracts/openapi.json', freshDocument],
  ['libs/contracts/src/generated/openapi.ts', freshTypes],
].filter(([committed, fresh]) => readFileSync(committed, 'utf8') !== readFileSync(fresh, 'utf8'));

if (stale.length > 0) {
  console.error(
    `Stale: ${stale.map(([committed]) => committed).join(', ')}. Run "npm run openapi" and commit the result.`,
  );
  process.exit(1);
}
console.log('OpenAPI document and generated contracts types are up to date');
