import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  accountKey,
  authAttemptRefusal,
  checkAuthAttempt,
  normaliseEmail,
  recordAuthFailure,
  recordAuthSuccess,
  type AuthAttemptOptions,
} from "@/lib/edge/rate-limit/auth-attempts";
import { edgeLogger } from "@/lib/edge/log";
import { MemoryRateLimitStore } from "@/lib/edge/rate-limit/memory-store";
import { policiesFrom } from "@/lib/edge/rate-limit/policy";
import { StoreUnavailableError, type RateLimitStore } from "@/lib/edge/rate-limit/store";
import { parseEnv } from "@/lib/env";

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0) + 40_000;
const VICTIM = "victim@example.com";
const ATTACKER_IP = "203.0.113.66";
const USER_IP = "198.51.100.20";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(NOW);
});
afterEach(() => {
  vi.useRealTimers();
});

function setup(vars: Record<string, string> = {}): { options: AuthAttemptOptions; store: MemoryRateLimitStore; lines: string[] } {
  const result = parseEnv(vars);
  if (!result.ok) throw new Error(result.problems.join("; "));
  const store = new MemoryRateLimitStore();
  const lines: string[] = [];
  const log = edgeLogger("trace-auth-0001", { level: "debug", sink: (_level, line) => lines.push(line) });
  return { store, lines, options: { store, policies: policiesFrom(result.env), knownAddressTtlSeconds: result.env.RATE_LIMIT_AUTH_KNOWN_ADDRESS_TTL, log } };
}

/** One sign-in as the handler does it: check, then settle with the password's verdict. */
async function signIn(options: AuthAttemptOptions, ip: string | null, email: string, passwordOk: boolean): Promise<"ok" | "wrong" | number> {
  const attempt = await checkAuthAttempt({ ip, email }, options);
  if (!attempt.allowed) return authAttemptRefusal(attempt, "trace").status;
  if (passwordOk) {
    await recordAuthSuccess(attempt);
    return "ok";
  }
  await recordAuthFailure(attempt);
  return "wrong";
}

describe("auth tier: failures per address", () => {
  it("refuses the 6th attempt after 5 failures from one address, with Retry-After and RateLimit fields", async () => {
    const { options } = setup();
    for (let i = 0; i < 5; i++) expect(await signIn(options, ATTACKER_IP, `user${i}@example.com`, false)).toBe("wrong");
    const attempt = await checkAuthAttempt({ ip: ATTACKER_IP, email: "someone@example.com" }, options);
    expect(attempt.allowed).toBe(false);
    const response = authAttemptRefusal(attempt, "trace-auth-0002");
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("860");
    expect(response.headers.get("ratelimit-policy")).toContain('"auth-ip";q=5;w=900');
    expect(response.headers.get("ratelimit")).toContain('"auth-ip";r=0;t=860');
    expect(await response.json()).toMatchObject({ status: 429, requestId: "trace-auth-0002", "violated-policies": ["auth-ip"] });
  });

  it("does not count successful sign-ins: 100 successes, then 5 failures still allowed", async () => {
    const { options } = setup();
    for (let i = 0; i < 100; i++) expect(await signIn(options, USER_IP, VICTIM, true)).toBe("ok");
    for (let i = 0; i < 5; i++) expect(await signIn(options, USER_IP, VICTIM, false)).toBe("wrong");
    expect(await signIn(options, USER_IP, VICTIM, true)).toBe(429);
  });

  it("does not let a success reset the failures (an attacker cannot launder guesses with their own account)", async () => {
    const { options } = setup();
    for (let i = 0; i < 4; i++) await signIn(options, ATTACKER_IP, VICTIM, false);
    expect(await signIn(options, ATTACKER_IP, "attacker@example.com", true)).toBe("ok");
    expect(await signIn(options, ATTACKER_IP, VICTIM, false)).toBe("wrong");
    expect(await signIn(options, ATTACKER_IP, VICTIM, false)).toBe(429);
  });

  it("cannot be raced: 20 parallel guesses from one address get 5 password checks", async () => {
    const { options } = setup();
    const attempts = await Promise.all(Array.from({ length: 20 }, (_, i) => checkAuthAttempt({ ip: ATTACKER_IP, email: `u${i}@example.com` }, options)));
    expect(attempts.filter((attempt) => attempt.allowed)).toHaveLength(5);
  });

  it("counts an attempt the handler never settles (it crashed) as a failure, not a free guess", async () => {
    const { options } = setup();
    for (let i = 0; i < 5; i++) await checkAuthAttempt({ ip: ATTACKER_IP, email: VICTIM }, options);
    expect((await checkAuthAttempt({ ip: ATTACKER_IP, email: VICTIM }, options)).allowed).toBe(false);
  });

  it("refunds a success once, however many times it is recorded", async () => {
    const { options } = setup();
    for (let i = 0; i < 4; i++) await signIn(options, USER_IP, VICTIM, false);
    const attempt = await checkAuthAttempt({ ip: USER_IP, email: VICTIM }, options);
    for (let i = 0; i < 10; i++) await recordAuthSuccess(attempt);
    // 4 failures stand; one more is allowed, then the limit.
    expect(await signIn(options, USER_IP, VICTIM, false)).toBe("wrong");
    expect(await signIn(options, USER_IP, VICTIM, false)).toBe(429);
  });

  it("lets the address try again once the window has passed", async () => {
    const { options } = setup();
    for (let i = 0; i < 5; i++) await signIn(options, ATTACKER_IP, VICTIM, false);
    vi.setSystemTime(NOW + 30 * 60_000);
    expect(await signIn(options, ATTACKER_IP, VICTIM, false)).toBe("wrong");
  });
});

