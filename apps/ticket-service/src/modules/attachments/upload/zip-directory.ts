import { open } from 'node:fs/promises';

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const ZIP64_END_LOCATOR = 0x07064b50;
const ZIP64_END_OF_CENTRAL_DIRECTORY = 0x06064b50;
const CENTRAL_DIRECTORY_HEADER = 0x02014b50;
const END_RECORD_SIZE = 22;
const MAX_COMMENT_SIZE = 0xffff;
/** Bounds the memory a hostile archive can make us use; Office documents have a few dozen entries. */
const MAX_DIRECTORY_BYTES = 4 * 1024 * 1024;

interface DirectoryLocation {
  offset: number;
  size: number;
}

/**
 * The entry names of a ZIP archive, read from its central directory at the end of the file — nothing is
 * unpacked. Null when the file is not a well-formed archive. A directory larger than 4 MiB is read only in
 * part (its first entries).
 */
export async function zipEntryNames(path: string): Promise<string[] | null> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const read = async (position: number, length: number): Promise<Buffer> => {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await file.read(buffer, 0, length, position);
      return buffer.subarray(0, bytesRead);
    };
    const tailLength = Math.min(size, END_RECORD_SIZE + MAX_COMMENT_SIZE);
    const tailStart = size - tailLength;
    const tail = await read(tailStart, tailLength);
    const location = await locateDirectory(tail, tailStart, read);
    if (!location || location.offset + location.size > size) return null;
    const directory = await read(location.offset, Math.min(location.size, MAX_DIRECTORY_BYTES));
    return parseDirectory(directory);
  } finally {
    await file.close();
  }
}

async function locateDirectory(
  tail: Buffer,
  tailStart: number,
  read: (position: number, length: number) => Promise<Buffer>,
): Promise<DirectoryLocation | null> {
  // The end record is the last one carrying its signature (the archive comment follows it).
  for (let at = tail.length - END_RECORD_SIZE; at >= 0; at -= 1) {
    if (tail.readUInt32LE(at) !== END_OF_CENTRAL_DIRECTORY) continue;
    const size = tail.readUInt32LE(at + 12);
    const offset = tail.readUInt32LE(at + 16);
    if (size !== 0xffffffff && offset !== 0xffffffff) return { offset, size };
    // ZIP64: the locator sits just before the end record and points to the 64-bit end record.
    const locatorAt = tailStart + at - 20;
    if (locatorAt < 0) return null;
    const locator = await read(locatorAt, 20);
    if (locator.length < 20 || locator.readUInt32LE(0) !== ZIP64_END_LOCATOR) return null;
    const record = await read(Number(locator.readBigUInt64LE(8)), 56);
    if (record.length < 56 || record.readUInt32LE(0) !== ZIP64_END_OF_CENTRAL_DIRECTORY) return null;
    return { size: Number(record.readBigUInt64LE(40)), offset: Number(record.readBigUInt64LE(48)) };
  }
  return null;
}

function parseDirectory(directory: Buffer): string[] {
  const names: string[] = [];
  let at = 0;
  while (at + 46 <= directory.length && directory.readUInt32LE(at) === CENTRAL_DIRECTORY_HEADER) {
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    const nameEnd = at + 46 + nameLength;
    if (nameEnd > directory.length) break;
    names.push(directory.toString('utf8', at + 46, nameEnd));
    at = nameEnd + extraLength + commentLength;
  }
  return names;
}
