import { tmpdir } from 'node:os';
import { parseConfig } from '../../config/app-config';
import { createDownloadUrlSigner } from './attachments.providers';
import { AzureBlobStorageDriver } from './storage/azure-blob-storage.driver';
import { LocalDiskStorageDriver } from './storage/local-disk-storage.driver';
import { S3StorageDriver } from './storage/s3-storage.driver';

/** Redirect mode is checked once more where the driver is known: the store must be able to sign. */
describe('createDownloadUrlSigner', () => {
  const redirect = parseConfig({ STORAGE_DRIVER: 's3', S3_BUCKET: 'b', ATTACHMENT_DOWNLOAD_MODE: 'redirect' }).storage;
  const s3 = new S3StorageDriver({ bucket: 'b', region: 'us-east-1', forcePathStyle: true });
  const azure = (connectionString: string) =>
    new AzureBlobStorageDriver({ credentials: { connectionString }, container: 'c' });

  it('signs nothing in proxy mode', () => {
    expect(createDownloadUrlSigner({ ...redirect, downloadMode: 'proxy' }, s3)).toBeNull();
  });

  it('signs with S3, and with Azure when the credentials hold the account key', () => {
    expect(createDownloadUrlSigner(redirect, s3)).toBe(s3);
    const withKey = azure(
      'DefaultEndpointsProtocol=https;AccountName=files;AccountKey=a2V5;EndpointSuffix=core.windows.net',
    );
    expect(createDownloadUrlSigner(redirect, withKey)).toBe(withKey);
  });

  it('refuses to start when the store cannot sign', () => {
    expect(() => createDownloadUrlSigner(redirect, new LocalDiskStorageDriver(tmpdir()))).toThrow(
      'ATTACHMENT_DOWNLOAD_MODE=redirect needs STORAGE_DRIVER=s3 or azure (the local disk cannot sign download URLs)',
    );
    const sasOnly = azure('BlobEndpoint=https://files.blob.core.windows.net;SharedAccessSignature=sv=2024-08-04&sig=x');
    expect(() => createDownloadUrlSigner(redirect, sasOnly)).toThrow(/needs the Azure account key/);
  });
});
