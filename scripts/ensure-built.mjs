// Runs `npm run build` only when the build is missing or its inputs changed since the last build this script
// made, so `npm start`, `npm run token` and `npm run seed -- --demo` start in about a second on an unchanged
// checkout. The inputs are fingerprinted by content (not timestamps: a checkout, a stash or an editor's save
// may leave old mtimes), and the fingerprint is recorded only after a successful build.
// Everything it prints goes to stderr, so `TOKEN=$(npm run --silent token …)` captures the token alone.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What `npm run build` reads: both packages' sources and build settings, the migrations, the dependency tree. */
const INPUT_DIRS = ['apps/ticket-service/src', 'libs/contracts/src', 'migrations'];
const INPUT_FILES = [
  'package-lock.json',
  'tsconfig.base.json',
  'apps/ticket-service/package.json',
  'apps/ticket-service/tsconfig.build.json',
  'libs/contracts/package.json',
  'libs/contracts/tsconfig.build.json',
];
/** The build's entry points: without them the build is missing whatever the fingerprint says. */
const OUTPUTS = ['libs/contracts/dist/index.js', 'apps/ticket-service/dist/apps/ticket-service/src/main.js'];
const STAMP = 'apps/ticket-service/dist/.inputs-fingerprint';

function sourceFiles(root, dir) {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts'))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
}

function inputsFingerprint(root) {
  const hash = createHash('sha256');
  const files = [...INPUT_DIRS.flatMap((dir) => sourceFiles(root, dir)), ...INPUT_FILES].sort();
  for (const file of files) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(join(root, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Whether the checkout at `root` needs a build, and the fingerprint to record after it. */
export function buildState(root) {
  const fingerprint = inputsFingerprint(root);
  const built = OUTPUTS.every((file) => existsSync(join(root, file)));
  const stamp = join(root, STAMP);
  const recorded = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : null;
  return { fingerprint, built, current: built && recorded === fingerprint };
}

export function recordBuild(root, fingerprint) {
  writeFileSync(join(root, STAMP), `${fingerprint}\n`);
}

function main() {
  const root = join(import.meta.dirname, '..');
  const state = buildState(root);
  if (state.current) return;
  process.stderr.write(state.built ? 'Sources changed since the last build: building…\n' : 'Building…\n');
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: ['ignore', 2, 2] });
  if (build.status !== 0) process.exit(build.status ?? 1);
  // The fingerprint taken before the build: a file saved during the build makes the next run build again.
  recordBuild(root, state.fingerprint);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