describe("auth tier: failures per account", () => {
  const sprayIp = (i: number) => `203.0.${Math.floor(i / 250)}.${(i % 250) + 1}`;

  it("stops an attacker spraying one account from many addresses after 5 failures in total", async () => {
    const { options } = setup();
    const results: (string | number)[] = [];
    for (let i = 0; i < 50; i++) results.push(await signIn(options, sprayIp(i), VICTIM, false));
    expect(results.filter((result) => result === "wrong")).toHaveLength(5);
    expect(results.slice(5).every((result) => result === 429)).toBe(true);
  });

  it("keys the account on the normalised address, so case and spaces do not make a fresh bucket", async () => {
    const { options } = setup();
    const variants = ["victim@example.com", "Victim@Example.com", " VICTIM@EXAMPLE.COM ", "victim@example.com\u0020"];
    for (let i = 0; i < 5; i++) await signIn(options, sprayIp(i), variants[i % variants.length] as string, false);
    expect(await signIn(options, sprayIp(99), "ViCtIm@eXaMpLe.CoM", false)).toBe(429);
    expect(await accountKey("Victim@Example.com")).toBe(await accountKey("victim@example.com"));
    expect(normaliseEmail(" Ｖictim@example.com ")).toBe("victim@example.com");
  });

  it("keeps the real user signing in from their usual address while the account is being sprayed", async () => {
    const { options } = setup();
    expect(await signIn(options, USER_IP, VICTIM, true)).toBe("ok");
    for (let i = 0; i < 50; i++) await signIn(options, sprayIp(i), VICTIM, false);
    expect(await signIn(options, sprayIp(51), VICTIM, true)).toBe(429);
    expect(await signIn(options, USER_IP, VICTIM, true)).toBe("ok");
  });

  it("still limits the real user's own address to 5 failures, even though it is known", async () => {
    const { options } = setup();
    await signIn(options, USER_IP, VICTIM, true);
    for (let i = 0; i < 5; i++) expect(await signIn(options, USER_IP, VICTIM, false)).toBe("wrong");
    expect(await signIn(options, USER_IP, VICTIM, true)).toBe(429);
  });

  it("does not lock the account for ever: a new address gets in once the attack's failures age out", async () => {
    const { options } = setup();
    for (let i = 0; i < 10; i++) await signIn(options, sprayIp(i), VICTIM, false);
    const newAddress = "192.0.2.200";
    expect(await signIn(options, newAddress, VICTIM, true)).toBe(429);
    vi.setSystemTime(NOW + 30 * 60_000);
    expect(await signIn(options, newAddress, VICTIM, true)).toBe("ok");
  });

  it("does not charge the address for an attempt the account tier refused", async () => {
    const { options } = setup();
    for (let i = 0; i < 5; i++) await signIn(options, sprayIp(i), VICTIM, false);
    // The real user on a new network is refused 10 times by the account lock...
    for (let i = 0; i < 10; i++) expect(await signIn(options, "192.0.2.202", VICTIM, true)).toBe(429);
    // ...but their address has spent nothing: other accounts still get all 5 attempts.
    for (let i = 0; i < 5; i++) expect(await signIn(options, "192.0.2.202", `other${i}@example.com`, false)).toBe("wrong");
  });

  it("never treats an unknown address as known (it is shared by every client)", async () => {
    const { options } = setup();
    expect(await signIn(options, null, VICTIM, true)).toBe("ok");
    for (let i = 0; i < 5; i++) await signIn(options, sprayIp(i), VICTIM, false);
    expect(await signIn(options, null, VICTIM, true)).toBe(429);
  });

  it("can switch the known-address exemption off (RATE_LIMIT_AUTH_KNOWN_ADDRESS_TTL=0)", async () => {
    const { options } = setup({ RATE_LIMIT_AUTH_KNOWN_ADDRESS_TTL: "0" });
    await signIn(options, USER_IP, VICTIM, true);
    for (let i = 0; i < 5; i++) await signIn(options, sprayIp(i), VICTIM, false);
    expect(await signIn(options, USER_IP, VICTIM, true)).toBe(429);
  });

  it("forgets a known address after its time is up", async () => {
    const { options } = setup({ RATE_LIMIT_AUTH_KNOWN_ADDRESS_TTL: "3600" });
    await signIn(options, USER_IP, VICTIM, true);
    vi.setSystemTime(NOW + 2 * 3600_000);
    for (let i = 0; i < 5; i++) await signIn(options, sprayIp(i), VICTIM, false);
    expect(await signIn(options, USER_IP, VICTIM, true)).toBe(429);
  });
});

