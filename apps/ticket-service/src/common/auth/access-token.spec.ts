import { Role } from '@ticketing/contracts';
import jwt from 'jsonwebtoken';
import type { AppConfig } from '../../config/app-config';
import { hmacAccessTokenVerifier, mintAccessToken, principalFromClaims, readBearerToken } from './access-token';

const NOW = 1_800_000_000;
const valid = {
  sub: '3f1c7f9e-2b7a-4c1d-9a55-0f6d1c2b3a4e',
  role: Role.ADMIN,
  type: 'access',
  exp: NOW + 60,
  iat: NOW,
};

describe('principalFromClaims', () => {
  it('accepts a complete access token', () => {
    expect(principalFromClaims(valid, NOW, 30)).toEqual({
      id: valid.sub,
      role: Role.ADMIN,
      username: null,
      email: null,
    });
  });

  it('rejects a token expired beyond the skew as expired', () => {
    expect(principalFromClaims({ ...valid, exp: NOW - 31 }, NOW, 30)).toEqual({
      kind: 'expired',
      reason: 'token has expired',
    });
  });

  it.each([
    ['no exp', { exp: undefined }, 'token has no expiry'],
    ['iat in the future beyond the skew', { iat: NOW + 31 }, 'token was issued in the future'],
    ['type refresh', { type: 'refresh' }, 'not an access token'],
    ['no type', { type: undefined }, 'not an access token'],
    ['unknown role', { role: 'ROOT' }, 'unknown role'],
    ['non-UUID sub', { sub: 'alice' }, 'subject is not a UUID'],
  ])('rejects %s as invalid', (_name, change, reason) => {
    expect(principalFromClaims({ ...valid, ...change }, NOW, 30)).toEqual({ kind: 'invalid', reason });
  });

  it('tolerates clock skew within the allowance both ways', () => {
    expect(typeof principalFromClaims({ ...valid, iat: NOW + 29, exp: NOW + 3600 }, NOW, 30)).toBe('object');
    expect(typeof principalFromClaims({ ...valid, exp: NOW - 29 }, NOW, 30)).toBe('object');
  });
});

describe('readBearerToken', () => {
  const segment = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const token = `${segment({ alg: 'HS256', typ: 'JWT' })}.${segment({ sub: 'x' })}.c2lnbmF0dXJl`;

  it.each([`Bearer ${token}`, `bearer ${token}`, `BEARER ${token}`, `Bearer   ${token}`])(
    'reads the one token of %p (scheme case-insensitive, 1*SP)',
    (header) => {
      expect(readBearerToken(header)).toEqual({ token });
    },
  );

  it.each([
    ['no header', undefined],
    ['another scheme', `Basic ${token}`],
    ['a scheme that only starts with Bearer', `Bearerx ${token}`],
  ])('finds no bearer credentials in %s (RFC 6750 §3.1: no error code)', (_name, header) => {
    expect(readBearerToken(header)).toEqual({ failure: expect.objectContaining({ kind: 'missing' }) });
  });

  it.each([
    ['two tokens', `Bearer ${token} ${token}`],
    ['a tab instead of a space', `Bearer\t${token}`],
    ['no token', 'Bearer'],
    ['characters outside b64token', `Bearer ${token},x`],
    ['a payload of null', `Bearer ${segment({ alg: 'HS256' })}.${segment(null)}.c2ln`],
    ['a payload that is a number', `Bearer ${segment({ alg: 'HS256' })}.${segment(5)}.c2ln`],
    ['a payload that is an array', `Bearer ${segment({ alg: 'HS256' })}.${segment([])}.c2ln`],
    ['a payload that is no JSON', `Bearer ${segment({ alg: 'HS256' })}.bm9wZQ.c2ln`],
    ['two segments', `Bearer ${segment({ alg: 'HS256' })}.${segment({})}`],
  ])('refuses %s as invalid', (_name, header) => {
    expect(readBearerToken(header)).toEqual({ failure: expect.objectContaining({ kind: 'invalid' }) });
  });
});

describe('hmacAccessTokenVerifier', () => {
  const auth: AppConfig['auth'] = {
    secret: 'verifier-spec-secret-with-32-characters!',
    usingDevelopmentSecret: false,
    algorithm: 'HS256',
    issuer: 'https://auth.example',
    audience: 'ticket-service',
    clockSkewSeconds: 30,
    jwks: null,
  };
  const verify = hmacAccessTokenVerifier(auth);
  const claims = { sub: valid.sub, role: Role.ADMIN, type: 'access' };
  const signed = (options: jwt.SignOptions, secret = auth.secret) =>
    jwt.sign(claims, secret, { expiresIn: 600, issuer: auth.issuer!, audience: auth.audience!, ...options });

  it('returns the principal of a token the guard would accept', () => {
    expect(verify(mintAccessToken(auth, { role: Role.MANAGER, sub: valid.sub.toUpperCase() }))).toMatchObject({
      id: valid.sub,
      role: Role.MANAGER,
    });
  });

  it.each([
    ['another secret', () => signed({}, 'x'.repeat(40))],
    ['another algorithm', () => signed({ algorithm: 'HS512' })],
    ['another issuer', () => signed({ issuer: 'https://elsewhere.example' })],
    ['another audience', () => signed({ audience: 'billing' })],
    [
      'a refresh token',
      () =>
        jwt.sign({ ...claims, type: 'refresh' }, auth.secret, {
          expiresIn: 600,
          issuer: auth.issuer!,
          audience: auth.audience!,
        }),
    ],
    ['no JWT at all', () => 'not-a-jwt'],
  ])('refuses a token with %s as invalid', (_name, token) => {
    expect(verify(token())).toMatchObject({ kind: 'invalid' });
  });

  it('refuses an expired token as expired', () => {
    expect(verify(signed({ expiresIn: -120 }))).toEqual({ kind: 'expired', reason: 'token has expired' });
  });
});
