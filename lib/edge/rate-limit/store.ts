/**
 * What a rate-limit store does. Two implementations: Upstash Redis over HTTP, shared by every
 * instance (./upstash-store.ts), and a bounded in-memory store for one process (./memory-store.ts).
 * Both use the same sliding-window approximation, so a limit behaves the same on either.
 */
import type { LimitResult, TierPolicy } from "./policy";

export interface RateLimitStore {
  readonly kind: "upstash" | "memory";
  /**
   * Count `cost` against `key` (default 1; a negative cost refunds). A positive cost is never
   * counted past the limit: a refused request does not push the reset further out.
   */
  hit(policy: TierPolicy, key: string, cost?: number): Promise<LimitResult>;
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
