import { type ChildProcess, spawn } from 'node:child_process';

/** s3rver accepts any signature made with these credentials. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
export const S3RVER_REGION = 'us-east-1';

/** The service's environment for the S3 driver against an s3rver-like endpoint (path-style, s3rver's keys). */
export function s3StorageEnv(bucket: string, endpoint: string): Record<string, string> {
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

const S3RVER_CLI = require.resolve('s3rver/bin/s3rver.js');

/** A running s3rver child process on 127.0.0.1. */
export interface S3Server {
  port: number;
  /** `http://127.0.0.1:<port>`, for path-style requests. */
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * Starts s3rver on `port` (0: any free one), keeping its files in `directory` and creating `bucket`, and
 * resolves once it listens. Restarting on the same port and directory brings back what was stored. s3rver
 * signs its listing continuation tokens with DES, which Node 20's OpenSSL 3 keeps in the legacy provider:
 * without --openssl-legacy-provider every listing longer than one page fails with a 500.
 */
export function startS3rver(directory: string, port: number, bucket: string): Promise<S3Server> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--openssl-legacy-provider',
      S3RVER_CLI,
      '--directory',
      directory,
      '--address',
      '127.0.0.1',
      '--port',
      String(port),
      '--silent',
      '--configure-bucket',
      bucket,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  };
  return new Promise((resolve, reject) => {
    let output = '';
    const onOutput = (data: Buffer): void => {
      output += data.toString();
      const listening = /S3rver listening on [\d.]+:(\d+)/.exec(output);
      if (listening) {
        const listeningPort = Number(listening[1]);
        resolve({ port: listeningPort, endpoint: `http://127.0.0.1:${listeningPort}`, stop });
      }
    };
    child.stdout?.on('data', onOutput);
    child.stderr?.on('data', onOutput);
    child.once('exit', (code) => reject(new Error(`s3rver exited (${code}) before listening:\n${output}`)));
  });
}
