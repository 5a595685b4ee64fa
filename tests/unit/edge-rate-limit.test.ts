import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { edgeLogger } from "@/lib/edge/log";
import { countTiers } from "@/lib/edge/rate-limit/limiter";
import { MemoryRateLimitStore } from "@/lib/edge/rate-limit/memory-store";
import { decide, policiesFrom, refreshTokenId, type LimitResult, type TierOutcome, type TierPolicy } from "@/lib/edge/rate-limit/policy";
import { oneCallPerTier, StoreUnavailableError, type HitAnswer, type RateLimitStore, type StoreHit } from "@/lib/edge/rate-limit/store";
import { parseEnv } from "@/lib/env";
import { accessCookie, edgeHarness, passedThrough } from "../support/edge-harness";

// A fixed clock 40 s into a 15-minute window, so every reset below is exact.
const WINDOW_START = Date.UTC(2026, 0, 1, 12, 0, 0);
const NOW = WINDOW_START + 40_000;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(NOW);
});
afterEach(() => {
  vi.useRealTimers();
});

function defaults() {
  const result = parseEnv({});
  if (!result.ok) throw new Error("defaults must parse");
  return policiesFrom(result.env);
}

/** Parse `"name";r=1;t=2, "other";r=3;t=4` into { name: { r, t } }. */
function parseItems(value: string | null): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const item of (value ?? "")
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)) {
    const [name, ...params] = item.split(";");
    out[JSON.parse(name as string) as string] = Object.fromEntries(params.map((param) => param.split("=")).map(([k, v]) => [k, Number(v)]));
  }
  return out;
}

describe("rate-limit defaults: the source article's numbers, with its global 100 kept for what costs a hash (ADR 019)", () => {
  it("global 3,000 per 15 min, credential 100 per 15 min, auth 5 failures per 15 min per address and per account, user 30 per minute", () => {
    const policies = defaults();
    expect(policies.global).toMatchObject({ limit: 3000, windowSeconds: 900, failMode: "open" });
    expect(policies.credential).toMatchObject({ limit: 100, windowSeconds: 900, failMode: "open" });
    expect(policies["auth-ip"]).toMatchObject({ limit: 5, windowSeconds: 900, failMode: "closed" });
    expect(policies["auth-account"]).toMatchObject({ limit: 5, windowSeconds: 900, failMode: "closed" });
    expect(policies.user).toMatchObject({ limit: 30, windowSeconds: 60, failMode: "open" });
    expect(policies.refresh).toMatchObject({ limit: 10, windowSeconds: 900, failMode: "open" });
  });

  it("takes every number from RATE_LIMIT_* variables", () => {
    const result = parseEnv({ RATE_LIMIT_GLOBAL_MAX: "7", RATE_LIMIT_GLOBAL_WINDOW: "60", RATE_LIMIT_USER_MAX: "3", RATE_LIMIT_AUTH_ACCOUNT_MAX: "9" });
    expect(result.ok).toBe(true);
    if (result.ok) {
      const policies = policiesFrom(result.env);
      expect(policies.global).toMatchObject({ limit: 7, windowSeconds: 60 });
      expect(policies.user.limit).toBe(3);
      expect(policies["auth-account"].limit).toBe(9);
    }
  });

  it.each([["0"], ["-1"], ["1.5"], ["lots"]])("refuses RATE_LIMIT_GLOBAL_MAX=%s at boot", (value) => {
    const result = parseEnv({ RATE_LIMIT_GLOBAL_MAX: value });
    expect(result.ok).toBe(false);
  });
});