describe("auth tier: privacy", () => {
  it("never writes the email address to the store or the log", async () => {
    const { options, store, lines } = setup();
    const spy = vi.spyOn(store, "hit");
    for (let i = 0; i < 7; i++) await signIn(options, ATTACKER_IP, VICTIM, false);
    const keys = spy.mock.calls.map(([, key]) => key);
    expect(keys.some((key) => key.includes("victim"))).toBe(false);
    expect(keys).toContain(await accountKey(VICTIM));
    expect(lines.join("\n")).not.toContain("victim");
    expect(lines.length).toBeGreaterThan(0);
  });
});

describe("auth tier: store down fails closed", () => {
  const down: RateLimitStore = {
    kind: "upstash",
    hit: async () => {
      throw new StoreUnavailableError("timeout");
    },
    remember: async () => {
      throw new StoreUnavailableError("error");
    },
    recall: async () => {
      throw new StoreUnavailableError("error");
    },
  };

  it("refuses the attempt with 503 and Retry-After, without checking the password, and logs an error", async () => {
    const { options, lines } = setup();
    const attempt = await checkAuthAttempt({ ip: USER_IP, email: VICTIM }, { ...options, store: down });
    expect(attempt.allowed).toBe(false);
    const response = authAttemptRefusal(attempt, "trace-auth-0003");
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("10");
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged).toContainEqual(expect.objectContaining({ level: 50, tier: "auth-ip", failMode: "closed", requestId: "trace-auth-0001" }));
  });

  it("fails closed on the account tier too, when only its call fails", async () => {
    const { options, store } = setup();
    let calls = 0;
    const flaky: RateLimitStore = {
      kind: "upstash",
      hit: async (policy, key, cost) => {
        calls++;
        if (policy.name === "auth-account") throw new StoreUnavailableError("error");
        return store.hit(policy, key, cost);
      },
      remember: (key, ttl) => store.remember(key, ttl),
      recall: (key) => store.recall(key),
    };
    const attempt = await checkAuthAttempt({ ip: USER_IP, email: VICTIM }, { ...options, store: flaky });
    expect(attempt.decision.outcome).toBe("unavailable");
    // The address's reservation was given back: the outage cost the client nothing.
    expect(calls).toBe(3);
  });
});
