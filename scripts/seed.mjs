// `npm run seed`:
//   npm run seed -- --demo [--force]     a small demo queue written through the service (apps/…/cli/seed-demo.ts),
//                                        then every demo user's token
//   npm run seed -- --tickets N [...]    bulk benchmark data (bench/seed.mjs)
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const args = process.argv.slice(2);
const run = (script, scriptArgs) =>
  spawnSync(process.execPath, [join(ROOT, script), ...scriptArgs], { cwd: ROOT, stdio: 'inherit' }).status ?? 1;

if (args.includes('--demo')) {
  const built = run('scripts/ensure-built.mjs', []);
  process.exit(built === 0 ? run('apps/ticket-service/dist/apps/ticket-service/src/cli/seed-demo.js', args) : built);
}
process.exit(run('bench/seed.mjs', args));
