import { Readable } from 'node:stream';
import type { ByteRange, SignedDownload } from '../storage/storage-driver';
import { buildDownload, buildRedirect, contentDisposition } from './attachment-download';
import { etagMatches, parseRange } from './byte-range';

describe('parseRange', () => {
  it.each([
    [undefined, 100, { kind: 'whole' }],
    ['bytes=0-9', 100, { kind: 'partial', range: { start: 0, end: 9 } }],
    ['bytes=90-', 100, { kind: 'partial', range: { start: 90, end: 99 } }],
    ['bytes=90-500', 100, { kind: 'partial', range: { start: 90, end: 99 } }],
    ['bytes=-10', 100, { kind: 'partial', range: { start: 90, end: 99 } }],
    ['bytes=-500', 100, { kind: 'partial', range: { start: 0, end: 99 } }],
    ['bytes=100-', 100, { kind: 'unsatisfiable' }],
    ['bytes=-0', 100, { kind: 'unsatisfiable' }],
    ['bytes=0-', 0, { kind: 'unsatisfiable' }],
    ['bytes=9-0', 100, { kind: 'whole' }],
    ['bytes=0-1,5-6', 100, { kind: 'whole' }],
    ['items=0-1', 100, { kind: 'whole' }],
    ['bytes=-', 100, { kind: 'whole' }],
    ['bytes=abc', 100, { kind: 'whole' }],
  ])('%p of %d bytes', (header, size, expected) => {
    expect(parseRange(header, size)).toEqual(expected);
  });
});

describe('etagMatches', () => {
  const etag = '"abc"';
  it.each([
    [undefined, false],
    ['"abc"', true],
    ['W/"abc"', true],
    ['"x", "abc"', true],
    ['*', true],
    ['"abd"', false],
  ])('%p', (header, expected) => {
    expect(etagMatches(header, etag)).toBe(expected);
  });
});

describe('contentDisposition', () => {
  it('percent-encodes the UTF-8 name, including the characters RFC 8187 reserves', () => {
    expect(contentDisposition('Prüfbericht (final) it’s*.pdf')).toBe(
      "attachment; filename*=UTF-8''Pr%C3%BCfbericht%20%28final%29%20it%E2%80%99s%2A.pdf",
    );
    expect(contentDisposition('a"b;c.txt')).toBe("attachment; filename*=UTF-8''a%22b%3Bc.txt");
  });
});

describe('buildDownload', () => {
  const sha256 = 'ab'.repeat(32);
  const attachment = { filename: 'boot.log', contentType: 'text/plain', sizeBytes: 100, sha256 };
  const opened: (ByteRange | undefined)[] = [];
  const open = (range?: ByteRange) => {
    opened.push(range);
    return Promise.resolve(Readable.from([]));
  };

  beforeEach(() => {
    opened.length = 0;
  });

  it('sends the whole file with its length, the strong ETag and the safety headers', async () => {
    const download = buildDownload(attachment, {}, open);
    expect(download.status).toBe(200);
    expect(download.headers).toMatchObject({
      ETag: `"${sha256}"`,
      'Content-Length': '100',
      'Content-Type': 'text/plain',
      'Content-Disposition': "attachment; filename*=UTF-8''boot.log",
      'X-Content-Type-Options': 'nosniff',
      'Accept-Ranges': 'bytes',
    });
    await download.open?.();
    expect(opened).toEqual([undefined]);
  });

  it('sends one range as 206 with Content-Range', async () => {
    const download = buildDownload(attachment, { range: 'bytes=10-19' }, open);
    expect(download.status).toBe(206);
    expect(download.headers).toMatchObject({ 'Content-Range': 'bytes 10-19/100', 'Content-Length': '10' });
    await download.open?.();
    expect(opened).toEqual([{ start: 10, end: 19 }]);
  });

  it('answers 416 with the size for a range past the end, and opens nothing', () => {
    const download = buildDownload(attachment, { range: 'bytes=100-' }, open);
    expect(download.status).toBe(416);
    expect(download.headers['Content-Range']).toBe('bytes */100');
    expect(download.open).toBeNull();
  });

  it('answers 304 when the client has this version', () => {
    const download = buildDownload(attachment, { ifNoneMatch: `"${sha256}"`, range: 'bytes=0-1' }, open);
    expect(download.status).toBe(304);
    expect(download.headers.ETag).toBe(`"${sha256}"`);
    expect(download.open).toBeNull();
  });

  it('ignores the range when If-Range names another version', () => {
    expect(buildDownload(attachment, { range: 'bytes=0-1', ifRange: '"other"' }, open).status).toBe(200);
    expect(buildDownload(attachment, { range: 'bytes=0-1', ifRange: `"${sha256}"` }, open).status).toBe(206);
  });
});

describe('buildRedirect', () => {
  const sha256 = 'b'.repeat(64);
  const attachment = { filename: 'Prüfbericht.pdf', contentType: 'application/pdf', sizeBytes: 100, sha256 };

  it('redirects to a URL signed with the stored name as an attachment, the stored type and the expiry', async () => {
    const signed: SignedDownload[] = [];
    const download = await buildRedirect(attachment, {}, 300, (request) => {
      signed.push(request);
      return Promise.resolve('https://store.example/attachments/ab/key?sig=x');
    });

    expect(download).toEqual({
      status: 302,
      headers: { Location: 'https://store.example/attachments/ab/key?sig=x', 'Cache-Control': 'private, no-store' },
      open: null,
    });
    expect(signed).toEqual([
      {
        contentDisposition: "attachment; filename*=UTF-8''Pr%C3%BCfbericht.pdf",
        contentType: 'application/pdf',
        expiresInSeconds: 300,
      },
    ]);
  });

  it('answers 304 to a client whose copy is current, signing nothing', async () => {
    const sign = jest.fn<Promise<string>, [SignedDownload]>();
    const download = await buildRedirect(attachment, { ifNoneMatch: `"${sha256}"`, range: 'bytes=0-1' }, 300, sign);

    expect(download).toEqual({
      status: 304,
      headers: {
        ETag: `"${sha256}"`,
        'Accept-Ranges': 'bytes',
        'Cache-Control': 'private, no-cache',
        'X-Content-Type-Options': 'nosniff',
      },
      open: null,
    });
    expect(sign).not.toHaveBeenCalled();
  });
});
