/**
 * The shared rate-limit store: Upstash Redis over HTTPS, through @upstash/ratelimit's sliding
 * window. Every instance (edge regions, serverless functions, a second `next start`) counts in
 * the same Redis keys, so N instances still allow the limit once, not N times.
 *
 * Settings, and why:
 * - `slidingWindow`: a fixed window lets a client send 2× the limit across a window boundary;
 *   the sliding approximation does not, and costs two keys per client.
 * - `ephemeralCache`: a key that hit its limit is remembered in this instance's memory until its
 *   reset, so a client hammering after a 429 costs no Redis round trip at all. The library forgets
 *   an entry only when its key comes back after the reset, so a client that makes keys up (the
 *   refresh tier keys on the cookie's id half, which the client writes) could grow the cache
 *   without end: it is bounded like the in-memory store (`RefusedKeyCache` below).
 * - `timeout` (RATE_LIMIT_STORE_TIMEOUT_MS, default 1 s) and no retries: a slow or unreachable
 *   store must not hold every request hostage. When it does not answer in time, the call fails
 *   with `StoreUnavailableError` and the tier's failure policy decides (ADR 011). The library's
 *   own timeout *allows* the request silently (`reason: "timeout"`); that is turned into an error
 *   here so a fail-closed tier can refuse.
 * - Telemetry and analytics off: nothing about our traffic is sent anywhere but our own database.
 * Web APIs only (`fetch`): the same module runs in the edge middleware and in route handlers.
 */
import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis";
import { DEFAULT_MEMORY_MAX_KEYS } from "./memory-store";
import type { LimitResult, TierPolicy } from "./policy";
import { StoreUnavailableError, type RateLimitStore } from "./store";

export interface UpstashStoreOptions {
  url: string;
  token: string;
  timeoutMs: number;
  /** Namespace for every key; tests use a fresh one per run. */
  prefix?: string;
  /** Refused keys each tier's ephemeral cache keeps (RATE_LIMIT_MEMORY_MAX_KEYS; default 10,000). */
  maxCachedKeys?: number;
}

/**
 * The ephemeral cache handed to @upstash/ratelimit (key → the reset time of its refusal), with a
 * bound: past `maxKeys` entries, the one refused longest ago is dropped. Dropping is always safe,
 * because the cache only saves round trips and Redis still decides: a dropped key's next request
 * asks Redis, which refuses it again. Without the bound, a flood of made-up keys that each earn
 * one refusal grows the map for as long as the process lives (OWASP API4:2023).
 */
export class RefusedKeyCache extends Map<string, number> {
  constructor(private readonly maxKeys: number) {
    super();
  }

  override set(key: string, resetAt: number): this {
    // Re-inserting keeps the Map's iteration order the order of refusal, oldest first.
    this.delete(key);
    super.set(key, resetAt);
    while (this.size > this.maxKeys) {
      const oldest = this.keys().next();
      if (oldest.done === true) break;
      this.delete(oldest.value);
    }
    return this;
  }
}

export const DEFAULT_PREFIX = "palisade";

export class UpstashRateLimitStore implements RateLimitStore {
  readonly kind = "upstash" as const;
  private readonly redis: Redis;
  private readonly limiters = new Map<string, Ratelimit>();
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private readonly maxCachedKeys: number;
  private readonly caches: RefusedKeyCache[] = [];

  constructor(options: UpstashStoreOptions) {
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    this.timeoutMs = options.timeoutMs;
    this.maxCachedKeys = options.maxCachedKeys ?? DEFAULT_MEMORY_MAX_KEYS;
    this.redis = new Redis({
      url: options.url,
      token: options.token,
      // One attempt: retrying a dead store multiplies the latency every request pays.
      retry: false,
      // Each HTTP call gets its own deadline, so a hung connection is abandoned, not awaited.
      signal: () => AbortSignal.timeout(options.timeoutMs),
      enableTelemetry: false,
      enableAutoPipelining: false,
    });
  }

  async hit(policy: TierPolicy, key: string, cost = 1): Promise<LimitResult> {
    const response = await this.call(() => this.limiter(policy).limit(key, { rate: cost }));
    // The library answers "allowed" when its own timeout fires; that is an outage, not a pass.
    if (response.reason === "timeout") throw new StoreUnavailableError("timeout");
    return { allowed: response.success, limit: policy.limit, remaining: response.remaining, resetAt: response.reset };
  }

  async remember(key: string, ttlSeconds: number): Promise<void> {
    await this.call(() => this.redis.set(`${this.prefix}:fact:${key}`, "1", { ex: ttlSeconds }));
  }

  async recall(key: string): Promise<boolean> {
    return (await this.call(() => this.redis.exists(`${this.prefix}:fact:${key}`))) === 1;
  }

  /** Refused keys held in memory across every tier's cache (tests check the bound with it). */
  cachedRefusals(): number {
    return this.caches.reduce((sum, cache) => sum + cache.size, 0);
  }

  private limiter(policy: TierPolicy): Ratelimit {
    const id = `${policy.name}:${policy.limit}:${policy.windowSeconds}`;
    let limiter = this.limiters.get(id);
    if (limiter === undefined) {
      const cache = new RefusedKeyCache(this.maxCachedKeys);
      this.caches.push(cache);
      limiter = new Ratelimit({
        redis: this.redis,
        limiter: Ratelimit.slidingWindow(policy.limit, `${policy.windowSeconds} s`),
        prefix: `${this.prefix}:rl:${policy.name}`,
        // Kept for the life of this instance (module scope in the middleware), per tier, bounded.
        ephemeralCache: cache,
        timeout: this.timeoutMs,
        analytics: false,
        enableProtection: false,
        enableTelemetry: false,
      });
      this.limiters.set(id, limiter);
    }
    return limiter;
  }

  /** Run a store call; any failure (refused, reset, aborted, a Redis error) is an outage. */
  private async call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
      throw new StoreUnavailableError(timedOut ? "timeout" : "error", { cause: error });
    }
  }
}
