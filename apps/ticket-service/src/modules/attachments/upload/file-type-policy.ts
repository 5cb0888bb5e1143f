import { fileTypeFromBuffer } from 'file-type/core';
import { zipEntryNames } from './zip-directory';

/** Spec §4: the extensions an attachment may have. */
export const ALLOWED_EXTENSIONS = [
  'pdf',
  'doc',
  'docx',
  'txt',
  'png',
  'jpg',
  'jpeg',
  'gif',
  'xls',
  'xlsx',
  'csv',
  'zip',
  'log',
  'json',
  'xml',
] as const;

export type AllowedExtension = (typeof ALLOWED_EXTENSIONS)[number];

/**
 * How many leading bytes detection needs: file-type's own sample size, and enough for the offset of a PE
 * header.
 */
export const HEAD_BYTES = 4100;

/** What file-type calls the formats stored as a ZIP archive: which one it reports depends on the entries it reads. */
const ZIP_CONTAINERS = [
  'zip',
  'docx',
  'docm',
  'dotx',
  'dotm',
  'xlsx',
  'xlsm',
  'xltx',
  'xltm',
  'pptx',
  'pptm',
  'potx',
  'potm',
  'ppsx',
  'ppsm',
  'vsdx',
  '3mf',
  'odt',
  'ott',
  'ods',
  'ots',
  'odp',
  'otp',
  'odg',
  'otg',
  'epub',
  'jar',
  'apk',
  'xpi',
] as const;

/** Machine code file-type recognises; its `exe` is any "MZ" prefix, so Windows executables are told apart below. */
const EXECUTABLE_TYPES: ReadonlySet<string> = new Set(['elf', 'macho', 'wasm', 'class']);

/** Formats file-type recognises that are themselves text, so a text extension may hold them. */
const TEXT_TYPES: ReadonlySet<string> = new Set(['xml', 'rtf', 'ics', 'vcf', 'vtt', 'reg', 'ps']);

interface FileKind {
  /** Sent on download; derived from the extension, never taken from the client. */
  contentType: string;
  /** The file-type extensions the bytes may be detected as; null for text formats, which have no signature. */
  detectedAs: readonly string[] | null;
  /** A ZIP archive: its directory is checked once the whole file has arrived. */
  zip?: true;
  /** Office Open XML: the folder of the archive that makes it this kind of document. */
  zipFolder?: string;
}

const KINDS: Readonly<Record<AllowedExtension, FileKind>> = {
  pdf: { contentType: 'application/pdf', detectedAs: ['pdf'] },
  // Compound File Binary, which file-type does not tell apart further.
  doc: { contentType: 'application/msword', detectedAs: ['cfb'] },
  // file-type recognises a document only from its [Content_Types].xml; the archive's folders decide below.
  docx: {
    contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    detectedAs: ZIP_CONTAINERS,
    zip: true,
    zipFolder: 'word/',
  },
  txt: { contentType: 'text/plain', detectedAs: null },
  png: { contentType: 'image/png', detectedAs: ['png', 'apng'] },
  jpg: { contentType: 'image/jpeg', detectedAs: ['jpg', 'jls'] },
  jpeg: { contentType: 'image/jpeg', detectedAs: ['jpg', 'jls'] },
  gif: { contentType: 'image/gif', detectedAs: ['gif'] },
  xls: { contentType: 'application/vnd.ms-excel', detectedAs: ['cfb'] },
  xlsx: {
    contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    detectedAs: ZIP_CONTAINERS,
    zip: true,
    zipFolder: 'xl/',
  },
  csv: { contentType: 'text/csv', detectedAs: null },
  zip: { contentType: 'application/zip', detectedAs: ZIP_CONTAINERS, zip: true },
  log: { contentType: 'text/plain', detectedAs: null },
  json: { contentType: 'application/json', detectedAs: null },
  xml: { contentType: 'application/xml', detectedAs: null },
};

/** Every Content-Type a stored file is downloaded with. */
export const STORED_CONTENT_TYPES: readonly string[] = [
  ...new Set(Object.values(KINDS).map((kind) => kind.contentType)),
];

