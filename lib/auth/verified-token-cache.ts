/**
 * The access tokens this instance has already verified, so the edge middleware pays the RS256
 * check (about 124 µs of CPU, plus Web Crypto's hand-off to its worker pool) once per token, not
 * once per request (docs/decisions/050-verified-token-cache.md).
 *
 * Threat: a cache in front of a verifier can answer "valid" where the verifier would not: after
 * the token expired, for a look-alike token, for a key that has been withdrawn, or for whatever
 * an attacker managed to put in it; and a cache that grows with its input is a memory-exhaustion
 * target. Defence:
 * - the key is the whole token string, compared in full; a token differing anywhere is a
 *   different entry and gets the full verification;
 * - only a verification that succeeded is kept, with the claims it returned, frozen; a failure
 *   is never remembered, so a bad token costs a verification each time, as it does without this;
 * - a hit is served only before `exp`, with none of the verifier's CLOCK_TOLERANCE_SECONDS
 *   (lib/auth/tokens.ts), and only while the clock has not gone back past the verification and
 *   `iat` is not after now. Otherwise the entry is dropped and the verifier answers, so a hit is
 *   always a verdict the verifier would give at that moment, and the cache never lengthens a
 *   token's life, not even by the tolerance;
 * - the entries belong to one key set: a different set empties the cache first, so a withdrawn
 *   key's tokens are verified again (and refused);
 * - at most `maxEntries` entries; a new one evicts the oldest.
 * Revocation is not its concern: handlers re-verify and re-read the session (ADR 007).
 *
 * Web APIs only: the edge middleware loads it.
 */
import { getKeyStore, type KeyStore } from "./keys";
import { MAX_TOKEN_LENGTH, verifyAccessToken, type AccessTokenClaims } from "./tokens";

/**
 * About 2 KB per entry with the tokens we issue (an 813-character token and its claims), so
 * about 4 MB at most. Only tokens we signed get in, so their size is ours, not an attacker's.
 */
export const VERIFIED_TOKEN_CACHE_SIZE = 2048;

export interface VerifiedTokenCacheOptions {
  /** The key set to verify with; asked on every call, so a new set is noticed at once. */
  keys?: () => KeyStore | Promise<KeyStore>;
  /** The full verification; lib/auth/tokens.ts unless a test counts the calls. */
  verify?: (token: string, keys: KeyStore) => Promise<AccessTokenClaims>;
  maxEntries?: number;
}

/** Verified claims, shared by every hit on the token, so read-only all the way down. */
export type KeptClaims = Readonly<Omit<AccessTokenClaims, "amr">> & { readonly amr?: readonly string[] };

export interface VerifiedTokenCache {
  /** A TokenVerifier (lib/edge/token-gate.ts): the same claims, or the same error, as `verify`. */
  verify(token: string): Promise<KeptClaims>;
  size(): number;
}

function nowSeconds(): number {
  // The verifier's own clock and rounding, so both read the same second.
  return Math.floor(Date.now() / 1000);
}

interface Entry {
  claims: KeptClaims;
  /** The second the verifier accepted the token. */
  verifiedAt: number;
}

/**
 * The token's times still hold now, with no tolerance: a subset of what the verifier accepts.
 * The verifier returns no `nbf` (we never issue one), but it checked it at `verifiedAt`, as
 * "not after that second plus the tolerance"; while the clock has not gone back past that second,
 * the same check passes now. `exp` is compared with no tolerance: the verifier's seconds past it
 * are the verifier's to grant, on a full verification.
 */
function servable(entry: Entry, now: number): boolean {
  return entry.verifiedAt <= now && entry.claims.iat <= now && now < entry.claims.exp;
}

/**
 * Every hit hands out the same object, so it is a frozen copy: a caller that wrote to it would
 * change what the next request is told.
 */
function frozen(claims: AccessTokenClaims): KeptClaims {
  return Object.freeze(claims.amr === undefined ? { ...claims } : { ...claims, amr: Object.freeze([...claims.amr]) });
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A copy of the token that owns its characters. The token arrives as a slice of its header, and
 * a kept slice would keep the whole Cookie header alive (8 KB of padding cookies made an entry
 * cost 8.9 KB instead of 0.9 KB). Paid once per entry, about 2 µs.
 */
function detached(token: string): string {
  return decoder.decode(encoder.encode(token));
}

export function verifiedTokenCache(options: VerifiedTokenCacheOptions = {}): VerifiedTokenCache {
  const keysNow = options.keys ?? getKeyStore;
  const verifyInFull = options.verify ?? verifyAccessToken;
  const maxEntries = options.maxEntries ?? VERIFIED_TOKEN_CACHE_SIZE;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) throw new RangeError("maxEntries must be a positive integer");
  // Map: insertion order is age, so the first key is the oldest entry.
  const entries = new Map<string, Entry>();
  let entriesKeys: KeyStore | undefined;

  function remember(token: string, entry: Entry): void {
    if (entries.has(token)) return;
    while (entries.size >= maxEntries) {
      const oldest = entries.keys().next();
      if (oldest.done === true) break;
      entries.delete(oldest.value);
    }
    entries.set(detached(token), entry);
  }

  return {
    async verify(token) {
      const keys = await keysNow();
      // Refused by the verifier before any parsing; looking it up would only hash kilobytes.
      if (token.length > MAX_TOKEN_LENGTH) return verifyInFull(token, keys);
      if (keys !== entriesKeys) {
        // Whatever was verified with another key set proves nothing about this one.
        entries.clear();
        entriesKeys = keys;
      }
      // Map lookup: hashes the whole string, then compares it in full on a hash match.
      const kept = entries.get(token);
      if (kept !== undefined) {
        if (servable(kept, nowSeconds())) return kept.claims;
        entries.delete(token);
      }
      const claims = frozen(await verifyInFull(token, keys));
      const entry = { claims, verifiedAt: nowSeconds() };
      // A verification that began under a key set since replaced must not refill the cache; a
      // token outside its strict window now (skewed clocks, the tolerance seconds) is not kept.
      if (keys === entriesKeys && servable(entry, entry.verifiedAt)) remember(token, entry);
      return claims;
    },
    size: () => entries.size,
  };
}
