import { connect, type Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { type ScanVerdict, ScannerUnavailableError, type VirusScanner } from './virus-scanner';

export interface ClamdScannerOptions {
  host: string;
  port: number;
  /** The longest wait for clamd: to connect, to accept more bytes, and for the verdict after the last one. */
  timeoutMs: number;
}

/** `z` asks for NUL-terminated replies, so a complete reply is told apart from a cut connection. */
const INSTREAM_COMMAND = Buffer.from('zINSTREAM\0', 'latin1');
/** A zero-length chunk ends the stream. */
const END_OF_STREAM = Buffer.alloc(4);

/**
 * A small client for clamd's INSTREAM command (clamd(8)): the bytes go in chunks, each prefixed with its
 * length as a 4-byte big-endian integer. It fails closed: anything but a well-formed `OK` or `FOUND` reply
 * — refused connection, timeout, empty or garbled reply, an `ERROR` such as the stream size limit — is a
 * ScannerUnavailableError, never a clean verdict.
 */
export class ClamdScanner implements VirusScanner {
  constructor(private readonly options: ClamdScannerOptions) {}

  async scan(body: Readable): Promise<ScanVerdict> {
    const session = new ClamdSession(connect({ host: this.options.host, port: this.options.port }), this.options);
    try {
      await session.connected();
      await session.send(INSTREAM_COMMAND);
      for await (const chunk of body as AsyncIterable<unknown>) {
        const bytes = toBuffer(chunk);
        // An empty chunk would read as the end of the stream.
        if (bytes.length === 0) continue;
        // clamd answers early only to refuse the stream (size limit); its reply says why.
        if (session.answered) break;
        const header = Buffer.alloc(4);
        header.writeUInt32BE(bytes.length);
        await session.send(Buffer.concat([header, bytes]));
      }
      if (!session.answered) await session.send(END_OF_STREAM);
      return parseReply(await session.reply());
    } finally {
      session.close();
    }
  }
}

/** One INSTREAM exchange over one connection; every wait on clamd is bounded by the timeout. */
class ClamdSession {
  private readonly received: Buffer[] = [];
  private readonly settled: Promise<string>;
  private failure: Error | undefined;
  private done = false;

  constructor(
    private readonly socket: Socket,
    private readonly options: ClamdScannerOptions,
  ) {
    this.settled = new Promise<string>((resolve) => {
      const finish = (): void => {
        this.done = true;
        resolve(Buffer.concat(this.received).toString('utf8'));
      };
      socket.on('data', (data: Buffer) => {
        this.received.push(data);
        if (data.includes(0)) finish();
      });
      // A write after clamd hung up fails with EPIPE/ECONNRESET: what clamd said before still decides.
      socket.on('error', (error) => {
        this.failure ??= error;
        finish();
      });
      socket.on('close', finish);
    });
  }

  /** clamd replied or hung up: nothing more will be read. */
  get answered(): boolean {
    return this.done;
  }

  async connected(): Promise<void> {
    if (!this.socket.connecting) return;
    const connect = new Promise<void>((resolve) => this.socket.once('connect', resolve));
    await this.within(Promise.race([connect, this.settled]), 'connecting');
    if (this.done) throw this.unavailable('could not connect');
  }

  /** Writes and waits while clamd applies backpressure. */
  async send(data: Buffer): Promise<void> {
    if (this.done) return;
    if (this.socket.write(data)) return;
    const drained = new Promise<void>((resolve) => this.socket.once('drain', resolve));
    await this.within(Promise.race([drained, this.settled]), 'accepting data');
  }

  /** The reply text up to its NUL terminator; rejects when clamd hung up without one. */
  async reply(): Promise<string> {
    const text = await this.within(this.settled, 'scanning');
    const end = text.indexOf('\0');
    if (end < 0) {
      throw this.unavailable(text.length === 0 ? 'closed the connection without a reply' : 'sent a cut reply');
    }
    return text.slice(0, end);
  }

  close(): void {
    this.socket.destroy();
  }

  private async within<T>(promise: Promise<T>, phase: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new ScannerUnavailableError(`clamd did not answer within ${this.options.timeoutMs} ms (${phase})`)),
        this.options.timeoutMs,
      );
    });
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private unavailable(what: string): ScannerUnavailableError {
    const where = `${this.options.host}:${this.options.port}`;
    const reason = this.failure ? `: ${this.failure.message}` : '';
    return new ScannerUnavailableError(`clamd at ${where} ${what}${reason}`, { cause: this.failure });
  }
}

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TypeError('ClamdScanner: the body must be a byte stream');
}

const CLEAN = /^stream: OK$/;
const FOUND = /^stream: (.+) FOUND$/;

/** clamd's INSTREAM replies: `stream: OK`, `stream: <signature> FOUND`, or `<reason> ERROR`. */
function parseReply(reply: string): ScanVerdict {
  const text = reply.trim();
  if (CLEAN.test(text)) return { infected: false };
  const found = FOUND.exec(text);
  if (found) return { infected: true, signature: found[1] };
  throw new ScannerUnavailableError(
    text.endsWith('ERROR')
      ? `clamd refused the scan: ${text}`
      : `clamd sent an unexpected reply: ${JSON.stringify(text)}`,
  );
}