describe("global tier through the middleware", () => {
  const Q = 5;

  it("answers the first 429 at request q+1, with RateLimit fields and Retry-After", async () => {
    const edge = edgeHarness({ env: { RATE_LIMIT_GLOBAL_MAX: String(Q) } });
    for (let i = 1; i <= Q; i++) {
      const response = await edge.run("/api/health");
      expect(response.status, `request ${i}`).not.toBe(429);
      expect(parseItems(response.headers.get("ratelimit")).global).toEqual({ r: Q - i, t: 860 });
    }
    const limited = await edge.run("/api/health");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("ratelimit-policy")).toBe(`"global";q=${Q};w=900`);
    expect(parseItems(limited.headers.get("ratelimit")).global).toEqual({ r: 0, t: 860 });
    expect(limited.headers.get("retry-after")).toBe("860");
    expect(limited.headers.get("content-type")).toBe("application/problem+json");
    const body = await limited.json();
    expect(body).toMatchObject({ status: 429, title: "Too many requests", "violated-policies": ["global"] });
  });

  it("sends no legacy X-RateLimit-* headers", async () => {
    const response = await edgeHarness().run("/api/health");
    expect([...response.headers.keys()].filter((name) => name.startsWith("x-ratelimit"))).toEqual([]);
    expect(response.headers.get("ratelimit-policy")).toBe('"global";q=3000;w=900');
  });

  it("lets requests through again once the window has slid past", async () => {
    const edge = edgeHarness({ env: { RATE_LIMIT_GLOBAL_MAX: "2", RATE_LIMIT_GLOBAL_WINDOW: "60" } });
    await edge.run("/");
    await edge.run("/");
    expect((await edge.run("/")).status).toBe(429);
    // Two windows later, nothing of the old counts remains.
    vi.setSystemTime(NOW + 120_000);
    expect(passedThrough(await edge.run("/"))).toBe(true);
  });

  it("does not count a refused request, so hammering does not push the reset further out", async () => {
    const store = new MemoryRateLimitStore({ now: () => Date.now() });
    const policy: TierPolicy = { name: "global", limit: 1, windowSeconds: 60, failMode: "open" };
    await store.hit(policy, "k");
    for (let i = 0; i < 50; i++) expect((await store.hit(policy, "k")).allowed).toBe(false);
    vi.setSystemTime(NOW + 120_000);
    expect((await store.hit(policy, "k")).allowed).toBe(true);
  });
});

describe("per-user tier", () => {
  const env = { RATE_LIMIT_USER_MAX: "3" };

  it("keys on the verified user ID: two users behind one address have separate buckets", async () => {
    const edge = edgeHarness({ env });
    for (let i = 0; i < 3; i++) await edge.run("/api/me", { headers: { cookie: accessCookie("valid.alice") } });
    expect((await edge.run("/api/me", { headers: { cookie: accessCookie("valid.alice") } })).status).toBe(429);
    expect(passedThrough(await edge.run("/api/me", { headers: { cookie: accessCookie("valid.bob") } }))).toBe(true);
  });

  it("follows the user across addresses: changing IP does not reset their bucket", async () => {
    const edge = edgeHarness({ env: { ...env, TRUSTED_PROXY: "1" } });
    for (let i = 0; i < 3; i++) {
      await edge.run("/api/me", { headers: { authorization: "Bearer valid.alice", "x-forwarded-for": `198.51.100.${i}` } });
    }
    const response = await edge.run("/api/me", { headers: { authorization: "Bearer valid.alice", "x-forwarded-for": "203.0.113.1" } });
    expect(response.status).toBe(429);
  });

  it("keys on the address when the token does not verify, so a forged token cannot choose a bucket", async () => {
    const edge = edgeHarness({ env });
    for (let i = 0; i < 3; i++) await edge.run("/api/me", { headers: { authorization: `Bearer forged-${i}` } });
    const response = await edge.run("/api/me", { headers: { authorization: "Bearer forged-again" } });
    expect(response.status).toBe(429);
  });

  it("applies only to protected API routes", async () => {
    const edge = edgeHarness({ env });
    const response = await edge.run("/api/health");
    expect(response.headers.get("ratelimit-policy")).not.toContain('"user"');
    const page = await edge.run("/");
    expect(page.headers.get("ratelimit-policy")).toBe('"global";q=3000;w=900');
  });
});

