import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StagedFileParts } from './staged-file-parts';

describe('StagedFileParts', () => {
  const directory = mkdtempSync(join(tmpdir(), 'staged-parts-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  const staged = (name: string, bytes: Buffer): string => {
    const path = join(directory, name);
    writeFileSync(path, bytes);
    return path;
  };

  it('hands over every part in order of its index, the last one short, at most `concurrency` at a time', async () => {
    const bytes = randomBytes(10 * 1024 + 123);
    const parts = new StagedFileParts(1024, 3);
    const received: Buffer[] = [];
    let inFlight = 0;
    let mostInFlight = 0;
    const count = await StagedFileParts.withFile(staged('parts', bytes), (file, size) =>
      parts.send(file, size, async (index, part) => {
        inFlight += 1;
        mostInFlight = Math.max(mostInFlight, inFlight);
        received[index] = Buffer.from(part); // the part's buffer is reused once this settles
        await new Promise((resolve) => setImmediate(resolve));
        inFlight -= 1;
      }),
    );
    expect(count).toBe(11);
    expect(received.map((part) => part.length)).toEqual([...Array(10).fill(1024), 123]);
    expect(Buffer.concat(received).equals(bytes)).toBe(true);
    expect(mostInFlight).toBe(3);
  });

  it('reuses its buffers from upload to upload', async () => {
    const parts = new StagedFileParts(512, 2);
    const path = staged('reuse', randomBytes(4096));
    const buffersSeen = new Set<ArrayBuffer>();
    for (let upload = 0; upload < 3; upload++) {
      await StagedFileParts.withFile(path, (file, size) =>
        parts.send(file, size, (_index, part) => {
          buffersSeen.add(part.buffer as ArrayBuffer);
          return Promise.resolve();
        }),
      );
    }
    expect(buffersSeen.size).toBeLessThanOrEqual(2);
  });

  it('starts no part after a failure and rejects with that failure', async () => {
    const parts = new StagedFileParts(100, 2);
    const sent: number[] = [];
    const failure = new Error('store refused part 2');
    await expect(
      StagedFileParts.withFile(staged('failing', randomBytes(2000)), (file, size) =>
        parts.send(file, size, async (index) => {
          sent.push(index);
          if (index === 2) throw failure;
          await new Promise((resolve) => setImmediate(resolve));
        }),
      ),
    ).rejects.toBe(failure);
    expect(Math.max(...sent)).toBeLessThanOrEqual(3);
  });

  it('reads a file small enough for one request whole', async () => {
    const bytes = randomBytes(300);
    const whole = await StagedFileParts.withFile(staged('whole', bytes), (file, size) =>
      StagedFileParts.readWhole(file, size),
    );
    expect(whole.equals(bytes)).toBe(true);
  });
});