export function isAllowedExtension(extension: string | null): extension is AllowedExtension {
  return extension !== null && (ALLOWED_EXTENSIONS as readonly string[]).includes(extension);
}

export function contentTypeOf(extension: AllowedExtension): string {
  return KINDS[extension].contentType;
}

const startsWith = (head: Uint8Array, bytes: readonly number[], offset = 0): boolean =>
  head.length >= offset + bytes.length && bytes.every((byte, index) => head[offset + index] === byte);

const MZ = [0x4d, 0x5a];
const PE_SIGNATURE = [0x50, 0x45, 0x00, 0x00];
const SHEBANG = [0x23, 0x21];
const UTF8_BOM = [0xef, 0xbb, 0xbf];

/**
 * A Windows PE or DOS executable: `MZ`, then either the `PE\0\0` header at the offset stored at 0x3C, or the
 * binary DOS header itself. Text that merely starts with "MZ" has neither (file-type calls it `exe` all the same).
 */
function isWindowsExecutable(head: Uint8Array): boolean {
  if (!startsWith(head, MZ)) return false;
  if (head.length >= 0x40) {
    const peOffset = Buffer.from(head.buffer, head.byteOffset, head.length).readUInt32LE(0x3c);
    if (startsWith(head, PE_SIGNATURE, peOffset)) return true;
  }
  return head.subarray(2, 64).some((byte) => byte < 0x09);
}

/** A script the system would run by its `#!` line; file-type has no signature for it. */
const isScript = (head: Uint8Array): boolean =>
  startsWith(head, SHEBANG) || startsWith(head, [...UTF8_BOM, ...SHEBANG]);

/**
 * Control characters that text does not contain (tab, line breaks, form feed and the escape of coloured logs
 * aside). file-type matches some formats on two or three printable bytes ("BM", "ID3", "070707"), which a CSV
 * or log line may start with; such a match only counts as binary when the bytes are not text.
 */
const isText = (head: Uint8Array): boolean =>
  !head.some((byte) => byte <= 0x08 || (byte >= 0x0e && byte <= 0x1f && byte !== 0x1b));

/**
 * Whether the leading bytes agree with the extension: a reason to refuse, or null. Executables and scripts
 * never pass; text formats have no signature, so a binary format recognised under them is refused too.
 */
export async function leadingBytesProblem(extension: AllowedExtension, head: Uint8Array): Promise<string | null> {
  if (isWindowsExecutable(head) || isScript(head)) return 'Executables and scripts are not accepted';
  // Bytes file-type cannot parse are bytes it does not recognise.
  const detected = (await fileTypeFromBuffer(head).catch(() => undefined))?.ext;
  if (detected !== undefined && EXECUTABLE_TYPES.has(detected)) return 'Executables and scripts are not accepted';
  const expected = KINDS[extension].detectedAs;
  if (expected === null) {
    const isBinary = detected !== undefined && !TEXT_TYPES.has(detected) && !isText(head);
    return isBinary ? `The content is binary (${detected}), not the text a .${extension} file holds` : null;
  }
  return detected !== undefined && expected.includes(detected)
    ? null
    : `The content does not match the .${extension} extension`;
}

/**
 * Checks that need the whole file: a ZIP-based file must have a readable archive directory, and an Office
 * document the parts of its kind (a spreadsheet renamed .docx is refused). Nothing is unpacked.
 */
export async function wholeFileProblem(extension: AllowedExtension, path: string): Promise<string | null> {
  const kind = KINDS[extension];
  if (!kind.zip) return null;
  const names = await zipEntryNames(path);
  if (names === null) return `The content is not a readable ZIP archive, as a .${extension} file must be`;
  const { zipFolder } = kind;
  if (zipFolder === undefined) return null;
  const isDocumentOfKind = names.includes('[Content_Types].xml') && names.some((name) => name.startsWith(zipFolder));
  return isDocumentOfKind ? null : `The content does not match the .${extension} extension`;
}
