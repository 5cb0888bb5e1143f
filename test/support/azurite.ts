import { type ChildProcess, spawn } from 'node:child_process';

/** Azurite's one account and its published development key. */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** A running Azurite blob service child process on 127.0.0.1. */
export interface AzuriteServer {
  port: number;
  /** A connection string with the account key, for the service and for the tests' own SDK client. */
  connectionString: string;
  stop(): Promise<void>;
}

export function azuriteConnectionString(port: number): string {
  return (
    `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};` +
    `BlobEndpoint=http://127.0.0.1:${port}/${AZURITE_ACCOUNT};`
  );
}

/** The service's environment for the Azure driver against Azurite. */
export function azureStorageEnv(container: string, connectionString: string): Record<string, string> {
  return {
    STORAGE_DRIVER: 'azure',
    AZURE_STORAGE_CONNECTION_STRING: connectionString,
    AZURE_STORAGE_CONTAINER: container,
  };
}

const AZURITE_BLOB_CLI = require.resolve('azurite/dist/src/blob/main.js');

/**
 * Starts Azurite's blob service on `port` (0: any free one), keeping its data in `directory`, and resolves once it
 * listens. Restarting on the same port and directory brings back what was stored. --skipApiVersionCheck: the SDK
 * may be newer than this Azurite; --loose: it ignores headers it does not implement instead of refusing them.
 */
export function startAzurite(directory: string, port: number): Promise<AzuriteServer> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      AZURITE_BLOB_CLI,
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      String(port),
      '--location',
      directory,
      '--skipApiVersionCheck',
      '--loose',
      '--disableTelemetry',
      '--silent',
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
      const listening = /successfully listens on http:\/\/[\d.]+:(\d+)/.exec(output);
      if (listening) {
        const listeningPort = Number(listening[1]);
        resolve({ port: listeningPort, connectionString: azuriteConnectionString(listeningPort), stop });
      }
    };
    child.stdout?.on('data', onOutput);
    child.stderr?.on('data', onOutput);
    child.once('exit', (code) => reject(new Error(`Azurite exited (${code}) before listening:\n${output}`)));
  });
}
