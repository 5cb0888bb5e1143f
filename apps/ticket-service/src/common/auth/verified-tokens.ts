import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/app-config';
import { type AccessTokenVerifier, onVerdict } from './access-token';
import type { Principal } from './principal';

/** The header's usual spelling; other spellings of the scheme take the strategy's path. */
const BEARER_PREFIX = 'Bearer ';

/** Enough for every client of a busy instance; the oldest entry makes room for a new one. */
const MAX_ENTRIES = 10_000;

interface Entry {
  principal: Principal;
  /** When the token stops being accepted: its `exp` plus the allowed clock skew. */
  validUntilMs: number;
}

/**
 * The principals of access tokens this instance has already verified, until each token expires. A token's
 * verdict depends only on the token and the key that signed it (the configured secret, or a key of the auth
 * service's JWKS, which forgets every entry when it drops a key), so a client sending the same token again is answered
 * from here: verifying it (signature, claims) is most of the CPU an authenticated read costs. Only accepted
 * tokens are kept, and each only while its `exp` allows. The rate limiter and the guard share it, so a request
 * is verified once.
 */
@Injectable()
export class VerifiedTokens {
  private readonly entries = new Map<string, Entry>();
  private readonly skewMs: number;
  /** Counts clear() calls, so a verification that was under way across one is not remembered. */
  private generation = 0;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.skewMs = config.auth.clockSkewSeconds * 1000;
  }

  /** The principal of `token` if it was verified before and has not expired since. */
  get(token: string, nowMs: number = Date.now()): Principal | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    if (entry.validUntilMs > nowMs) return entry.principal;
    this.entries.delete(token);
    return undefined;
  }

  /**
   * The principal of an `Authorization: Bearer <token>` header whose token was verified before and has not
   * expired; undefined for anything else, which the strategy then reads and verifies (or refuses) in full.
   */
  fromAuthorizationHeader(header: string | undefined): Principal | undefined {
    return header?.startsWith(BEARER_PREFIX) ? this.get(header.slice(BEARER_PREFIX.length)) : undefined;
  }

  /** Keeps a token that was just verified; `expSeconds` is its `exp` claim. */
  remember(token: string, principal: Principal, expSeconds: number): void {
    if (this.entries.size >= MAX_ENTRIES && !this.entries.has(token)) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
    this.entries.set(token, { principal, validUntilMs: expSeconds * 1000 + this.skewMs });
  }

  /** Forgets every token: the key that verified some of them is no longer trusted. */
  clear(): void {
    this.entries.clear();
    this.generation += 1;
  }

  /** `verify`, answered from here for a token verified before, and remembering the tokens it accepts. */
  cached(verify: AccessTokenVerifier): AccessTokenVerifier {
    return (token) => {
      const known = this.get(token);
      if (known !== undefined) return known;
      const generation = this.generation;
      return onVerdict(verify(token), (verdict) => {
        if (!('kind' in verdict) && generation === this.generation) this.remember(token, verdict, expiryOf(token));
        return verdict;
      });
    };
  }
}

/** The `exp` claim of a token that has just been verified (so its payload is a JSON object with a numeric exp). */
function expiryOf(token: string): number {
  const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as { exp: number };
  return payload.exp;
}
