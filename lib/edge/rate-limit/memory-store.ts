/**
 * An in-memory rate-limit store for one process: local development, tests, and deployments that
 * opt in with RATE_LIMIT_ALLOW_MEMORY_STORE=true (each instance then enforces its own limits, so N
 * instances allow N times the limit; README "Known limitations").
 *
 * Threat: a limiter that keeps one entry per key can be made to keep unbounded entries. An
 * attacker varying the key (spoofed addresses where they are trusted, made-up email addresses for
 * the account tier) grows the map until the process runs out of memory.
 *
 * Defence: each tier keeps at most `maxKeys` entries (RATE_LIMIT_MEMORY_MAX_KEYS, default 10,000;
 * about 1 MB per tier). Entries live in a Map in least-recently-used order; past the bound, the
 * least recently used entry is dropped. Dropping resets that key's count, so the bound is set far
 * above the number of keys live within one window in development; a flood big enough to evict a
 * key needs that many distinct client addresses, which is a job for the shared store.
 *
 * The algorithm is the same sliding-window approximation as @upstash/ratelimit's: the previous
 * fixed window's count, weighted by how much of it still overlaps the sliding window, plus the
 * current window's count. So the two stores agree on every limit.
 */
import type { LimitResult, TierPolicy } from "./policy";
import type { RateLimitStore } from "./store";

interface WindowEntry {
  window: number;
  current: number;
  previous: number;
}

export interface MemoryStoreOptions {
  maxKeys?: number;
  /** Milliseconds since the epoch; tests pass a fake clock. */
  now?: () => number;
}

export const DEFAULT_MEMORY_MAX_KEYS = 10_000;

export class MemoryRateLimitStore implements RateLimitStore {
  readonly kind = "memory" as const;
  private readonly maxKeys: number;
  private readonly now: () => number;
  private readonly tiers = new Map<string, Map<string, WindowEntry>>();
  private readonly facts = new Map<string, number>();

  constructor(options: MemoryStoreOptions = {}) {
    this.maxKeys = options.maxKeys ?? DEFAULT_MEMORY_MAX_KEYS;
    this.now = options.now ?? (() => Date.now());
  }

  async hit(policy: TierPolicy, key: string, cost = 1): Promise<LimitResult> {
    return this.apply(policy, key, cost);
  }

  async remember(key: string, ttlSeconds: number): Promise<void> {
    this.facts.delete(key);
    this.facts.set(key, this.now() + ttlSeconds * 1000);
    this.evict(this.facts);
  }

  async recall(key: string): Promise<boolean> {
    const expiresAt = this.facts.get(key);
    if (expiresAt === undefined) return false;
    if (expiresAt <= this.now()) {
      this.facts.delete(key);
      return false;
    }
    return true;
  }

  /** Keys currently held for a tier (tests check the bound with it). */
  size(tier: string): number {
    return this.tiers.get(tier)?.size ?? 0;
  }

  private apply(policy: TierPolicy, key: string, cost: number): LimitResult {
    const now = this.now();
    const windowMs = policy.windowSeconds * 1000;
    const window = Math.floor(now / windowMs);
    const resetAt = (window + 1) * windowMs;

    let entries = this.tiers.get(policy.name);
    if (entries === undefined) {
      entries = new Map();
      this.tiers.set(policy.name, entries);
    }
    const stored = entries.get(key);
    const entry = rolled(stored, window);

    // The previous window counts in proportion to how much of it the sliding window still covers.
    const weightedPrevious = Math.floor((1 - (now % windowMs) / windowMs) * entry.previous);
    const used = weightedPrevious + entry.current;

    if (cost > 0 && used + cost > policy.limit) {
      if (stored !== undefined) this.touch(entries, key, entry);
      return { allowed: false, limit: policy.limit, remaining: 0, resetAt };
    }
    // A refund never takes a window below zero, so it cannot buy extra requests later.
    entry.current = Math.max(0, entry.current + cost);
    this.touch(entries, key, entry);
    return { allowed: true, limit: policy.limit, remaining: Math.max(0, policy.limit - (weightedPrevious + entry.current)), resetAt };
  }

  /** Move `key` to the most-recently-used end, then enforce the bound. */
  private touch(entries: Map<string, WindowEntry>, key: string, entry: WindowEntry): void {
    entries.delete(key);
    entries.set(key, entry);
    this.evict(entries);
  }

  private evict(map: Map<string, unknown>): void {
    while (map.size > this.maxKeys) {
      // A Map iterates in insertion order, and `touch` re-inserts: the first key is the LRU one.
      const oldest = map.keys().next();
      if (oldest.done === true) return;
      map.delete(oldest.value);
    }
  }
}

/** The entry as of `window`: the current count becomes the previous one when a window passes. */
function rolled(entry: WindowEntry | undefined, window: number): WindowEntry {
  if (entry === undefined) return { window, current: 0, previous: 0 };
  if (entry.window === window) return entry;
  if (entry.window === window - 1) return { window, current: 0, previous: entry.current };
  return { window, current: 0, previous: 0 };
}
