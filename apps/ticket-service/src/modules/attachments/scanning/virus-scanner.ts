import type { Readable } from 'node:stream';

export type ScanVerdict = { infected: false } | { infected: true; signature: string };

/** Scans a byte stream before an attachment is committed. */
export interface VirusScanner {
  /** Rejects with ScannerUnavailableError when the scanner does not answer (uploads then fail closed). */
  scan(body: Readable): Promise<ScanVerdict>;
}

export const VIRUS_SCANNER = Symbol('VIRUS_SCANNER');

/** Answered 503 SCAN_UNAVAILABLE with Retry-After. */
export class ScannerUnavailableError extends Error {}