describe("what the global tier counts", () => {
  const Q = 3;
  const prefetch = { rsc: "1", "next-router-prefetch": "1", "next-router-state-tree": "%5B%22%22%5D" };

  it("a flood dressed as link prefetches is still refused: the edge cannot tell a real prefetch from a forged one", async () => {
    const edge = edgeHarness({ env: { RATE_LIMIT_GLOBAL_MAX: String(Q) } });
    for (let i = 0; i < Q; i++) expect((await edge.run("/notes", { headers: prefetch })).status).not.toBe(429);
    const limited = await edge.run("/notes", { headers: prefetch });
    expect(limited.status).toBe(429);
    expect(await limited.json()).toMatchObject({ "violated-policies": ["global"] });
  });

  it("a read of the app's own icon files is not counted, so a browser revalidating them costs nothing", async () => {
    const edge = edgeHarness({ env: { RATE_LIMIT_GLOBAL_MAX: String(Q) } });
    for (let i = 0; i < 50; i++) {
      for (const [path, method] of [
        ["/icon.svg", "GET"],
        ["/favicon.ico", "GET"],
        ["/icon.svg", "HEAD"],
      ] as const) {
        const response = await edge.run(path, { method });
        expect(passedThrough(response), `${method} ${path} #${i}`).toBe(true);
        expect(response.headers.get("ratelimit-policy")).toBeNull();
      }
    }
    for (let i = 0; i < Q; i++) expect((await edge.run("/")).status).not.toBe(429);
    expect((await edge.run("/")).status).toBe(429);
  });

  it.each([
    ["a look-alike path", "GET", "/icon.svg/x"],
    ["a doubled slash", "GET", "//icon.svg"],
    ["an encoded dot", "GET", "/icon%2Esvg"],
    ["another case", "GET", "/ICON.SVG"],
    ["a made-up icon", "GET", "/apple-icon.png"],
    ["a POST to the icon", "POST", "/icon.svg"],
  ])("the exemption is exact: %s is counted", async (_what, method, path) => {
    const edge = edgeHarness({ env: { RATE_LIMIT_GLOBAL_MAX: String(Q) } });
    const headers = { "sec-fetch-site": "same-origin", "content-type": "application/json" };
    for (let i = 0; i < Q; i++) await edge.run(path, { method, headers });
    const limited = await edge.run(path, { method, headers });
    expect(limited.status).toBe(429);
  });

  it("every icon file exempted exists in app/, so the list cannot exempt a path that renders a page", async () => {
    const { STATIC_METADATA_FILES } = await import("@/lib/edge/routes");
    const { existsSync } = await import("node:fs");
    for (const file of STATIC_METADATA_FILES) expect(existsSync(`app${file}`), file).toBe(true);
  });
});

describe("credential tier", () => {
  const Q = 3;
  const json = { "sec-fetch-site": "same-origin", "content-type": "application/json" };

  it.each([["/api/auth/register"], ["/api/auth/login"], ["/api/auth/oauth/link"]])(
    "POST %s is counted per address, so a raised global tier does not let one address make the server hash at will",
    async (path) => {
      const edge = edgeHarness({ env: { RATE_LIMIT_CREDENTIAL_MAX: String(Q) } });
      for (let i = 0; i < Q; i++) expect((await edge.run(path, { method: "POST", headers: json })).status).not.toBe(429);
      const limited = await edge.run(path, { method: "POST", headers: json });
      expect(limited.status).toBe(429);
      expect(limited.headers.get("ratelimit-policy")).toBe(`"global";q=3000;w=900, "credential";q=${Q};w=900`);
      expect(await limited.json()).toMatchObject({ "violated-policies": ["credential"] });
    },
  );

  it("the client-credentials grant shares the bucket: sign-ups and token requests from one address add up", async () => {
    const edge = edgeHarness({ env: { RATE_LIMIT_CREDENTIAL_MAX: String(Q) } });
    await edge.run("/api/auth/register", { method: "POST", headers: json });
    await edge.run("/api/auth/login", { method: "POST", headers: json });
    await edge.run("/api/oauth/token", { method: "POST", headers: { ...json, "content-type": "application/x-www-form-urlencoded" } });
    expect((await edge.run("/api/oauth/token", { method: "POST", headers: { ...json, "content-type": "application/x-www-form-urlencoded" } })).status).toBe(
      429,
    );
  });

  it("keys on the address: another address has its own bucket", async () => {
    const edge = edgeHarness({ env: { RATE_LIMIT_CREDENTIAL_MAX: "1", TRUSTED_PROXY: "1" } });
    await edge.run("/api/auth/login", { method: "POST", headers: { ...json, "x-forwarded-for": "198.51.100.1" } });
    expect((await edge.run("/api/auth/login", { method: "POST", headers: { ...json, "x-forwarded-for": "198.51.100.1" } })).status).toBe(429);
    expect((await edge.run("/api/auth/login", { method: "POST", headers: { ...json, "x-forwarded-for": "198.51.100.2" } })).status).not.toBe(429);
  });

  it("does not count pages or routes that hash nothing", async () => {
    const edge = edgeHarness({ env: { RATE_LIMIT_CREDENTIAL_MAX: "1" } });
    for (const path of ["/signin", "/api/health", "/api/auth/csrf"]) {
      expect((await edge.run(path)).headers.get("ratelimit-policy")).not.toContain('"credential"');
    }
    expect((await edge.run("/api/auth/logout", { method: "POST", headers: json })).headers.get("ratelimit-policy")).not.toContain('"credential"');
  });
});

