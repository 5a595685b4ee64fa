/**
 * An in-memory rate-limit store for one process: local development, tests, and deployments that
 * acknowledge RATE_LIMIT_ALLOW_MEMORY_STORE=single-instance (each instance then enforces its own limits, so N
 * instances allow N times the limit; README "Known limitations").
 *
 * Threat: a limiter that keeps one entry per key can be made to keep unbounded entries. An
 * attacker varying the key (spoofed addresses where they are trusted, made-up email addresses for
 * the account tier) grows the map until the process runs out of memory.
 *
 * Defence: each tier keeps at most `maxKeys` entries (RATE_LIMIT_MEMORY_MAX_KEYS, default 10,000;
 * about 1 MB per tier), in a Map in least-recently-used order. Dropping an entry resets its count,
 * so eviction itself is a weapon: flood the account tier with made-up emails (or the address tier
 * with fresh IPv6 /64s) and a victim account's failure count falls out of the map, buying the
 * guesser a fresh budget. So eviction drops only *cold* keys, those at or under half their limit;
 * a key over half of it (an account being guessed at, an address near its quota) is never
 * dropped. A flood can therefore reset at most half a limit, and only for a key that was not
 * under attack yet. Each eviction looks at a bounded number of entries from the LRU end, moving
 * the hot ones it passes to the other end, so the cost per request stays constant. When the map is
 * full of hot keys, a new key is not admitted: its request is answered as the store being
 * unavailable ("full"), and the tier's failure policy applies (ADR 011: the sign-in tiers refuse
 * it, the others let it through and log it). No stored count is ever lost to make room.
 *
 * The algorithm is the same sliding-window approximation as the Upstash store's script
 * (./upstash-store.ts, @upstash/ratelimit's algorithm): the previous fixed window's count, weighted
 * by how much of it still overlaps the sliding window, plus the current window's count. So the two
 * stores agree on every limit.
 */
import type { LimitResult, TierPolicy } from "./policy";
import { StoreUnavailableError, type HitAnswer, type RateLimitStore, type StoreHit } from "./store";

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
/** Entries one eviction examines before it gives up on finding a cold one. */
const EVICTION_SCAN = 32;

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

  /**
   * Each hit as `hit` counts it, in order. Memory has no round trip to save; what matters is that
   * a tier full of hot keys is refused alone (ADR 017), not every tier of the request with it.
   */
  async hitEach(hits: readonly StoreHit[]): Promise<HitAnswer[]> {
    return hits.map(({ policy, key, cost = 1 }) => {
      try {
        return this.apply(policy, key, cost);
      } catch (error) {
        if (error instanceof StoreUnavailableError) return error;
        throw error;
      }
    });
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
    if (stored === undefined && cost <= 0) {
      // Nothing is counted for this key: a refund has nothing to take back, so it takes no room.
      return { allowed: true, limit: policy.limit, remaining: policy.limit, resetAt };
    }
    if (stored === undefined && entries.size >= this.maxKeys && !this.makeRoom(entries, policy, now)) {
      throw new StoreUnavailableError("full");
    }
    const entry = rolled(stored, window);
    const used = usedAt(entry, now, windowMs);

    if (cost > 0 && used + cost > policy.limit) {
      if (stored !== undefined) this.touch(entries, key, entry);
      return { allowed: false, limit: policy.limit, remaining: 0, resetAt };
    }
    // A refund never takes a window below zero, so it cannot buy extra requests later.
    entry.current = Math.max(0, entry.current + cost);
    this.touch(entries, key, entry);
    return { allowed: true, limit: policy.limit, remaining: Math.max(0, policy.limit - usedAt(entry, now, windowMs)), resetAt };
  }

  /** Move `key` to the most-recently-used end. */
  private touch(entries: Map<string, WindowEntry>, key: string, entry: WindowEntry): void {
    entries.delete(key);
    entries.set(key, entry);
  }

  /**
   * Drop one cold entry (at or under half the limit) from the least-recently-used end. Hot ones
   * passed on the way go to the other end, so the next search starts on entries not yet looked at.
   */
  private makeRoom(entries: Map<string, WindowEntry>, policy: TierPolicy, now: number): boolean {
    const windowMs = policy.windowSeconds * 1000;
    const window = Math.floor(now / windowMs);
    let examined = 0;
    for (const [key, entry] of entries) {
      if (examined++ >= EVICTION_SCAN) return false;
      entries.delete(key);
      if (2 * usedAt(rolled(entry, window), now, windowMs) <= policy.limit) return true;
      entries.set(key, entry);
    }
    return false;
  }

  private evict(map: Map<string, unknown>): void {
    while (map.size > this.maxKeys) {
      // A Map iterates in insertion order, and writes re-insert: the first key is the LRU one.
      const oldest = map.keys().next();
      if (oldest.done === true) return;
      map.delete(oldest.value);
    }
  }
}

/** The sliding window's count: the previous window weighted by how much of it still overlaps. */
function usedAt(entry: WindowEntry, now: number, windowMs: number): number {
  return Math.floor((1 - (now % windowMs) / windowMs) * entry.previous) + entry.current;
}

/** The entry as of `window`: the current count becomes the previous one when a window passes. */
function rolled(entry: WindowEntry | undefined, window: number): WindowEntry {
  if (entry === undefined) return { window, current: 0, previous: 0 };
  if (entry.window === window) return entry;
  if (entry.window === window - 1) return { window, current: 0, previous: entry.current };
  return { window, current: 0, previous: 0 };
}
