import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { LocalDiskStorageDriver } from './local-disk-storage.driver';
import { StorageUnavailableError } from './storage-driver';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('LocalDiskStorageDriver', () => {
  let root: string;
  let driver: LocalDiskStorageDriver;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'local-storage-'));
    driver = new LocalDiskStorageDriver(root);
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('stores, reads whole and by range, and deletes', async () => {
    await driver.put('attachments/ab/one', Readable.from([Buffer.from('hello '), Buffer.from('world')]));
    expect(await text(await driver.get('attachments/ab/one'))).toBe('hello world');
    expect(await text(await driver.get('attachments/ab/one', { start: 6, end: 10 }))).toBe('world');
    expect(filesUnder(root)).toEqual([join(root, 'attachments/ab/one')]);
    await driver.delete('attachments/ab/one');
    await driver.delete('attachments/ab/one'); // a missing key is not an error
    expect(filesUnder(root)).toEqual([]);
  });

  it('leaves nothing behind when the body fails half-way', async () => {
    function* failing(): Generator<Buffer> {
      yield Buffer.from('partial');
      throw new Error('client went away');
    }
    await expect(driver.put('attachments/ab/two', Readable.from(failing()))).rejects.toThrow('client went away');
    expect(filesUnder(root)).toEqual([]);
  });

  it('reports a failing store as StorageUnavailableError and keeps nothing', async () => {
    writeFileSync(join(root, 'attachments'), 'a file where a directory should be');
    await expect(driver.put('attachments/ab/three', Readable.from([Buffer.from('x')]))).rejects.toBeInstanceOf(
      StorageUnavailableError,
    );
    await expect(driver.get('attachments/ab/missing')).rejects.toBeInstanceOf(StorageUnavailableError);
    expect(filesUnder(root)).toEqual([join(root, 'attachments')]);
  });

  it('stores a file of its own filesystem as a hard link and leaves the file in place', async () => {
    const staged = join(root, 'incoming-file');
    writeFileSync(staged, 'staged bytes');
    await driver.putFile('attachments/ab/linked', staged);
    const stored = join(root, 'attachments/ab/linked');
    expect(statSync(stored).ino).toBe(statSync(staged).ino);
    expect(readFileSync(stored, 'utf8')).toBe('staged bytes');
    rmSync(staged);
    expect(await text(await driver.get('attachments/ab/linked'))).toBe('staged bytes');
  });

  it('reports a failing store on putFile as StorageUnavailableError and keeps nothing', async () => {
    const staged = join(root, 'incoming-file');
    writeFileSync(staged, 'staged bytes');
    writeFileSync(join(root, 'attachments'), 'a file where a directory should be');
    await expect(driver.putFile('attachments/ab/four', staged)).rejects.toBeInstanceOf(StorageUnavailableError);
    expect(filesUnder(root).sort()).toEqual([join(root, 'attachments'), staged]);
  });

  // The staging area normally shares the store's filesystem; /dev/shm is another one where the machine has it.
  const otherFilesystem = existsSync('/dev/shm') && statSync('/dev/shm').dev !== statSync(tmpdir()).dev;
  (otherFilesystem ? it : it.skip)(
    'copies a file from another filesystem, where no hard link is possible',
    async () => {
      const elsewhere = mkdtempSync(join('/dev/shm', 'staging-'));
      try {
        const staged = join(elsewhere, 'file');
        writeFileSync(staged, 'bytes from elsewhere');
        await driver.putFile('attachments/ab/copied', staged);
        const stored = join(root, 'attachments/ab/copied');
        expect(readFileSync(stored, 'utf8')).toBe('bytes from elsewhere');
        expect(statSync(stored).ino).not.toBe(statSync(staged).ino);
        expect(filesUnder(root)).toEqual([stored]);
        expect(existsSync(staged)).toBe(true);
      } finally {
        rmSync(elsewhere, { recursive: true, force: true });
      }
    },
  );

  it('deletes with a key what a put of it interrupted by a crash left, and nothing else', async () => {
    mkdirSync(join(root, 'attachments/ab'), { recursive: true });
    // What a process killed mid-put leaves: the temporary file, never renamed into place.
    writeFileSync(join(root, 'attachments/ab/crashed.partial'), 'half of it');
    writeFileSync(join(root, 'attachments/ab/crashed-not'), 'another key');
    await driver.delete('attachments/ab/crashed');
    expect(filesUnder(root)).toEqual([join(root, 'attachments/ab/crashed-not')]);
  });

  it('refuses keys that could leave its directory', async () => {
    for (const key of ['../outside', '/etc/passwd', 'a/../../b', 'a\\b', '']) {
      await expect(driver.delete(key)).rejects.toThrow(/Invalid storage key/);
    }
  });
});