describe("refresh tier", () => {
  const token = (id: string) => `__Secure-palisade-rt=${id}.${"s".repeat(43)}`;

  it("keys on the refresh token's id, so one token cannot be hammered", async () => {
    const edge = edgeHarness({ env: { RATE_LIMIT_REFRESH_MAX: "2" } });
    const headers = { cookie: token("A".repeat(22)), "sec-fetch-site": "same-origin" };
    await edge.run("/api/auth/refresh", { method: "POST", headers });
    await edge.run("/api/auth/refresh", { method: "POST", headers });
    const limited = await edge.run("/api/auth/refresh", { method: "POST", headers });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).not.toBeNull();
    const other = await edge.run("/api/auth/refresh", { method: "POST", headers: { ...headers, cookie: token("B".repeat(22)) } });
    expect(passedThrough(other)).toBe(true);
  });

  it("keys a missing or malformed cookie on the address instead of a crafted key", () => {
    expect(refreshTokenId(undefined)).toBeNull();
    expect(refreshTokenId("../../etc:passwd.x")).toBeNull();
    expect(refreshTokenId(`${"A".repeat(22)}.${"b".repeat(43)}`)).toBe("A".repeat(22));
  });
});

describe("Retry-After and the RateLimit fields", () => {
  const policy: TierPolicy = { name: "global", limit: 10, windowSeconds: 900, failMode: "open" };

  it("never points earlier than any refusing tier's reset", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 900_000 })), { minLength: 1, maxLength: 4 }), (tiers) => {
        const outcomes: TierOutcome[] = tiers.map(([allowed, inMs], i) => ({
          policy: { ...policy, name: i % 2 === 0 ? "global" : "user" },
          key: `k${i}`,
          status: "counted",
          result: { allowed, limit: 10, remaining: allowed ? 3 : 0, resetAt: NOW + inMs },
        }));
        const decision = decide(outcomes, NOW);
        for (const outcome of outcomes) {
          if (outcome.status === "counted" && !outcome.result.allowed) {
            expect(decision.outcome).toBe("limited");
            expect(Number(decision.headers.get("retry-after")) * 1000).toBeGreaterThanOrEqual(outcome.result.resetAt - NOW);
          }
        }
      }),
    );
  });

  it("formats both fields as structured-field lists (draft-ietf-httpapi-ratelimit-headers)", () => {
    const decision = decide(
      [
        { policy, key: "a", status: "counted", result: { allowed: true, limit: 10, remaining: 7, resetAt: NOW + 1500 } },
        {
          policy: { ...policy, name: "user", limit: 30, windowSeconds: 60 },
          key: "b",
          status: "counted",
          result: { allowed: true, limit: 30, remaining: 29, resetAt: NOW + 20_000 },
        },
      ],
      NOW,
    );
    expect(decision.headers.get("ratelimit-policy")).toBe('"global";q=10;w=900, "user";q=30;w=60');
    expect(decision.headers.get("ratelimit")).toBe('"global";r=7;t=2, "user";r=29;t=20');
  });
});

