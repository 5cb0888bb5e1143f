import { ErrorCode } from '@ticketing/contracts';
import { toDomainError } from '../../common/errors/to-domain-error';
import { ScannerUnavailableError } from './scanning/virus-scanner';
import { StorageUnavailableError } from './storage/storage-driver';

describe('attachment dependency outages', () => {
  it('maps storage and scanner outages to 507 and 503', () => {
    expect(toDomainError(new StorageUnavailableError('disk full'))?.code).toBe(ErrorCode.INSUFFICIENT_STORAGE);
    const scan = toDomainError(new ScannerUnavailableError('clamd down'));
    expect(scan?.code).toBe(ErrorCode.SCAN_UNAVAILABLE);
    expect(scan?.options.headers).toEqual({ 'Retry-After': '30' });
  });
});
