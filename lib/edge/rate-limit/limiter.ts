/**
 * Counts a request against its tiers in a store and turns the answers into one decision, applying
 * each tier's failure policy when the store does not answer (ADR 011, ADR 015): a fail-closed tier
 * refuses; a fail-open tier is counted in this instance's own memory instead, when it has one, so
 * a store outage (or an instance too busy to reach the store in time) never lifts a limit
 * entirely. Every outage is logged with the tier, its policy and the request ID, so "limits were
 * per instance for ten minutes" is visible. A request's tiers cost the store one round trip
 * together, not one each (ADR 049).
 */
import type { Env } from "../../env";
import type { EdgeLogger } from "../log";
import { MemoryRateLimitStore } from "./memory-store";
import { decide, type LimitResult, type RateLimitDecision, type TierHit, type TierOutcome } from "./policy";
import { hitEachOf, StoreUnavailableError, type HitAnswer, type RateLimitStore } from "./store";
import { UpstashRateLimitStore } from "./upstash-store";

export interface CountOptions {
  log: EdgeLogger;
  /** Milliseconds since the epoch; tests pass a fixed clock. */
  now?: number;
  /** Where a fail-open tier is counted while `store` does not answer (ADR 015). */
  fallback?: RateLimitStore;
}

/** Count one request against its tiers, in one store round trip (ADR 049). */
export async function countTiers(store: RateLimitStore, hits: readonly TierHit[], options: CountOptions): Promise<RateLimitDecision> {
  const outcomes = await countEach(store, hits, options.log, options.fallback);
  return decide(outcomes, options.now ?? Date.now());
}

/**
 * Count one request against several tiers, each on its own, in one store call. When that call
 * fails, it failed for every tier at once, and each tier's own failure policy then applies, just
 * as if each had been asked alone and failed.
 */
export async function countEach(store: RateLimitStore, hits: readonly TierHit[], log: EdgeLogger, fallback?: RateLimitStore): Promise<TierOutcome[]> {
  if (hits.length === 0) return [];
  const answers = await hitEachOf(store, hits);
  return Promise.all(
    hits.map((hit, i) => {
      const answer = answers[i] as HitAnswer;
      return answer instanceof StoreUnavailableError ? uncounted(hit, answer, log, 1, fallback) : counted(hit, answer);
    }),
  );
}

/** Count one tier on its own: for callers whose next tier depends on this one's answer. */
export async function countOne(store: RateLimitStore, hit: TierHit, log: EdgeLogger, cost = 1, fallback?: RateLimitStore): Promise<TierOutcome> {
  try {
    return counted(hit, await store.hit(hit.policy, hit.key, cost));
  } catch (error) {
    return uncounted(hit, error, log, cost, fallback);
  }
}

function counted(hit: TierHit, result: LimitResult): TierOutcome {
  return { ...hit, status: "counted", result };
}

/** The store did not count `hit`: the tier's failure policy decides, and the outage is logged. */
async function uncounted(hit: TierHit, error: unknown, log: EdgeLogger, cost: number, fallback?: RateLimitStore): Promise<TierOutcome> {
  const local = hit.policy.failMode === "open" ? fallback : undefined;
  logOutage(log, hit, error, local !== undefined);
  if (local !== undefined) {
    try {
      return counted(hit, await local.hit(hit.policy, hit.key, cost));
    } catch {
      // The fallback is full of keys it must not drop: the tier's own policy applies.
    }
  }
  return { ...hit, status: "unavailable" };
}

export function logOutage(log: EdgeLogger, hit: TierHit, error: unknown, countedLocally = false): void {
  const fields = {
    tier: hit.policy.name,
    failMode: hit.policy.failMode,
    reason: error instanceof StoreUnavailableError ? error.reason : "error",
  };
  if (hit.policy.failMode === "closed") log.error("rate-limit store unavailable; refusing (fail closed)", fields);
  else if (countedLocally) log.warn("rate-limit store unavailable; counting in this instance (fail over)", fields);
  else log.warn("rate-limit store unavailable; allowing (fail open)", fields);
}

type StoreEnv = Pick<Env, "UPSTASH_REDIS_REST_URL" | "UPSTASH_REDIS_REST_TOKEN" | "RATE_LIMIT_STORE_TIMEOUT_MS" | "RATE_LIMIT_MEMORY_MAX_KEYS">;

/** Upstash when configured (lib/env.ts requires it in a deployment unless opted out), else memory. */
export function rateLimitStoreFrom(env: StoreEnv): RateLimitStore {
  if (env.UPSTASH_REDIS_REST_URL !== undefined && env.UPSTASH_REDIS_REST_TOKEN !== undefined) {
    return new UpstashRateLimitStore({
      url: env.UPSTASH_REDIS_REST_URL,
      token: env.UPSTASH_REDIS_REST_TOKEN,
      timeoutMs: env.RATE_LIMIT_STORE_TIMEOUT_MS,
      maxCachedKeys: env.RATE_LIMIT_MEMORY_MAX_KEYS,
    });
  }
  return new MemoryRateLimitStore({ maxKeys: env.RATE_LIMIT_MEMORY_MAX_KEYS });
}

/**
 * The per-instance count for a shared store's outages (ADR 015): a bounded memory store next to
 * Upstash; none next to a memory store, which cannot be down.
 */
export function fallbackStoreFor(store: RateLimitStore, env: Pick<Env, "RATE_LIMIT_MEMORY_MAX_KEYS">): RateLimitStore | undefined {
  return store.kind === "memory" ? undefined : new MemoryRateLimitStore({ maxKeys: env.RATE_LIMIT_MEMORY_MAX_KEYS });
}