describe("in-memory store", () => {
  const policy: TierPolicy = { name: "global", limit: 3, windowSeconds: 60, failMode: "open" };

  it("stays bounded under a flood of distinct keys (spoofed addresses cannot exhaust memory)", async () => {
    const store = new MemoryRateLimitStore({ maxKeys: 100 });
    for (let i = 0; i < 5_000; i++) await store.hit(policy, `ip:flood-${i}`);
    expect(store.size("global")).toBe(100);
  });

  it("evicts the least recently used key first, keeping an active client's count", async () => {
    const store = new MemoryRateLimitStore({ maxKeys: 100 });
    const roomy: TierPolicy = { ...policy, limit: 1_000 };
    let activeHits = 0;
    for (let i = 0; i < 500; i++) {
      await store.hit(roomy, `ip:flood-${i}`);
      if (i % 50 === 0) {
        await store.hit(roomy, "active");
        activeHits++;
      }
    }
    expect((await store.hit(roomy, "active")).remaining).toBe(1_000 - activeHits - 1);
  });

  it("never refunds below zero, so refunds cannot bank extra requests", async () => {
    const store = new MemoryRateLimitStore();
    for (let i = 0; i < 10; i++) await store.hit(policy, "k", -1);
    for (let i = 0; i < 3; i++) expect((await store.hit(policy, "k")).allowed).toBe(true);
    expect((await store.hit(policy, "k")).allowed).toBe(false);
  });

  it("forgets remembered facts when their time is up", async () => {
    const store = new MemoryRateLimitStore();
    await store.remember("fact", 60);
    expect(await store.recall("fact")).toBe(true);
    vi.setSystemTime(NOW + 61_000);
    expect(await store.recall("fact")).toBe(false);
  });
});

/** A store that is down, asked tier by tier: every call fails as a refused connection would. */
class DownStore implements RateLimitStore {
  readonly kind = "upstash" as const;
  calls = 0;
  private fail(): never {
    this.calls++;
    throw new StoreUnavailableError("error", { cause: new Error("connect ECONNREFUSED 127.0.0.1:1") });
  }
  async hit(): Promise<never> {
    return this.fail();
  }
  async remember(): Promise<never> {
    return this.fail();
  }
  async recall(): Promise<never> {
    return this.fail();
  }
}

describe("store down at the edge: the edge tiers fail open, and say so", () => {
  it("lets requests through, with the policy but no made-up RateLimit state", async () => {
    const store = new DownStore();
    const edge = edgeHarness({ store });
    const response = await edge.run("/api/me", { headers: { cookie: accessCookie("valid.alice"), "x-request-id": "trace-down-0001" } });
    expect(passedThrough(response)).toBe(true);
    expect(store.calls).toBe(2);
    expect(response.headers.get("ratelimit-policy")).toBe('"global";q=3000;w=900, "user";q=30;w=60');
    expect(response.headers.get("ratelimit")).toBeNull();
  });

  it("logs a warning per tier with the request ID and the failure policy", async () => {
    const edge = edgeHarness({ store: new DownStore() });
    await edge.run("/", { headers: { "x-request-id": "trace-down-0002" } });
    expect(edge.logs).toEqual([
      {
        level: "warn",
        entry: expect.objectContaining({
          requestId: "trace-down-0002",
          tier: "global",
          failMode: "open",
          msg: "rate-limit store unavailable; allowing (fail open)",
        }),
      },
    ]);
  });

  it("still enforces everything else while the store is down (the gate, CSRF)", async () => {
    const edge = edgeHarness({ store: new DownStore() });
    expect((await edge.run("/api/me")).status).toBe(401);
    expect((await edge.run("/api/me", { method: "DELETE", headers: { cookie: accessCookie("valid.a"), "sec-fetch-site": "cross-site" } })).status).toBe(403);
  });
});

describe("store down or too slow at the edge, with this instance's own count to fall back on", () => {
  it("a saturated or cut-off store does not lift the limit: the open tiers are counted in memory and refuse past it", async () => {
    const edge = edgeHarness({ store: new DownStore(), fallbackStore: new MemoryRateLimitStore(), env: { RATE_LIMIT_GLOBAL_MAX: "3" } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await edge.run("/", { headers: { "x-request-id": `trace-over-000${i}` } })).status);
    expect(statuses.slice(0, 3).every((status) => status !== 429)).toBe(true);
    expect(statuses.slice(3)).toEqual([429, 429]);
  });

  it("says so in the log, per tier, as a fail-over rather than a fail-open", async () => {
    const edge = edgeHarness({ store: new DownStore(), fallbackStore: new MemoryRateLimitStore() });
    await edge.run("/", { headers: { "x-request-id": "trace-over-0009" } });
    expect(edge.logs).toEqual([
      {
        level: "warn",
        entry: expect.objectContaining({
          requestId: "trace-over-0009",
          tier: "global",
          failMode: "open",
          msg: "rate-limit store unavailable; counting in this instance (fail over)",
        }),
      },
    ]);
  });
});

