/**
 * Client addresses for one run of the suite, and the clean-up of their rate-limit buckets.
 *
 * Every family speaks from its own addresses in this run's slice of the documentation and
 * benchmarking ranges (198.18.<run>.0/24, and 2001:db8:<run>::/48 for one fresh /64 per fuzz
 * case), so families never spend each other's budget, and a rerun or a parallel run never meets
 * this run's buckets in the shared Redis.
 */
import { deleteKeysMatching } from "../../support/redis-keys";

/** One IPv4 address of this run: family `n`'s address is 198.18.<run>.<n>. */
export function runAddress(run: number, n: number): string {
  return `198.18.${run}.${n}`;
}

/** A fresh IPv6 /64 per `n` (limits key IPv6 by /64), for requests that must each have their own bucket. */
export function runAddress6(run: number, n: number): string {
  return `2001:db8:${run.toString(16)}:${(n % 0x10000).toString(16)}::1`;
}

/** Removes this run's buckets and facts from Redis (the store keys them by address). */
export function forgetRunBuckets(url: string, run: number): Promise<void> {
  return deleteKeysMatching(url, [`palisade:*198.18.${run}.*`, `palisade:*2001:db8:${run.toString(16)}:*`]);
}
