/**
 * The shared rate-limit store: Upstash Redis over HTTPS. Every instance (edge regions, serverless
 * functions, a second `next start`) counts in the same Redis keys, so N instances still allow the
 * limit once, not N times.
 *
 * How, and why:
 * - One Lua script counts every tier of a request in one atomic step, so a request costs one
 *   round trip whatever its number of tiers (docs/decisions/049-one-store-round-trip-per-request.md).
 *   It is sent by hash (EVALSHA), and in full only when Redis does not hold it yet (NOSCRIPT).
 * - Sliding window: a fixed window lets a client send 2× the limit across a window boundary; the
 *   sliding approximation does not, and costs two keys per client. The algorithm and key layout
 *   are @upstash/ratelimit's `slidingWindow` (`<prefix>:rl:<tier>:<key>:<window number>`), so
 *   counts carry over from instances that still run it.
 * - The ephemeral cache: a key refused by a tier is remembered in this instance's memory until
 *   its reset, so a client hammering after a 429 costs no Redis round trip for that tier. A client
 *   that makes keys up (the refresh tier keys on the cookie's id half, which the client writes)
 *   could grow such a cache without end: it is bounded like the in-memory store
 *   (`RefusedKeyCache` below).
 * - One deadline per call (RATE_LIMIT_STORE_TIMEOUT_MS, default 1 s), NOSCRIPT fallback included,
 *   and no retries: a slow or unreachable store must not hold every request hostage. When it does
 *   not answer in time, the call fails with `StoreUnavailableError` and each tier's failure policy
 *   decides (ADR 011, ADR 015).
 * - Telemetry off: nothing about our traffic is sent anywhere but our own database.
 * Web APIs only (`fetch`): the same module runs in the edge middleware and in route handlers.
 */
import { Redis } from "@upstash/redis";
import { DEFAULT_MEMORY_MAX_KEYS } from "./memory-store";
import type { LimitResult, TierPolicy } from "./policy";
import { StoreUnavailableError, type HitAnswer, type RateLimitStore, type StoreHit } from "./store";

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
 * The ephemeral cache of one tier (key → the reset time of its refusal), with a bound: past
 * `maxKeys` entries, the one refused longest ago is dropped. Dropping is always safe, because the
 * cache only saves round trips and Redis still decides: a dropped key's next request asks Redis,
 * which refuses it again. Without the bound, a flood of made-up keys that each earn one refusal
 * grows the map for as long as the process lives (OWASP API4:2023).
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

  /** When `key`'s refusal ends, while it lasts; a refusal whose reset has passed is forgotten. */
  refusedUntil(key: string, now: number): number | undefined {
    const resetAt = this.get(key);
    if (resetAt === undefined) return undefined;
    if (resetAt < now) {
      this.delete(key);
      return undefined;
    }
    return resetAt;
  }
}

export const DEFAULT_PREFIX = "palisade";

/**
 * Every tier of one request, counted in one atomic step. Tier i has KEYS[2i-1] and KEYS[2i] (its
 * current and previous fixed windows) and ARGV[3i-1..3i+1] (limit, window in ms, cost). ARGV[1]
 * is the clock the caller named those windows and their resets by, rather than Redis's own TIME,
 * so the script weighs the very windows it was given and stays deterministic. It answers, per
 * tier, 1 or 0 (allowed) and the requests left.
 *
 * Each tier is decided on its own: one refusing does not stop the others counting (ADR 049).
 * The previous window counts by the share of it still in view, rounded down. A positive cost is
 * counted only when it fits (so a refused request never pushes a reset out); a refund (negative
 * cost) never takes the current window below zero, so refunds cannot bank requests for later,
 * as in ./memory-store.ts. `allow-key-locking`: Upstash then locks only these keys, not the
 * whole database, while the script runs; every key it touches is in KEYS, as that requires.
 */
const SLIDING_WINDOWS = `#!lua flags=allow-key-locking
local now = tonumber(ARGV[1])
local replies = {}
for i = 1, #KEYS / 2 do
  local currentKey = KEYS[2 * i - 1]
  local previousKey = KEYS[2 * i]
  local limit = tonumber(ARGV[3 * i - 1])
  local window = tonumber(ARGV[3 * i])
  local cost = tonumber(ARGV[3 * i + 1])

  local current = tonumber(redis.call("GET", currentKey) or 0)
  local previous = tonumber(redis.call("GET", previousKey) or 0)
  local used = math.floor((1 - (now % window) / window) * previous) + current

  if cost > 0 and used + cost > limit then
    replies[2 * i - 1] = 0
    replies[2 * i] = 0
  else
    if cost < 0 then
      cost = math.max(cost, -math.max(current, 0))
    end
    if cost ~= 0 then
      local counted = redis.call("INCRBY", currentKey, cost)
      if counted == cost then
        -- First count in this window: keep the key until the next window has slid past it.
        redis.call("PEXPIRE", currentKey, window * 2 + 1000)
      end
    end
    local remaining = limit - (used + cost)
    replies[2 * i - 1] = remaining >= 0 and 1 or 0
    replies[2 * i] = remaining
  end
end
return replies
`;

