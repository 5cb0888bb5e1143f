import { errors, exportJWK, generateKeyPair, type JWK } from 'jose';
import { JwksKeySet, type JwksKeySetOptions, JwksUnavailable } from './jwks-key-set';

const COOLDOWN_MS = 30_000;
const MAX_AGE_MS = 600_000;
const TOKEN = { payload: '', signature: '' };

async function publicJwk(kid: string): Promise<JWK> {
  const { publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
}

/** A key set over a JWKS the test changes, on a clock it moves; records fetches, failures and removals. */
function keySetOver(initial: JWK[] | Error) {
  const state = {
    served: initial,
    now: 1_000_000,
    fetches: 0,
    removals: 0,
    failures: [] as boolean[],
  };
  const options: JwksKeySetOptions = {
    maxAgeMs: MAX_AGE_MS,
    cooldownMs: COOLDOWN_MS,
    load: async () => {
      state.fetches += 1;
      await new Promise((resolve) => setImmediate(resolve));
      if (state.served instanceof Error) throw state.served;
      return { keys: state.served };
    },
    now: () => state.now,
    onKeysRemoved: () => {
      state.removals += 1;
    },
    onFetchFailed: (_error, keptStale) => {
      state.failures.push(keptStale);
    },
  };
  const keys = new JwksKeySet(options);
  const keyFor = (kid: string) => keys.getKey({ alg: 'ES256', kid }, TOKEN);
  return { state, keyFor };
}

describe('JwksKeySet', () => {
  let a: JWK;
  let b: JWK;

  beforeAll(async () => {
    [a, b] = await Promise.all([publicJwk('a'), publicJwk('b')]);
  });

  it('fetches the set once for concurrent first uses, then answers from it until it is maxAgeMs old', async () => {
    const { state, keyFor } = keySetOver([a]);
    const found = await Promise.all([keyFor('a'), keyFor('a'), keyFor('a')]);
    expect(found.every((key) => key.type === 'public')).toBe(true);
    expect(state.fetches).toBe(1);

    state.now += MAX_AGE_MS - 1;
    await keyFor('a');
    expect(state.fetches).toBe(1);
    state.now += 1;
    await keyFor('a');
    expect(state.fetches).toBe(2);
  });

  it('fetches early for an unknown kid, at most once per cooldown', async () => {
    const { state, keyFor } = keySetOver([a]);
    await keyFor('a');
    state.served = [a, b];
    await expect(keyFor('b')).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey);
    expect(state.fetches).toBe(1);

    state.now += COOLDOWN_MS;
    await Promise.all([keyFor('b'), keyFor('b')]);
    expect(state.fetches).toBe(2);
    await expect(keyFor('c')).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey);
    expect(state.fetches).toBe(2);
    expect(state.removals).toBe(0);
  });

  it('reports a fetch that drops (or changes) a key the previous set had', async () => {
    const { state, keyFor } = keySetOver([a, b]);
    await keyFor('a');
    state.served = [b];
    state.now += MAX_AGE_MS;
    await keyFor('b');
    expect(state.removals).toBe(1);
    await expect(keyFor('a')).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey);
  });

  it('fails closed without a set, and retries only after the cooldown', async () => {
    const { state, keyFor } = keySetOver(new Error('connect ECONNREFUSED'));
    await expect(keyFor('a')).rejects.toThrow(JwksUnavailable);
    await expect(keyFor('a')).rejects.toThrow(/ECONNREFUSED/);
    expect(state.fetches).toBe(1);
    expect(state.failures).toEqual([false]);

    state.served = [a];
    state.now += COOLDOWN_MS;
    await keyFor('a');
    expect(state.fetches).toBe(2);
  });

  it('keeps a set it cannot refresh, and counts a malformed answer as a failed fetch', async () => {
    const { state, keyFor } = keySetOver([a]);
    await keyFor('a');
    state.served = new Error('503');
    state.now += MAX_AGE_MS;
    await keyFor('a');
    state.served = { keys: 'nope' } as unknown as JWK[];
    state.now += MAX_AGE_MS;
    await keyFor('a');
    expect(state.failures).toEqual([true, true]);
    expect(state.fetches).toBe(3);
  });
});
