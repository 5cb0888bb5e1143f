import type { Readable } from 'node:stream';
import { ErrorCode } from '@ticketing/contracts';
import { DependencyUnavailableError, DomainError } from '../../../common/errors/domain-error';

export type ScanVerdict = { infected: false } | { infected: true; signature: string };

/** Scans a byte stream before an attachment is committed. */
export interface VirusScanner {
  /** Rejects with ScannerUnavailableError when the scanner does not answer (uploads then fail closed). */
  scan(body: Readable): Promise<ScanVerdict>;
}

export const VIRUS_SCANNER = Symbol('VIRUS_SCANNER');

/** Answered 503 SCAN_UNAVAILABLE with Retry-After. */
export class ScannerUnavailableError extends DependencyUnavailableError {
  readonly answer = new DomainError(ErrorCode.SCAN_UNAVAILABLE, 'The virus scanner is not answering; try again later', {
    headers: { 'Retry-After': '30' },
  });
}
