/**
 * What a rate-limit store does. Two implementations: Upstash Redis over HTTP, shared by every
 * instance (./upstash-store.ts), and a bounded in-memory store for one process (./memory-store.ts).
 * Both use the same sliding-window approximation, so a limit behaves the same on either.
 */
import type { LimitResult, TierPolicy } from "./policy";

/** One count to make: `cost` (default 1; a negative cost refunds) against `key` in a tier. */
export interface StoreHit {
  policy: TierPolicy;
  key: string;
  cost?: number;
}

/** A hit's answer from `hitEach`: its result, or why this store could not count that one hit. */
export type HitAnswer = LimitResult | StoreUnavailableError;

export interface RateLimitStore {
  readonly kind: "upstash" | "memory";
  /**
   * Count `cost` against `key` (default 1; a negative cost refunds). A positive cost is never
   * counted past the limit: a refused request does not push the reset further out.
   */
  hit(policy: TierPolicy, key: string, cost?: number): Promise<LimitResult>;
  /**
   * Count every hit of one request as `hit` would, each on its own (a refusal by one tier does not
   * stop the others counting), at the cost of one store round trip whatever their number
   * (docs/decisions/049-one-store-round-trip-per-request.md). Answers come in the order given.
   * A hit this store cannot count alone (the in-memory store's tier full of keys it must not
   * drop, ADR 017) is answered with its error, so the other hits still count; when the store
   * does not answer at all, the promise rejects with `StoreUnavailableError`.
   * Optional: a store without it is asked one `hit` per tier (`hitEachOf` below).
   */
  hitEach?(hits: readonly StoreHit[]): Promise<HitAnswer[]>;
  /** Remember a fact (for example "this address signed in to this account") for `ttlSeconds`. */
  remember(key: string, ttlSeconds: number): Promise<void>;
  recall(key: string): Promise<boolean>;
}

/**
 * The store did not answer: it errored, refused the connection, or timed out; or (the in-memory
 * store) it is full of keys it must not drop.
 */
export class StoreUnavailableError extends Error {
  constructor(
    readonly reason: "timeout" | "error" | "full",
    options?: { cause?: unknown },
  ) {
    super(`rate-limit store unavailable (${reason})`, options);
    this.name = "StoreUnavailableError";
  }
}

/** Any failure as the one error callers handle; a store's own error keeps its reason. */
export function asUnavailable(error: unknown): StoreUnavailableError {
  return error instanceof StoreUnavailableError ? error : new StoreUnavailableError("error", { cause: error });
}

/**
 * Every hit's answer from `store.hitEach(hits)`, or from one `hit` per entry for a store without
 * it. Never rejects: a call that failed as a whole answers every hit with its error, so each
 * caller applies its tiers' failure policies one by one, as if each had been asked alone.
 */
export async function hitEachOf(store: RateLimitStore, hits: readonly StoreHit[]): Promise<HitAnswer[]> {
  if (store.hitEach === undefined) {
    return Promise.all(hits.map(({ policy, key, cost }) => store.hit(policy, key, cost).catch(asUnavailable)));
  }
  try {
    const answers = await store.hitEach(hits);
    // A store that answers fewer hits than it was given has not counted the rest.
    return hits.map((_, i) => answers[i] ?? new StoreUnavailableError("error"));
  } catch (error) {
    const outage = asUnavailable(error);
    return hits.map(() => outage);
  }
}

/**
 * The same store asked once per tier, as every store was before ADR 049: the benchmarks'
 * comparison (BENCH_RATE_LIMIT_CALLS=per-tier), never a deployment's.
 */
export function oneCallPerTier(store: RateLimitStore): RateLimitStore {
  return {
    kind: store.kind,
    hit: (policy, key, cost) => store.hit(policy, key, cost),
    remember: (key, ttl) => store.remember(key, ttl),
    recall: (key) => store.recall(key),
  };
}
