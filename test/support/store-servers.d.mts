/** Types of store-servers.mjs. */

export declare const S3RVER_CREDENTIALS: { readonly accessKeyId: string; readonly secretAccessKey: string };
export declare const S3RVER_REGION: string;
export declare const AZURITE_ACCOUNT: string;
export declare const AZURITE_KEY: string;

/** A running server child process on 127.0.0.1. */
export interface StoreServer {
  port: number;
  pid: number;
  stop(): Promise<void>;
}

export interface S3Server extends StoreServer {
  /** `http://127.0.0.1:<port>`, for path-style requests. */
  endpoint: string;
}

export interface AzuriteServer extends StoreServer {
  /** A connection string with the account key. */
  connectionString: string;
}

export declare function s3StorageEnv(bucket: string, endpoint: string): Record<string, string>;
export declare function azuriteConnectionString(port: number): string;
export declare function azureStorageEnv(container: string, connectionString: string): Record<string, string>;
export declare function startS3rver(directory: string, port: number, bucket: string): Promise<S3Server>;
export declare function startAzurite(directory: string, port: number): Promise<AzuriteServer>;
