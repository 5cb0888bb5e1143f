import { Role } from '@ticketing/contracts';
import type { AppConfig } from '../../config/app-config';
import { type AccessTokenVerifier } from './access-token';
import type { Principal } from './principal';
import { VerifiedTokens } from './verified-tokens';

const config = { auth: { clockSkewSeconds: 30 } } as AppConfig;
const principal = (id: string): Principal => ({ id, role: Role.DEVOPS_ENGINEER, username: null, email: null });
/** A token-shaped string whose payload carries `exp` (the cache reads it after a successful verification). */
const tokenExpiringAt = (exp: number, salt = ''): string =>
  `header.${Buffer.from(JSON.stringify({ exp, salt })).toString('base64url')}.signature`;

describe('VerifiedTokens', () => {
  it('answers a remembered token until its exp plus the clock skew, then forgets it', () => {
    const tokens = new VerifiedTokens(config);
    tokens.remember('t1', principal('a'), 1_000);
    expect(tokens.get('t1', 1_000_000 + 29_999)).toEqual(principal('a'));
    expect(tokens.get('t1', 1_000_000 + 30_000)).toBeUndefined();
    expect(tokens.get('t1', 0)).toBeUndefined();
  });

  it('answers an Authorization header only for "Bearer <a remembered token>", leaving every other shape to the strategy', () => {
    const tokens = new VerifiedTokens(config);
    const farFuture = Math.floor(Date.now() / 1000) + 3600;
    tokens.remember('t1', principal('a'), farFuture);
    expect(tokens.fromAuthorizationHeader('Bearer t1')).toEqual(principal('a'));
    expect(tokens.fromAuthorizationHeader('Bearer t2')).toBeUndefined();
    expect(tokens.fromAuthorizationHeader('Bearer t1 ')).toBeUndefined();
    expect(tokens.fromAuthorizationHeader('Bearer  t1')).toBeUndefined();
    expect(tokens.fromAuthorizationHeader('bearer t1')).toBeUndefined();
    expect(tokens.fromAuthorizationHeader('Basic t1')).toBeUndefined();
    expect(tokens.fromAuthorizationHeader(undefined)).toBeUndefined();
    tokens.clear();
    expect(tokens.fromAuthorizationHeader('Bearer t1')).toBeUndefined();
  });

  it('makes room by dropping the oldest token', () => {
    const tokens = new VerifiedTokens(config);
    for (let i = 0; i < 10_000; i++) tokens.remember(`t${i}`, principal(String(i)), 2_000_000_000);
    tokens.remember('newest', principal('n'), 2_000_000_000);
    expect(tokens.get('t0', 0)).toBeUndefined();
    expect(tokens.get('t1', 0)).toEqual(principal('1'));
    expect(tokens.get('newest', 0)).toEqual(principal('n'));
  });

  it('verifies a token once and remembers only accepted ones', () => {
    const tokens = new VerifiedTokens(config);
    const calls: string[] = [];
    const farFuture = Math.floor(Date.now() / 1000) + 3600;
    const good = tokenExpiringAt(farFuture, 'good');
    const bad = tokenExpiringAt(farFuture, 'bad');
    const verify: AccessTokenVerifier = (token) => {
      calls.push(token);
      return token === good ? principal('g') : { kind: 'invalid', reason: 'signature' };
    };
    const cachedVerify = tokens.cached(verify);
    expect(cachedVerify(good)).toEqual(principal('g'));
    expect(cachedVerify(good)).toEqual(principal('g'));
    expect(cachedVerify(bad)).toEqual({ kind: 'invalid', reason: 'signature' });
    expect(cachedVerify(bad)).toEqual({ kind: 'invalid', reason: 'signature' });
    expect(calls).toEqual([good, bad, bad]);
  });

  it('remembers what an asynchronous verifier accepts, unless the keys were cleared while it verified', async () => {
    const tokens = new VerifiedTokens(config);
    const farFuture = Math.floor(Date.now() / 1000) + 3600;
    const calls: string[] = [];
    const verify: AccessTokenVerifier = async (token) => {
      calls.push(token);
      await Promise.resolve();
      return principal(token.length.toString());
    };
    const cachedVerify = tokens.cached(verify);
    const first = tokenExpiringAt(farFuture, 'first');
    await expect(cachedVerify(first)).resolves.toEqual(principal(String(first.length)));
    expect(cachedVerify(first)).toEqual(principal(String(first.length)));

    const raced = tokenExpiringAt(farFuture, 'raced');
    const verdict = cachedVerify(raced);
    tokens.clear();
    await verdict;
    expect(tokens.get(first)).toBeUndefined();
    expect(tokens.get(raced)).toBeUndefined();
    await cachedVerify(raced);
    expect(tokens.get(raced)).toEqual(principal(String(raced.length)));
    expect(calls).toEqual([first, raced, raced]);
  });
});
