// Fails when the Node versions we promise and ship disagree with the dependency tree: the root `engines.node`,
// the Dockerfile's base image, and the `engines.node` of every package in package-lock.json (what npm ci warns
// about as EBADENGINE). Checked at the lowest Node `engines` allows and at the Dockerfile's Node.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';

const ROOT = join(import.meta.dirname, '..');
const read = (file) => readFileSync(join(ROOT, file), 'utf8');

const declared = JSON.parse(read('package.json')).engines.node;
const lowest = semver.minVersion(declared).version;
const image = /^ARG NODE_VERSION=(\d+\.\d+(?:\.\d+)?)$/m.exec(read('Dockerfile'))?.[1];
if (!image) throw new Error('Dockerfile: no ARG NODE_VERSION=<major.minor[.patch]>');
const shipped = semver.coerce(image).version;

const problems = [];
if (!semver.satisfies(shipped, declared)) problems.push(`Dockerfile Node ${image} is outside engines ${declared}`);
for (const [path, entry] of Object.entries(JSON.parse(read('package-lock.json')).packages)) {
  const wanted = entry.engines?.node;
  if (!path || typeof wanted !== 'string' || entry.optional) continue;
  for (const node of new Set([lowest, shipped])) {
    if (!semver.satisfies(node, wanted)) problems.push(`${path} ${entry.version} needs node ${wanted}, not ${node}`);
  }
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`engines ${declared}, Dockerfile Node ${image} and every locked package agree`);
