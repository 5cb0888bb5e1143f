// The object-store servers the attachment suites and bench/upload.mjs run against, as child processes on
// 127.0.0.1: s3rver (S3) and Azurite (Azure Blob). Plain JavaScript so that the benchmarks share it with the tests.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const S3RVER_CLI = require.resolve('s3rver/bin/s3rver.js');
const AZURITE_BLOB_CLI = require.resolve('azurite/dist/src/blob/main.js');

/** s3rver accepts any signature made with these credentials (not frozen: the SDK marks the object it is given). */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
export const S3RVER_REGION = 'us-east-1';
/** Azurite's one account and its published development key. */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** The service's environment for the S3 driver against an s3rver-like endpoint (path-style, s3rver's keys). */
export function s3StorageEnv(bucket, endpoint) {
  return {
    STORAGE_DRIVER: 's3',
    S3_BUCKET: bucket,
    S3_ENDPOINT: endpoint,
    S3_REGION: S3RVER_REGION,
    S3_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    S3_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    S3_FORCE_PATH_STYLE: 'true',
  };
}

export function azuriteConnectionString(port) {
  return (
    `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};` +
    `BlobEndpoint=http://127.0.0.1:${port}/${AZURITE_ACCOUNT};`
  );
}

/** The service's environment for the Azure driver against Azurite. */
export function azureStorageEnv(container, connectionString) {
  return {
    STORAGE_DRIVER: 'azure',
    AZURE_STORAGE_CONNECTION_STRING: connectionString,
    AZURE_STORAGE_CONTAINER: container,
  };
}

/** Spawns `node args…` and resolves with `{ port, stop }` once its output matches `listening` (port in group 1). */
function startServer(name, args, listening) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  };
  return new Promise((resolve, reject) => {
    let output = '';
    const onOutput = (data) => {
      output += data.toString();
      const match = listening.exec(output);
      if (match) resolve({ port: Number(match[1]), pid: child.pid, stop });
    };
    child.stdout.on('data', onOutput);
    child.stderr.on('data', onOutput);
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before listening:\n${output}`)));
  });
}

/**
 * Starts s3rver on `port` (0: any free one), keeping its files in `directory` and creating `bucket`, and
 * resolves once it listens. Restarting on the same port and directory brings back what was stored. s3rver
 * signs its listing continuation tokens with DES, which Node 20's OpenSSL 3 keeps in the legacy provider:
 * without --openssl-legacy-provider every listing longer than one page fails with a 500.
 */
export async function startS3rver(directory, port, bucket) {
  const server = await startServer(
    's3rver',
    [
      '--openssl-legacy-provider',
      S3RVER_CLI,
      ...['--directory', directory, '--address', '127.0.0.1', '--port', String(port)],
      ...['--silent', '--configure-bucket', bucket],
    ],
    /S3rver listening on [\d.]+:(\d+)/,
  );
  return { ...server, endpoint: `http://127.0.0.1:${server.port}` };
}

/**
 * Starts Azurite's blob service on `port` (0: any free one), keeping its data in `directory`, and resolves once
 * it listens. Restarting on the same port and directory brings back what was stored. --skipApiVersionCheck: the
 * SDK may be newer than this Azurite; --loose: it ignores headers it does not implement instead of refusing them.
 */
export async function startAzurite(directory, port) {
  const server = await startServer(
    'Azurite',
    [
      AZURITE_BLOB_CLI,
      ...['--blobHost', '127.0.0.1', '--blobPort', String(port), '--location', directory],
      ...['--skipApiVersionCheck', '--loose', '--disableTelemetry', '--silent'],
    ],
    /successfully listens on http:\/\/[\d.]+:(\d+)/,
  );
  return { ...server, connectionString: azuriteConnectionString(server.port) };
}
