/** V8's collector, exposed to JavaScript only when node runs with `--expose-gc` (npm start and the image do). */
type Collector = (options: { type: 'minor' }) => void;

/** Streamed bytes between two scavenges: each 64 KiB socket read is a buffer of its own until one runs. */
const BYTES_PER_SCAVENGE = 8 * 1024 * 1024;

const collector = (globalThis as { gc?: Collector }).gc;
let streamedSinceScavenge = 0;

/**
 * Counts bytes a request has streamed through (and let go of), and every 8 MiB asks V8 for a scavenge. Every
 * socket read lands in a fresh 64 KiB ArrayBuffer that is freed only by V8's next collection, and a request that
 * streams a large body allocates little else to trigger one: a 50 MiB upload left ~35 MiB of dead read buffers
 * in the RSS before they went (a bare `node:http` server piping to a file does the same). A scavenge of a young
 * generation that is mostly those buffers takes well under a millisecond. Without `--expose-gc` this only counts.
 */
export function noteStreamedBytes(bytes: number): void {
  streamedSinceScavenge += bytes;
  if (streamedSinceScavenge < BYTES_PER_SCAVENGE) return;
  streamedSinceScavenge = 0;
  collector?.({ type: 'minor' });
}
