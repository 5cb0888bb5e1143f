import type { NextFunction, Request, Response } from 'express';
import { rateLimiter } from './rate-limit';

function call(
  limiter: ReturnType<typeof rateLimiter>,
  ip: string,
): { status: number | null; headers: Record<string, string>; passed: boolean } {
  const headers: Record<string, string> = {};
  let status: number | null = null;
  let passed = false;
  const res = {
    setHeader: (name: string, value: string) => (headers[name] = value),
    status: (code: number) => {
      status = code;
      return res;
    },
    json: () => res,
  } as unknown as Response;
  limiter({ ip, socket: {}, id: 'r1' } as unknown as Request, res, (() => (passed = true)) as NextFunction);
  return { status, headers, passed };
}

describe('rateLimiter', () => {
  it('allows the limit per address and minute, then refuses until the next window', () => {
    let now = 120_000;
    const limiter = rateLimiter(2, () => now);
    expect(call(limiter, 'a').passed).toBe(true);
    expect(call(limiter, 'a').headers['RateLimit-Remaining']).toBe('0');
    const refused = call(limiter, 'a');
    expect(refused).toMatchObject({ status: 429, passed: false });
    expect(refused.headers['Retry-After']).toBe('60');
    expect(call(limiter, 'b').passed).toBe(true);
    now += 60_000;
    expect(call(limiter, 'a').passed).toBe(true);
  });
});
