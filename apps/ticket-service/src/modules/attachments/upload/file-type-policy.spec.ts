import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contentTypeOf, isAllowedExtension, leadingBytesProblem, wholeFileProblem } from './file-type-policy';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
const PDF = Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n', 'latin1');
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46]);
const GIF = Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1');
const OLE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]);
const ELF = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
const MACH_O = Buffer.from([0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1]);

/** A DOS stub whose header points at a `PE\0\0` signature, as every Windows executable has. */
function peExecutable(): Buffer {
  const bytes = Buffer.alloc(256);
  bytes.write('MZ', 0, 'latin1');
  bytes.writeUInt32LE(0x80, 0x3c);
  bytes.write('PE\0\0', 0x80, 'latin1');
  return bytes;
}

/** A stored (uncompressed) ZIP archive with the given entries. */
function zip(entries: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(entries)) {
    const nameBytes = Buffer.from(name);
    const data = Buffer.from(content);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const DOCX = zip({ '[Content_Types].xml': '<Types/>', 'word/document.xml': '<w:document/>' });
const XLSX = zip({ '[Content_Types].xml': '<Types/>', 'xl/workbook.xml': '<workbook/>' });

describe('leadingBytesProblem', () => {
  it.each([
    ['pdf', PDF],
    ['png', PNG],
    ['jpg', JPEG],
    ['jpeg', JPEG],
    ['gif', GIF],
    ['doc', OLE],
    ['xls', OLE],
    ['docx', DOCX],
    ['xlsx', XLSX],
    ['zip', DOCX],
    ['log', Buffer.from('plain log line\n')],
    ['txt', Buffer.alloc(0)],
    ['csv', Buffer.from('a,b\n1,2\n')],
    ['json', Buffer.from('{"ok": true}')],
    ['xml', Buffer.from('<?xml version="1.0"?><a/>')],
    ['log', Buffer.from('MZ-1200 controller fault at 08:00, retrying in 5 s\n'.repeat(3))],
    ['csv', Buffer.from('BMW,320d,2026\n')],
    ['log', Buffer.from('ID3 tag rewrite finished\n')],
    ['txt', Buffer.from('{\\rtf1\\ansi hello}')],
  ] as const)('accepts matching %s content', async (extension, bytes) => {
    await expect(leadingBytesProblem(extension, bytes)).resolves.toBeNull();
  });

  it.each([
    ['pdf', PNG, /match the \.pdf extension/],
    ['png', PDF, /match the \.png extension/],
    ['pdf', Buffer.alloc(0), /match the \.pdf extension/],
    ['docx', OLE, /match the \.docx extension/],
    ['log', ELF, /Executables and scripts/],
    ['txt', peExecutable(), /Executables and scripts/],
    ['csv', MACH_O, /Executables and scripts/],
    ['json', Buffer.from('#!/usr/bin/node\n'), /Executables and scripts/],
    ['zip', ELF, /Executables and scripts/],
    ['txt', PNG, /binary \(png\)/],
    ['xml', DOCX, /binary \(zip\)/],
    ['txt', Buffer.from('\ufeff#!/usr/bin/env python\n'), /Executables and scripts/],
    ['pdf', Buffer.from('MZ-1200 controller fault\n'), /match the \.pdf extension/],
  ] as const)('refuses .%s with other content', async (extension, bytes, reason) => {
    await expect(leadingBytesProblem(extension, bytes)).resolves.toMatch(reason);
  });
});

describe('wholeFileProblem', () => {
  let dir: string;
  const file = (name: string, bytes: Buffer): string => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'file-type-policy-'));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts Office documents of the right kind and any well-formed archive', async () => {
    expect(await wholeFileProblem('docx', file('a.docx', DOCX))).toBeNull();
    expect(await wholeFileProblem('xlsx', file('a.xlsx', XLSX))).toBeNull();
    expect(await wholeFileProblem('zip', file('a.zip', DOCX))).toBeNull();
    expect(await wholeFileProblem('zip', file('empty.zip', zip({})))).toBeNull();
  });

  it('refuses a spreadsheet named .docx, a plain archive named .xlsx and a broken archive', async () => {
    expect(await wholeFileProblem('docx', file('b.docx', XLSX))).toMatch(/match the \.docx extension/);
    expect(await wholeFileProblem('xlsx', file('b.xlsx', zip({ 'notes.txt': 'x' })))).toMatch(
      /match the \.xlsx extension/,
    );
    expect(await wholeFileProblem('zip', file('cut.zip', DOCX.subarray(0, DOCX.length - 30)))).toMatch(
      /not a readable ZIP archive/,
    );
  });

  it('has nothing to check for formats without an archive', async () => {
    expect(await wholeFileProblem('pdf', file('a.pdf', PDF))).toBeNull();
  });
});

describe('extensions and content types', () => {
  it('allows the spec’s extensions only, lower-cased', () => {
    expect(isAllowedExtension('pdf')).toBe(true);
    expect(isAllowedExtension('exe')).toBe(false);
    expect(isAllowedExtension('PDF')).toBe(false);
    expect(isAllowedExtension(null)).toBe(false);
  });

  it('derives the content type from the extension', () => {
    expect(contentTypeOf('log')).toBe('text/plain');
    expect(contentTypeOf('jpg')).toBe('image/jpeg');
    expect(contentTypeOf('xlsx')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  });
});
