import { Role } from '@ticketing/contracts';
import { principalFromClaims } from './access-token';

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

  it.each([
    ['no exp', { exp: undefined }, 'token has no expiry'],
    ['expired beyond the skew', { exp: NOW - 31 }, 'token has expired'],
    ['iat in the future beyond the skew', { iat: NOW + 31 }, 'token was issued in the future'],
    ['type refresh', { type: 'refresh' }, 'not an access token'],
    ['no type', { type: undefined }, 'not an access token'],
    ['unknown role', { role: 'ROOT' }, 'unknown role'],
    ['non-UUID sub', { sub: 'alice' }, 'subject is not a UUID'],
  ])('rejects %s', (_name, change, reason) => {
    expect(principalFromClaims({ ...valid, ...change }, NOW, 30)).toBe(reason);
  });

  it('tolerates clock skew within the allowance both ways', () => {
    expect(typeof principalFromClaims({ ...valid, iat: NOW + 29, exp: NOW + 3600 }, NOW, 30)).toBe('object');
    expect(typeof principalFromClaims({ ...valid, exp: NOW - 29 }, NOW, 30)).toBe('object');
  });
});
