/**
 * Formats recognised from their first bytes (magic numbers). Enough to tell the allowed binary formats apart
 * and to recognise executables, scripts and other binaries that must not pass as text.
 */
export type Signature =
  | 'pdf'
  | 'png'
  | 'jpeg'
  | 'gif'
  | 'zip'
  | 'ole'
  | 'elf'
  | 'pe'
  | 'mach-o'
  | 'script'
  | 'wasm'
  | 'gzip'
  | 'bzip2'
  | 'xz'
  | 'zstd'
  | '7z'
  | 'rar'
  | 'sqlite'
  | 'tiff'
  | 'riff';

/** Executable code: never accepted, whatever the extension. */
export const EXECUTABLE_SIGNATURES: ReadonlySet<Signature> = new Set(['elf', 'pe', 'mach-o', 'script', 'wasm']);

/** How many leading bytes detection needs (a PE header's offset is usually well inside this). */
export const SIGNATURE_BYTES = 4096;

const UTF8_BOM = [0xef, 0xbb, 0xbf];

interface Magic {
  signature: Signature;
  bytes: readonly number[];
}

const ascii = (text: string): number[] => Array.from(text, (character) => character.charCodeAt(0));

const MAGIC: readonly Magic[] = [
  { signature: 'pdf', bytes: ascii('%PDF-') },
  { signature: 'png', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { signature: 'jpeg', bytes: [0xff, 0xd8, 0xff] },
  { signature: 'gif', bytes: ascii('GIF87a') },
  { signature: 'gif', bytes: ascii('GIF89a') },
  // Local file header, an empty archive's end record, a spanned archive's marker.
  { signature: 'zip', bytes: [0x50, 0x4b, 0x03, 0x04] },
  { signature: 'zip', bytes: [0x50, 0x4b, 0x05, 0x06] },
  { signature: 'zip', bytes: [0x50, 0x4b, 0x07, 0x08] },
  // Compound File Binary: .doc, .xls (and .msi, which the extension list keeps out).
  { signature: 'ole', bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1] },
  { signature: 'elf', bytes: [0x7f, 0x45, 0x4c, 0x46] },
  // Mach-O 32/64-bit in both byte orders, and universal ("fat") binaries, which share CAFEBABE with Java classes.
  { signature: 'mach-o', bytes: [0xfe, 0xed, 0xfa, 0xce] },
  { signature: 'mach-o', bytes: [0xfe, 0xed, 0xfa, 0xcf] },
  { signature: 'mach-o', bytes: [0xce, 0xfa, 0xed, 0xfe] },
  { signature: 'mach-o', bytes: [0xcf, 0xfa, 0xed, 0xfe] },
  { signature: 'mach-o', bytes: [0xca, 0xfe, 0xba, 0xbe] },
  { signature: 'mach-o', bytes: [0xca, 0xfe, 0xba, 0xbf] },
  { signature: 'script', bytes: ascii('#!') },
  { signature: 'script', bytes: [...UTF8_BOM, ...ascii('#!')] },
  { signature: 'wasm', bytes: [0x00, 0x61, 0x73, 0x6d] },
  { signature: 'gzip', bytes: [0x1f, 0x8b] },
  { signature: 'xz', bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { signature: 'zstd', bytes: [0x28, 0xb5, 0x2f, 0xfd] },
  { signature: '7z', bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] },
  { signature: 'rar', bytes: [...ascii('Rar!'), 0x1a, 0x07] },
  { signature: 'sqlite', bytes: [...ascii('SQLite format 3'), 0x00] },
  { signature: 'tiff', bytes: [0x49, 0x49, 0x2a, 0x00] },
  { signature: 'tiff', bytes: [0x4d, 0x4d, 0x00, 0x2a] },
  { signature: 'riff', bytes: ascii('RIFF') },
];

function startsWith(head: Uint8Array, bytes: readonly number[], offset = 0): boolean {
  if (head.length < offset + bytes.length) return false;
  return bytes.every((byte, index) => head[offset + index] === byte);
}

/**
 * A Windows PE or DOS executable: `MZ`, then either the `PE\0\0` header at the offset stored at 0x3C, or the
 * binary DOS header itself. Text that merely starts with "MZ" has neither.
 */
function isWindowsExecutable(head: Uint8Array): boolean {
  if (!startsWith(head, ascii('MZ'))) return false;
  if (head.length >= 0x40) {
    const peOffset = Buffer.from(head.buffer, head.byteOffset, head.length).readUInt32LE(0x3c);
    if (startsWith(head, [0x50, 0x45, 0x00, 0x00], peOffset)) return true;
  }
  return head.subarray(2, 64).some((byte) => byte < 0x09);
}

/** `BZh`, the block size digit, then the first block's magic number (π in BCD). */
function isBzip2(head: Uint8Array): boolean {
  return startsWith(head, ascii('BZh')) && startsWith(head, [0x31, 0x41, 0x59, 0x26, 0x53, 0x59], 4);
}

/** The format the leading bytes announce, or null for none known (plain text, CSV, JSON, XML, logs, ...). */
export function detectSignature(head: Uint8Array): Signature | null {
  if (isWindowsExecutable(head)) return 'pe';
  if (isBzip2(head)) return 'bzip2';
  for (const magic of MAGIC) {
    if (startsWith(head, magic.bytes)) return magic.signature;
  }
  return null;
}
