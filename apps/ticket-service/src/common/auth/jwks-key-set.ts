import {
  createLocalJWKSet,
  type CryptoKey,
  errors,
  type FlattenedJWSInput,
  type JSONWebKeySet,
  type JWTHeaderParameters,
} from 'jose';

/** No key set has been fetched (the JWKS endpoint is down, slow or answers garbage): no token can be verified. */
export class JwksUnavailable extends Error {
  constructor(cause: unknown) {
    super(`no key set from the JWKS endpoint: ${messageOf(cause)}`);
    this.name = 'JwksUnavailable';
  }
}

/** fetch() says only "fetch failed"; the reason (ECONNREFUSED, a timeout) is its cause. */
function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}

export interface JwksKeySetOptions {
  /** How long a fetched set is used before it is fetched again. */
  maxAgeMs: number;
  /** The least time between two fetches, whatever the tokens ask for: unknown `kid`s cannot flood the endpoint. */
  cooldownMs: number;
  /** Fetches the current set; rejects when it cannot. */
  load: () => Promise<unknown>;
  now: () => number;
  /** A fetch dropped or changed a key of the previous set: what was verified with it must be verified again. */
  onKeysRemoved: () => void;
  /** A fetch failed; `keptStale` says whether an older set is still in use. */
  onFetchFailed: (error: unknown, keptStale: boolean) => void;
}

interface FetchedSet {
  lookup: ReturnType<typeof createLocalJWKSet>;
  /** Each key as served, to tell which keys a newer set no longer has. */
  keys: Set<string>;
  fetchedAtMs: number;
}

/**
 * The auth service's public keys, for jose's jwtVerify: picks the key by the token's `kid` and `alg`, fetches the set
 * on first use, again once it is `maxAgeMs` old, and early when a token names a `kid` it lacks (key rotation), but
 * never twice within `cooldownMs`, and one fetch at a time. A set that cannot be refreshed stays in use; without
 * any set every token is refused (JwksUnavailable): fail closed.
 */
export class JwksKeySet {
  private current: FetchedSet | null = null;
  private lastFetchStartedMs = Number.NEGATIVE_INFINITY;
  private lastFailure: unknown = null;
  private inFlight: Promise<void> | null = null;

  constructor(private readonly options: JwksKeySetOptions) {}

  readonly getKey = async (header: JWTHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey> => {
    if (this.current === null || this.options.now() - this.current.fetchedAtMs >= this.options.maxAgeMs) {
      await this.refresh();
    }
    try {
      return await this.lookup(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
    }
    await this.refresh();
    return this.lookup(header, token);
  };

  private lookup(header: JWTHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey> {
    if (this.current === null) throw new JwksUnavailable(this.lastFailure);
    return this.current.lookup(header, token);
  }

  /** Joins the fetch under way, or starts one unless the cooldown forbids it. Never rejects. */
  private async refresh(): Promise<void> {
    if (this.inFlight === null && this.options.now() - this.lastFetchStartedMs >= this.options.cooldownMs) {
      this.lastFetchStartedMs = this.options.now();
      this.inFlight = this.fetchSet().finally(() => {
        this.inFlight = null;
      });
    }
    await this.inFlight;
  }

  private async fetchSet(): Promise<void> {
    let fetched: FetchedSet;
    try {
      const jwks = await this.options.load();
      // Validates the set's shape; the keys themselves are imported when a token first names them.
      const lookup = createLocalJWKSet(jwks as JSONWebKeySet);
      const keys = new Set((jwks as JSONWebKeySet).keys.map((key) => JSON.stringify(key)));
      fetched = { lookup, keys, fetchedAtMs: this.options.now() };
    } catch (error) {
      this.lastFailure = error;
      this.options.onFetchFailed(error, this.current !== null);
      return;
    }
    const previous = this.current;
    this.current = fetched;
    if (previous !== null && [...previous.keys].some((key) => !fetched.keys.has(key))) this.options.onKeysRemoved();
  }
}

/** GETs a JWKS document; anything but a 2xx JSON answer within `timeoutMs` is a failure. */
export async function fetchJwks(url: string, timeoutMs: number): Promise<unknown> {
  const response = await fetch(url, {
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`${url} answered ${response.status}`);
  }
  return response.json();
}
