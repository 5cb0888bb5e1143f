import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
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

async function collect(keys: AsyncIterable<string>): Promise<string[]> {
  const all: string[] = [];
  for await (const key of keys) all.push(key);
  return all.sort();
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

  it('stores a file of its own filesystem as a hard link, dated when stored, and leaves the file in place', async () => {
    const staged = join(root, 'incoming-file');
    writeFileSync(staged, 'staged bytes');
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    utimesSync(staged, twoHoursAgo, twoHoursAgo);
    await driver.putFile('attachments/ab/linked', staged);
    const stored = join(root, 'attachments/ab/linked');
    expect(statSync(stored).ino).toBe(statSync(staged).ino);
    expect(readFileSync(stored, 'utf8')).toBe('staged bytes');
    // The orphan sweeper must not take a just-stored object for an old one.
    expect(statSync(stored).mtimeMs).toBeGreaterThan(Date.now() - 60_000);
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

  it('lists the keys of objects written before a date', async () => {
    await driver.put('attachments/aa/old', Readable.from([Buffer.from('old')]));
    await driver.put('attachments/bb/new', Readable.from([Buffer.from('new')]));
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    utimesSync(join(root, 'attachments/aa/old'), twoHoursAgo, twoHoursAgo);
    expect(await collect(driver.listOlderThan(new Date(Date.now() - 3_600_000)))).toEqual(['attachments/aa/old']);
    expect(await collect(driver.listOlderThan(new Date(Date.now() + 1000)))).toEqual([
      'attachments/aa/old',
      'attachments/bb/new',
    ]);
  });

  it('refuses keys that could leave its directory', async () => {
    for (const key of ['../outside', '/etc/passwd', 'a/../../b', 'a\\b', '']) {
      await expect(driver.delete(key)).rejects.toThrow(/Invalid storage key/);
    }
  });
});
