/**
 * Counts a request against its tiers in a store and turns the answers into one decision, applying
 * each tier's failure policy when the store does not answer (ADR 011, ADR 015): a fail-closed tier
 * refuses; a fail-open tier is counted in this instance's own memory instead, when it has one, so
 * a store outage (or an instance too busy to reach the store in time) never lifts a limit
 * entirely. Every outage is logged with the tier, its policy and the request ID, so "limits were
 * per instance for ten minutes" is visible.
 */
import type { Env } from "../../env";
import type { EdgeLogger } from "../log";
import { MemoryRateLimitStore } from "./memory-store";
import { decide, type RateLimitDecision, type TierHit, type TierOutcome } from "./policy";
import { StoreUnavailableError, type RateLimitStore } from "./store";
import { UpstashRateLimitStore } from "./upstash-store";

export interface CountOptions {
  log: EdgeLogger;
  /** Milliseconds since the epoch; tests pass a fixed clock. */
  now?: number;
  /** Where a fail-open tier is counted while `store` does not answer (ADR 015). */
  fallback?: RateLimitStore;
}

/** Count one request against several tiers, concurrently (one round trip's latency, not N). */
export async function countTiers(store: RateLimitStore, hits: readonly TierHit[], options: CountOptions): Promise<RateLimitDecision> {
  const outcomes = await Promise.all(hits.map((hit) => countOne(store, hit, options.log, 1, options.fallback)));
  return decide(outcomes, options.now ?? Date.now());
}

export async function countOne(store: RateLimitStore, hit: TierHit, log: EdgeLogger, cost = 1, fallback?: RateLimitStore): Promise<TierOutcome> {
  try {
    return { ...hit, status: "counted", result: await store.hit(hit.policy, hit.key, cost) };
  } catch (error) {
    const local = hit.policy.failMode === "open" ? fallback : undefined;
    logOutage(log, hit, error, local !== undefined);
    if (local !== undefined) {
      try {
        return { ...hit, status: "counted", result: await local.hit(hit.policy, hit.key, cost) };
      } catch {
        // The fallback is full of keys it must not drop: the tier's own policy applies.
      }
    }
    return { ...hit, status: "unavailable" };
  }
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