/** A store that counts a request's tiers in one call, in memory, and counts its calls. */
class OneCallStore implements RateLimitStore {
  readonly kind = "upstash" as const;
  readonly memory: MemoryRateLimitStore;
  hitCalls = 0;
  hitEachCalls = 0;
  constructor(maxKeys?: number) {
    this.memory = new MemoryRateLimitStore(maxKeys === undefined ? {} : { maxKeys });
  }
  async hit(policy: TierPolicy, key: string, cost?: number): Promise<LimitResult> {
    this.hitCalls++;
    return this.memory.hit(policy, key, cost);
  }
  async hitEach(hits: readonly StoreHit[]): Promise<HitAnswer[]> {
    this.hitEachCalls++;
    return this.memory.hitEach(hits);
  }
  remember(key: string, ttlSeconds: number): Promise<void> {
    return this.memory.remember(key, ttlSeconds);
  }
  recall(key: string): Promise<boolean> {
    return this.memory.recall(key);
  }
}

/** The same, down: its one call fails for every tier at once. */
class DownInOneCallStore implements RateLimitStore {
  readonly kind = "upstash" as const;
  hitCalls = 0;
  hitEachCalls = 0;
  constructor(private readonly reason: "timeout" | "error" = "timeout") {}
  async hit(): Promise<never> {
    this.hitCalls++;
    throw new StoreUnavailableError(this.reason);
  }
  async hitEach(): Promise<never> {
    this.hitEachCalls++;
    throw new StoreUnavailableError(this.reason);
  }
  async remember(): Promise<void> {}
  async recall(): Promise<boolean> {
    return false;
  }
}

