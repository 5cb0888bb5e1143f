import type { Provider } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { ClamdScanner } from './scanning/clamd.scanner';
import { VIRUS_SCANNER, type VirusScanner } from './scanning/virus-scanner';
import { LocalDiskStorageDriver } from './storage/local-disk-storage.driver';
import { S3StorageDriver } from './storage/s3-storage.driver';
import { STORAGE_DRIVER, type StorageDriver } from './storage/storage-driver';

export function createStorageDriver(storage: AppConfig['storage']): StorageDriver {
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
  }
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
    provide: VIRUS_SCANNER,
    inject: [APP_CONFIG],
    useFactory: (config: AppConfig) => createVirusScanner(config.storage),
  },
];