/** A hit the script is asked about, and where its answer goes. */
interface Asked {
  index: number;
  policy: TierPolicy;
  key: string;
  cost: number;
  resetAt: number;
}

export class UpstashRateLimitStore implements RateLimitStore {
  readonly kind = "upstash" as const;
  private readonly redis: Redis;
  private readonly slidingWindows: ReturnType<Redis["createScript"]>;
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private readonly maxCachedKeys: number;
  private readonly caches = new Map<string, RefusedKeyCache>();

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
      // Off, concurrent requests' calls would be merged into one pipeline: still one round trip
      // each in effect, but one slow request would delay the others'.
      enableAutoPipelining: false,
    });
    this.slidingWindows = this.redis.createScript(SLIDING_WINDOWS);
  }

  async hit(policy: TierPolicy, key: string, cost = 1): Promise<LimitResult> {
    const [answer] = await this.hitEach([{ policy, key, cost }]);
    if (answer === undefined) throw new StoreUnavailableError("error");
    if (answer instanceof StoreUnavailableError) throw answer;
    return answer;
  }

  /**
   * A tier whose key is cached as refused is answered from memory, as `hit` would answer it; the
   * others are counted in one script call. When every tier is cached, Redis is not asked at all.
   */
  async hitEach(hits: readonly StoreHit[]): Promise<HitAnswer[]> {
    const now = Date.now();
    const answers: HitAnswer[] = [];
    const asked: Asked[] = [];
    const keys: string[] = [];
    const args: string[] = [String(now)];
    hits.forEach(({ policy, key, cost = 1 }, index) => {
      const windowMs = policy.windowSeconds * 1000;
      const window = Math.floor(now / windowMs);
      const resetAt = (window + 1) * windowMs;
      // Only a positive cost can be refused; a refund must always reach Redis.
      const refusedUntil = cost > 0 ? this.cacheOf(policy).refusedUntil(key, now) : undefined;
      if (refusedUntil !== undefined) {
        answers[index] = { allowed: false, limit: policy.limit, remaining: 0, resetAt: refusedUntil };
        return;
      }
      const bucket = `${this.prefix}:rl:${policy.name}:${key}`;
      keys.push(`${bucket}:${window}`, `${bucket}:${window - 1}`);
      args.push(String(policy.limit), String(windowMs), String(cost));
      asked.push({ index, policy, key, cost, resetAt });
    });
    if (asked.length === 0) return answers;

    const reply = await this.call(() => this.slidingWindows.exec(keys, args));
    if (!isReply(reply, asked.length)) throw new StoreUnavailableError("error", { cause: new Error("unexpected reply from the rate-limit script") });
    asked.forEach(({ index, policy, key, cost, resetAt }, i) => {
      const allowed = reply[2 * i] === 1;
      const remaining = reply[2 * i + 1] as number;
      const cache = this.cacheOf(policy);
      if (!allowed) cache.set(key, resetAt);
      // A refund may have brought a refused key back under its limit.
      else if (cost < 0) cache.delete(key);
      answers[index] = { allowed, limit: policy.limit, remaining: Math.max(0, remaining), resetAt };
    });
    return answers;
  }

  async remember(key: string, ttlSeconds: number): Promise<void> {
    await this.call(() => this.redis.set(`${this.prefix}:fact:${key}`, "1", { ex: ttlSeconds }));
  }

  async recall(key: string): Promise<boolean> {
    return (await this.call(() => this.redis.exists(`${this.prefix}:fact:${key}`))) === 1;
  }

  /** Refused keys held in memory across every tier's cache (tests check the bound with it). */
  cachedRefusals(): number {
    let sum = 0;
    for (const cache of this.caches.values()) sum += cache.size;
    return sum;
  }

  /** One cache per tier and its numbers, kept for the life of this instance, bounded. */
  private cacheOf(policy: TierPolicy): RefusedKeyCache {
    const id = `${policy.name}:${policy.limit}:${policy.windowSeconds}`;
    let cache = this.caches.get(id);
    if (cache === undefined) {
      cache = new RefusedKeyCache(this.maxCachedKeys);
      this.caches.set(id, cache);
    }
    return cache;
  }

  /**
   * Run a store call within one deadline (the NOSCRIPT fallback is a second HTTP call inside the
   * same one); any failure (refused, reset, aborted, a Redis error) is an outage.
   */
  private async call<T>(operation: () => Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new StoreUnavailableError("timeout")), this.timeoutMs);
    });
    try {
      return await Promise.race([operation(), deadline]);
    } catch (error) {
      if (error instanceof StoreUnavailableError) throw error;
      const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
      throw new StoreUnavailableError(timedOut ? "timeout" : "error", { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Two integers per tier asked, as the script answers. */
function isReply(reply: unknown, tiers: number): reply is number[] {
  return Array.isArray(reply) && reply.length === 2 * tiers && reply.every((value) => Number.isInteger(value));
}
