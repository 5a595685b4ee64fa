/**
 * The in-memory store's bound must not become a reset button: a flood of made-up keys evicts
 * only cold entries, never the count of an account or address being guessed at.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { checkAuthAttempt, recordAuthFailure, type AuthAttemptOptions } from "@/lib/edge/rate-limit/auth-attempts";
import { edgeLogger } from "@/lib/edge/log";
import { DEFAULT_MEMORY_MAX_KEYS, MemoryRateLimitStore } from "@/lib/edge/rate-limit/memory-store";
import { policiesFrom, type TierPolicy } from "@/lib/edge/rate-limit/policy";
import { StoreUnavailableError } from "@/lib/edge/rate-limit/store";
import { parseEnv } from "@/lib/env";

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0) + 40_000;
const FLOOD = 20_000;
const VICTIM = "victim@example.com";
const GUESSER_IP = "203.0.113.66";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(NOW);
});
afterEach(() => {
  vi.useRealTimers();
});

function setup(): { options: AuthAttemptOptions; store: MemoryRateLimitStore } {
  const result = parseEnv({});
  if (!result.ok) throw new Error(result.problems.join("; "));
  const store = new MemoryRateLimitStore();
  const log = edgeLogger("trace-evict-0001", { level: "error", sink: () => {} });
  return { store, options: { store, policies: policiesFrom(result.env), knownAddressTtlSeconds: 0, log } };
}

/** A wrong password, as the login handler settles it; true when the attempt was checked at all. */
async function wrongPassword(options: AuthAttemptOptions, ip: string, email: string): Promise<boolean> {
  const attempt = await checkAuthAttempt({ ip, email }, options);
  if (!attempt.allowed) return false;
  await recordAuthFailure(attempt);
  return true;
}

/** A distinct IPv6 /64 per index: the unit the address tier keys on. */
const sixtyFour = (i: number) => `2001:db8:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}::1`;

async function guessesLeft(options: AuthAttemptOptions, ip: (n: number) => string, email: (n: number) => string): Promise<number> {
  let left = 0;
  while (left < 10 && (await wrongPassword(options, ip(left), email(left)))) left++;
  return left;
}

describe("in-memory store: a flood of distinct keys cannot reset a count", () => {
  it(`${FLOOD.toLocaleString("en")} made-up emails from as many /64s do not reset the failure count of an account being guessed`, async () => {
    const { options, store } = setup();
    for (let i = 0; i < 3; i++) expect(await wrongPassword(options, sixtyFour(1_000_000 + i), VICTIM)).toBe(true);
    for (let i = 0; i < FLOOD; i++) await wrongPassword(options, sixtyFour(i), `made-up-${i}@example.com`);

    expect(store.size("auth-account")).toBe(DEFAULT_MEMORY_MAX_KEYS);
    // 3 of 5 used before the flood: 2 left after it, not a fresh 5.
    expect(
      await guessesLeft(
        options,
        (n) => sixtyFour(2_000_000 + n),
        () => VICTIM,
      ),
    ).toBe(2);
  });

  it(`${FLOOD.toLocaleString("en")} fresh /64s do not reset the failure count of a guessing address`, async () => {
    const { options, store } = setup();
    for (let i = 0; i < 4; i++) expect(await wrongPassword(options, GUESSER_IP, `target-${i}@example.com`)).toBe(true);
    for (let i = 0; i < FLOOD; i++) await wrongPassword(options, sixtyFour(i), `made-up-${i}@example.com`);

    expect(store.size("auth-ip")).toBe(DEFAULT_MEMORY_MAX_KEYS);
    expect(
      await guessesLeft(
        options,
        () => GUESSER_IP,
        (n) => `next-${n}@example.com`,
      ),
    ).toBe(1);
  });

  it("a tier full of keys over half their limit refuses a new key (the sign-in tiers then fail closed) and drops none", async () => {
    const store = new MemoryRateLimitStore({ maxKeys: 100 });
    const policy: TierPolicy = { name: "auth-account", limit: 5, windowSeconds: 900, failMode: "closed" };
    for (let k = 0; k < 100; k++) for (let i = 0; i < 3; i++) await store.hit(policy, `hot-${k}`);

    await expect(store.hit(policy, "newcomer")).rejects.toEqual(new StoreUnavailableError("full"));
    expect(store.size("auth-account")).toBe(100);
    for (let k = 0; k < 100; k++) expect((await store.hit(policy, `hot-${k}`, 0)).remaining).toBe(2);
  });

  it("a sign-in attempt under a full account tier is a 503, never a fresh budget", async () => {
    const { options } = setup();
    const hot = new MemoryRateLimitStore({ maxKeys: 100 });
    const full: AuthAttemptOptions = { ...options, store: hot };
    for (let k = 0; k < 100; k++) for (let i = 0; i < 3; i++) await wrongPassword(full, sixtyFour(k * 10 + i), `hot-${k}@example.com`);

    const attempt = await checkAuthAttempt({ ip: sixtyFour(9_999), email: "newcomer@example.com" }, full);
    expect(attempt.allowed).toBe(false);
    expect(attempt.decision.outcome).toBe("unavailable");
  });

  it("keys whose window has passed are cold again and make room", async () => {
    const store = new MemoryRateLimitStore({ maxKeys: 100 });
    const policy: TierPolicy = { name: "auth-account", limit: 5, windowSeconds: 900, failMode: "closed" };
    for (let k = 0; k < 100; k++) for (let i = 0; i < 5; i++) await store.hit(policy, `hot-${k}`);
    vi.setSystemTime(NOW + 2 * 900_000);

    expect((await store.hit(policy, "newcomer")).allowed).toBe(true);
    expect(store.size("auth-account")).toBe(100);
  });

  it("a refund for a key it no longer holds takes no room", async () => {
    const store = new MemoryRateLimitStore({ maxKeys: 100 });
    const policy: TierPolicy = { name: "auth-ip", limit: 5, windowSeconds: 900, failMode: "closed" };
    for (let k = 0; k < 100; k++) for (let i = 0; i < 3; i++) await store.hit(policy, `hot-${k}`);

    expect((await store.hit(policy, "gone", -1)).allowed).toBe(true);
    expect(store.size("auth-ip")).toBe(100);
  });
});
