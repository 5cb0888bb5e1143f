import { detectSignature, EXECUTABLE_SIGNATURES, type Signature } from './file-signature';
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

interface FileKind {
  /** Sent on download; derived from the extension, never taken from the client. */
  contentType: string;
  /** The signature the bytes must start with; null for text formats, which must carry none. */
  signature: Signature | null;
  /** Office Open XML: the folder of the archive that makes it this kind of document. */
  zipFolder?: string;
}

const KINDS: Readonly<Record<AllowedExtension, FileKind>> = {
  pdf: { contentType: 'application/pdf', signature: 'pdf' },
  doc: { contentType: 'application/msword', signature: 'ole' },
  docx: {
    contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    signature: 'zip',
    zipFolder: 'word/',
  },
  txt: { contentType: 'text/plain', signature: null },
  png: { contentType: 'image/png', signature: 'png' },
  jpg: { contentType: 'image/jpeg', signature: 'jpeg' },
  jpeg: { contentType: 'image/jpeg', signature: 'jpeg' },
  gif: { contentType: 'image/gif', signature: 'gif' },
  xls: { contentType: 'application/vnd.ms-excel', signature: 'ole' },
  xlsx: {
    contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    signature: 'zip',
    zipFolder: 'xl/',
  },
  csv: { contentType: 'text/csv', signature: null },
  zip: { contentType: 'application/zip', signature: 'zip' },
  log: { contentType: 'text/plain', signature: null },
  json: { contentType: 'application/json', signature: null },
  xml: { contentType: 'application/xml', signature: null },
};

export function isAllowedExtension(extension: string | null): extension is AllowedExtension {
  return extension !== null && (ALLOWED_EXTENSIONS as readonly string[]).includes(extension);
}

export function contentTypeOf(extension: AllowedExtension): string {
  return KINDS[extension].contentType;
}

/**
 * Whether the leading bytes agree with the extension: a reason to refuse, or null. Executables and scripts
 * never pass; text formats have no signature, so any recognised binary format under them is refused too.
 */
export function leadingBytesProblem(extension: AllowedExtension, head: Uint8Array): string | null {
  const found = detectSignature(head);
  if (found !== null && EXECUTABLE_SIGNATURES.has(found)) return 'Executables and scripts are not accepted';
  const expected = KINDS[extension].signature;
  if (found === expected) return null;
  return expected === null
    ? `The content is binary (${found}), not the text a .${extension} file holds`
    : `The content does not match the .${extension} extension`;
}

/**
 * Checks that need the whole file: a ZIP-based file must have a readable archive directory, and an Office
 * document the parts of its kind (a spreadsheet renamed .docx is refused). Nothing is unpacked.
 */
export async function wholeFileProblem(extension: AllowedExtension, path: string): Promise<string | null> {
  const kind = KINDS[extension];
  if (kind.signature !== 'zip') return null;
  const names = await zipEntryNames(path);
  if (names === null) return `The content is not a readable ZIP archive, as a .${extension} file must be`;
  const { zipFolder } = kind;
  if (zipFolder === undefined) return null;
  const isDocumentOfKind = names.includes('[Content_Types].xml') && names.some((name) => name.startsWith(zipFolder));
  return isDocumentOfKind ? null : `The content does not match the .${extension} extension`;
}
