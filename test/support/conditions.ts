import { CLAMD_INSTALL_HINT, findClamd } from './clamd';
import { PRIVATE_POSTGRES_UNAVAILABLE } from './private-postgres';
import { redisUnavailable } from './redis';

/**
 * Tests that cannot prove their point in some environment are still registered there, and reported as skipped
 * with the reason in their name ("○ skipped … [skipped on PGlite: …]"), never left out or passed vacuously.
 */

/** The suites run on PostgreSQL when TEST_DATABASE_URL is set, else on the embedded PGlite (test-database.ts). */
export const ON_POSTGRES = Boolean(process.env.TEST_DATABASE_URL);

type TestBody = Parameters<jest.It>[1];

/**
 * `it` on PostgreSQL; on PGlite the test is registered as skipped and its name says why. For tests whose point is
 * a race between transactions or between service instances: PGlite runs one transaction at a time (the app holds
 * a single connection to it), and a second instance cannot share its in-memory database.
 */
export function itOnPostgres(reason: string): (name: string, body: TestBody, timeout?: number) => void {
  const register = ON_POSTGRES ? it : it.skip;
  return (name, body, timeout) =>
    register(ON_POSTGRES ? name : `${name} [skipped on PGlite: ${reason}]`, body, timeout);
}

/** The clamd binary (Debian's clamav-daemon), or undefined where it is not installed. */
const CLAMD = findClamd();
export const CLAMD_INSTALLED = CLAMD !== undefined;

/** The clamd binary, for the hooks of a describeWithClamd block (they never run where clamd is missing). */
export function clamdBinary(): string {
  if (CLAMD === undefined) throw new Error(`clamd is not installed (${CLAMD_INSTALL_HINT})`);
  return CLAMD;
}

/**
 * `describe` where clamd is installed; elsewhere the block's tests are registered as skipped (their hooks do not
 * run) and its name says why.
 */
export function describeWithClamd(name: string, body: () => void): void {
  const register = CLAMD_INSTALLED ? describe : describe.skip;
  register(CLAMD_INSTALLED ? name : `${name} [skipped: clamd is not installed (${CLAMD_INSTALL_HINT})]`, body);
}

/**
 * `describe` where a private PostgreSQL server can be started (support/private-postgres.ts: initdb and pg_ctl
 * installed, and a `postgres` user to run them as root); elsewhere the block's tests are registered as skipped
 * (their hooks do not run) and its name says why.
 */
export function describeWithPrivatePostgres(name: string, body: () => void): void {
  const register = PRIVATE_POSTGRES_UNAVAILABLE === null ? describe : describe.skip;
  register(PRIVATE_POSTGRES_UNAVAILABLE === null ? name : `${name} [skipped: ${PRIVATE_POSTGRES_UNAVAILABLE}]`, body);
}

/**
 * `describe` where the Redis of TEST_REDIS_URL (default 127.0.0.1:6379) answers; elsewhere the block's tests are
 * registered as skipped (their hooks do not run) and its name says why.
 */
export function describeWithRedis(name: string, body: () => void): void {
  const reason = redisUnavailable();
  const register = reason === null ? describe : describe.skip;
  register(reason === null ? name : `${name} [skipped: ${reason}]`, body);
}
