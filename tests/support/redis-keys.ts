/**
 * Removing a test run's keys from a shared Redis: suites that run app instances against the real
 * Redis key their rate-limit buckets by client address, and clean up the addresses they used.
 */
import Redis from "ioredis";

/** Deletes every key matching any of `patterns` (Redis glob syntax), scanning rather than KEYS. */
export async function deleteKeysMatching(url: string, patterns: readonly string[]): Promise<void> {
  const redis = new Redis(url);
  try {
    for (const pattern of patterns) {
      let cursor = "0";
      do {
        const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== "0");
    }
  } finally {
    await redis.quit();
  }
}
