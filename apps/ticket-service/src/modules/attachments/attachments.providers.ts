import type { Provider } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { ClamdScanner } from './scanning/clamd.scanner';
import { VIRUS_SCANNER, type VirusScanner } from './scanning/virus-scanner';
import { type AzureBlobCredentials, AzureBlobStorageDriver } from './storage/azure-blob-storage.driver';
import { LocalDiskStorageDriver } from './storage/local-disk-storage.driver';
import { S3StorageDriver } from './storage/s3-storage.driver';
import {
  DOWNLOAD_URL_SIGNER,
  type DownloadUrlSigner,
  STORAGE_DRIVER,
  type StorageDriver,
} from './storage/storage-driver';

/** The configured driver, ready for use: an Azure container is created at start-up when missing. */
export async function createStorageDriver(storage: AppConfig['storage']): Promise<StorageDriver> {
  switch (storage.driver) {
    case 'local':
      return new LocalDiskStorageDriver(storage.path);
    case 's3': {
      const { s3 } = storage;
      if (s3.bucket === null) throw new Error('S3_BUCKET is required when STORAGE_DRIVER=s3');
      return new S3StorageDriver({
        bucket: s3.bucket,
        endpoint: s3.endpoint ?? undefined,
        region: s3.region,
        accessKeyId: s3.accessKeyId ?? undefined,
        secretAccessKey: s3.secretAccessKey ?? undefined,
        forcePathStyle: s3.forcePathStyle,
      });
    }
    case 'azure': {
      const driver = new AzureBlobStorageDriver({
        credentials: azureCredentialsOf(storage.azure),
        container: required(storage.azure.container, 'AZURE_STORAGE_CONTAINER'),
      });
      await driver.ensureContainer();
      return driver;
    }
  }
}

function required(value: string | null, variable: string): string {
  if (value === null) throw new Error(`${variable} is required when STORAGE_DRIVER=azure`);
  return value;
}

function azureCredentialsOf(azure: AppConfig['storage']['azure']): AzureBlobCredentials {
  if (azure.connectionString !== null) return { connectionString: azure.connectionString };
  return {
    account: required(azure.account, 'AZURE_STORAGE_ACCOUNT'),
    accountKey: required(azure.accountKey, 'AZURE_STORAGE_KEY'),
  };
}

/** Null in proxy mode; in redirect mode the driver, which must be able to sign (checked at start-up). */
export function createDownloadUrlSigner(
  storage: AppConfig['storage'],
  driver: StorageDriver,
): DownloadUrlSigner | null {
  if (storage.downloadMode === 'proxy') return null;
  if (driver instanceof S3StorageDriver) return driver;
  if (driver instanceof AzureBlobStorageDriver && driver.signsDownloads) return driver;
  throw new Error(
    driver instanceof AzureBlobStorageDriver
      ? 'ATTACHMENT_DOWNLOAD_MODE=redirect needs the Azure account key (AZURE_STORAGE_KEY, or AccountKey in ' +
          'AZURE_STORAGE_CONNECTION_STRING) to sign download URLs'
      : 'ATTACHMENT_DOWNLOAD_MODE=redirect needs STORAGE_DRIVER=s3 or azure (the local disk cannot sign download URLs)',
  );
}

/** Null when scanning is off (VIRUS_SCAN_ENABLED=false). */
export function createVirusScanner(storage: AppConfig['storage']): VirusScanner | null {
  if (!storage.virusScanEnabled) return null;
  return new ClamdScanner({ host: storage.clamavHost, port: storage.clamavPort, timeoutMs: storage.clamavTimeoutMs });
}

export const attachmentsProviders: Provider[] = [
  {
    provide: STORAGE_DRIVER,
    inject: [APP_CONFIG],
    useFactory: (config: AppConfig) => createStorageDriver(config.storage),
  },
  {
    provide: DOWNLOAD_URL_SIGNER,
    inject: [APP_CONFIG, STORAGE_DRIVER],
    useFactory: (config: AppConfig, driver: StorageDriver) => createDownloadUrlSigner(config.storage, driver),
  },
  {
    provide: VIRUS_SCANNER,
    inject: [APP_CONFIG],
    useFactory: (config: AppConfig) => createVirusScanner(config.storage),
  },
];
