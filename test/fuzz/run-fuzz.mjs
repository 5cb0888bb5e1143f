// npm run fuzz -- --runs N --seed S: the OpenAPI fuzz suite (test/fuzz.e2e-spec.ts) with N requests in all and
// seed S, on PostgreSQL when TEST_DATABASE_URL is set, else on PGlite. CI runs the same suite with a fixed seed.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string' }, seed: { type: 'string' } } });
const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules`.trim() };
for (const [option, variable] of [
  ['runs', 'FUZZ_RUNS'],
  ['seed', 'FUZZ_SEED'],
]) {
  const value = values[option];
  if (value === undefined) continue;
  if (!/^\d+$/.test(value)) {
    process.stderr.write(`--${option} must be a non-negative integer (got "${value}")\n`);
    process.exit(2);
  }
  env[variable] = value;
}

const jest = spawnSync('npx', ['jest', '--ci', 'test/fuzz.e2e-spec.ts'], { stdio: 'inherit', env });
process.exit(jest.status ?? 1);