function collectingLog(requestId: string) {
  const lines: Record<string, unknown>[] = [];
  const log = edgeLogger(requestId, { level: "debug", sink: (_level, line) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, lines };
}

describe("every tier of a request in one store call (ADR 049)", () => {
  const open: TierPolicy = { name: "global", limit: 3, windowSeconds: 900, failMode: "open" };
  const closed: TierPolicy = { name: "auth-ip", limit: 3, windowSeconds: 900, failMode: "closed" };

  it("a protected API request's two tiers cost the store one call, and both are counted", async () => {
    const store = new OneCallStore();
    const edge = edgeHarness({ store, env: { RATE_LIMIT_USER_MAX: "3" } });
    const response = await edge.run("/api/me", { headers: { cookie: accessCookie("valid.alice") } });
    expect(passedThrough(response)).toBe(true);
    expect([store.hitEachCalls, store.hitCalls]).toEqual([1, 0]);
    expect(parseItems(response.headers.get("ratelimit"))).toEqual({ global: { r: 2999, t: 860 }, user: { r: 2, t: 20 } });
  });

  it("the benchmarks' per-tier view of a store asks it once per tier, never in one call, and counts the same", async () => {
    const store = new OneCallStore();
    const edge = edgeHarness({ store: oneCallPerTier(store), env: { RATE_LIMIT_USER_MAX: "3" } });
    const response = await edge.run("/api/me", { headers: { cookie: accessCookie("valid.alice") } });
    expect(passedThrough(response)).toBe(true);
    expect([store.hitEachCalls, store.hitCalls]).toEqual([0, 2]);
    expect(parseItems(response.headers.get("ratelimit"))).toEqual({ global: { r: 2999, t: 860 }, user: { r: 2, t: 20 } });
  });

  it("a tier that refuses does not stop the others counting the request, as when each tier was asked alone", async () => {
    const store = new OneCallStore();
    const tight: TierPolicy = { ...open, name: "user", limit: 1 };
    const log = collectingLog("trace-each-0001").log;
    await countTiers(store, [{ policy: tight, key: "u" }], { log });
    const refused = await countTiers(
      store,
      [
        { policy: tight, key: "u" },
        { policy: open, key: "ip" },
      ],
      { log },
    );
    expect(refused.outcome).toBe("limited");
    expect((await store.memory.hit(open, "ip", 0)).remaining).toBe(2);
  });

  it("when the one call times out, a fail-closed tier refuses and a fail-open tier is counted in this instance's memory, with one log line each", async () => {
    const store = new DownInOneCallStore("timeout");
    const fallback = new MemoryRateLimitStore();
    const { log, lines } = collectingLog("trace-each-0002");
    const decision = await countTiers(
      store,
      [
        { policy: open, key: "ip:198.51.100.1" },
        { policy: closed, key: "ip:198.51.100.1" },
      ],
      { log, fallback },
    );
    expect([store.hitEachCalls, store.hitCalls]).toEqual([1, 0]);
    expect(decision.outcome).toBe("unavailable");
    expect(decision.outcome === "unavailable" && decision.violated).toEqual(["auth-ip"]);
    expect(decision.outcomes.map((o) => o.status)).toEqual(["counted", "unavailable"]);
    expect((await fallback.hit(open, "ip:198.51.100.1", 0)).remaining).toBe(2);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        tier: "global",
        failMode: "open",
        reason: "timeout",
        msg: "rate-limit store unavailable; counting in this instance (fail over)",
      }),
      expect.objectContaining({
        level: 50,
        tier: "auth-ip",
        failMode: "closed",
        reason: "timeout",
        msg: "rate-limit store unavailable; refusing (fail closed)",
      }),
    ]);
  });

  it("when the one call errors without a fallback, a fail-open tier passes uncounted and says so", async () => {
    const { log, lines } = collectingLog("trace-each-0003");
    const decision = await countTiers(new DownInOneCallStore("error"), [{ policy: open, key: "ip" }], { log });
    expect(decision.outcome).toBe("allowed");
    expect(decision.headers.get("ratelimit")).toBeNull();
    expect(lines).toEqual([expect.objectContaining({ tier: "global", reason: "error", msg: "rate-limit store unavailable; allowing (fail open)" })]);
  });

  it("a saturated or cut-off store that counts tiers together does not lift the limit: one call a request, the open tiers counted in memory", async () => {
    const store = new DownInOneCallStore();
    const edge = edgeHarness({ store, fallbackStore: new MemoryRateLimitStore(), env: { RATE_LIMIT_GLOBAL_MAX: "3" } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await edge.run("/", { headers: { "x-request-id": `trace-each-001${i}` } })).status);
    expect(statuses.slice(0, 3).every((status) => status !== 429)).toBe(true);
    expect(statuses.slice(3)).toEqual([429, 429]);
    expect([store.hitEachCalls, store.hitCalls]).toEqual([5, 0]);
  });

  it("a tier the memory store cannot admit (full of hot keys) fails alone: the request's other tiers still count", async () => {
    const store = new OneCallStore(10);
    const hot: TierPolicy = { ...open, limit: 2 };
    for (let k = 0; k < 10; k++) for (let i = 0; i < 2; i++) await store.memory.hit(hot, `hot-${k}`);
    const { log, lines } = collectingLog("trace-each-0004");
    const decision = await countTiers(
      store,
      [
        { policy: hot, key: "newcomer" },
        { policy: closed, key: "newcomer" },
      ],
      { log },
    );
    expect(decision.outcomes.map((o) => o.status)).toEqual(["unavailable", "counted"]);
    expect((await store.memory.hit(closed, "newcomer", 0)).remaining).toBe(2);
    expect(lines).toEqual([expect.objectContaining({ tier: "global", reason: "full" })]);
  });

  it("the in-memory store counts a batch exactly as it counts the same hits one after another", async () => {
    const policies: TierPolicy[] = [
      { ...open, limit: 3, windowSeconds: 60 },
      { ...closed, limit: 2, windowSeconds: 900 },
    ];
    const hit = fc.record({ tier: fc.integer({ min: 0, max: 1 }), key: fc.constantFrom("a", "b", "c"), cost: fc.constantFrom(1, 1, 1, -1, 0) });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(hit, { minLength: 1, maxLength: 4 }), { maxLength: 12 }),
        fc.integer({ min: 0, max: 200_000 }),
        async (batches, step) => {
          const batched = new MemoryRateLimitStore({ maxKeys: 2 });
          const single = new MemoryRateLimitStore({ maxKeys: 2 });
          let clock = NOW;
          for (const batch of batches) {
            clock += step;
            vi.setSystemTime(clock);
            const hits = batch.map(({ tier, key, cost }) => ({ policy: policies[tier] as TierPolicy, key, cost }));
            const answers = await batched.hitEach(hits);
            const one: HitAnswer[] = [];
            for (const { policy, key, cost } of hits) one.push(await single.hit(policy, key, cost).catch((error: unknown) => error as StoreUnavailableError));
            expect(answers).toEqual(one);
          }
        },
      ),
    );
  });
});
