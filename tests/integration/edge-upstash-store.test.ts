/**
 * The shared rate-limit store, end to end on a real Redis: the real @upstash/redis client talks to
 * tests/support/upstash-rest-server.ts, which talks to Redis. @upstash/ratelimit, whose sliding
 * window the store's script reproduces, is the reference its answers are checked against.
 */
import { randomBytes } from "node:crypto";
import Redis from "ioredis";
import { Ratelimit } from "@upstash/ratelimit";
import { Redis as UpstashRedis } from "@upstash/redis";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it, vi } from "vitest";
import { checkAuthAttempt, recordAuthFailure, recordAuthSuccess } from "@/lib/edge/rate-limit/auth-attempts";
import { edgeLogger } from "@/lib/edge/log";
import { countTiers } from "@/lib/edge/rate-limit/limiter";
import { MemoryRateLimitStore } from "@/lib/edge/rate-limit/memory-store";
import { policiesFrom, type LimitResult, type TierHit, type TierPolicy } from "@/lib/edge/rate-limit/policy";
import { StoreUnavailableError, type HitAnswer } from "@/lib/edge/rate-limit/store";
import { UpstashRateLimitStore } from "@/lib/edge/rate-limit/upstash-store";
import { parseEnv } from "@/lib/env";
import { accessCookie, edgeHarness, passedThrough } from "../support/edge-harness";
import { startUpstashRestServer, type UpstashRestServer } from "../support/upstash-rest-server";

const redisUrl = inject("redisUrl");
const RUN = `palisade-test-${randomBytes(6).toString("hex")}`;
/**
 * The clock the limiter reads, held still. The sliding window weighs the previous window's count
 * by the share of it still in view and rounds down, so a test that straddled a window boundary
 * on the real clock would see a fresh allowance and fail for a reason that is not a bug.
 */
const HELD_CLOCK = Date.UTC(2026, 0, 1, 12, 7, 30);

describe.runIf(redisUrl !== null)("Upstash store on a real Redis", () => {
  let server: UpstashRestServer;
  let redis: Redis;
  let prefixCount = 0;

  /** A store as one app instance would build it, in this run's own key namespace. */
  const storeFor = (prefix: string, timeoutMs = 2_000) => new UpstashRateLimitStore({ url: server.url, token: server.token, timeoutMs, prefix });
  const freshPrefix = () => `${RUN}:${prefixCount++}`;
  const quiet = edgeLogger("trace-upstash-01", { level: "silent" });

  beforeAll(async () => {
    server = await startUpstashRestServer({ redisUrl: redisUrl as string });
    redis = new Redis(redisUrl as string);
  });

  beforeEach(() => {
    server.setMode("normal");
    vi.useFakeTimers({ toFake: ["Date"], now: HELD_CLOCK });
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  afterAll(async () => {
    // Leave nothing behind: every key this run wrote starts with RUN.
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${RUN}*`, "COUNT", 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
    await redis.quit();
    await server.close();
  });

  describe("the REST protocol server", () => {
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${server.url}${path}`, { method: "POST", headers: { authorization: `Bearer ${server.token}`, ...headers }, body: JSON.stringify(body) });

    it("runs a JSON command array and returns its result", async () => {
      const key = `${RUN}:proto:a`;
      expect(await (await post("/", ["SET", key, "hello", "EX", 60])).json()).toEqual({ result: "OK" });
      expect(await (await post("/", ["GET", key])).json()).toEqual({ result: "hello" });
    });

    it("encodes every string but OK as base64 when asked, so binary values survive JSON", async () => {
      const key = `${RUN}:proto:b`;
      const value = "héllo\u0000wörld";
      await post("/", ["SET", key, value]);
      const reply = (await (await post("/", ["GET", key], { "upstash-encoding": "base64" })).json()) as { result: string };
      expect(Buffer.from(reply.result, "base64").toString("utf8")).toBe(value);
      expect(await (await post("/", ["SET", key, "x"], { "upstash-encoding": "base64" })).json()).toEqual({ result: "OK" });
    });

    it("runs a pipeline and a MULTI/EXEC transaction, with per-command errors", async () => {
      const key = `${RUN}:proto:c`;
      const pipeline = await (
        await post("/pipeline", [
          ["SET", key, "1"],
          ["INCR", key],
          ["HGET", key, "f"],
        ])
      ).json();
      expect(pipeline).toEqual([{ result: "OK" }, { result: 2 }, { error: expect.stringContaining("WRONGTYPE") }]);
      const transaction = await (
        await post("/multi-exec", [
          ["INCR", key],
          ["INCRBY", key, 10],
        ])
      ).json();
      expect(transaction).toEqual([{ result: 3 }, { result: 13 }]);
    });

    it("refuses a missing or wrong bearer token with 401", async () => {
      expect((await fetch(server.url, { method: "POST", body: '["PING"]' })).status).toBe(401);
      expect((await post("/", ["PING"], { authorization: "Bearer wrong" })).status).toBe(401);
    });

    it("answers 400 with the Redis error for a refused command", async () => {
      const response = await post("/", ["NOSUCHCOMMAND"]);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: expect.stringContaining("unknown command") });
    });

    it("serves the real @upstash/redis client, including its EVALSHA-then-EVAL fallback", async () => {
      const client = new UpstashRedis({ url: server.url, token: server.token, enableTelemetry: false });
      const key = `${RUN}:proto:d`;
      await client.set(key, { nested: [1, "two"] });
      expect(await client.get(key)).toEqual({ nested: [1, "two"] });
      const script = client.createScript<number>("return redis.call('INCRBY', KEYS[1], ARGV[1])");
      expect(await script.exec([`${key}:n`], ["5"])).toBe(5);
    });
  });

  describe("rate limits in the shared store", () => {
    const policy: TierPolicy = { name: "global", limit: 5, windowSeconds: 900, failMode: "open" };

    it("allows q requests and refuses request q+1, with a reset in the future", async () => {
      const store = storeFor(freshPrefix());
      for (let i = 1; i <= 5; i++) expect((await store.hit(policy, "ip:198.51.100.1")).remaining).toBe(5 - i);
      const refused = await store.hit(policy, "ip:198.51.100.1");
      expect(refused.allowed).toBe(false);
      expect(refused.resetAt).toBeGreaterThan(Date.now());
    });

    it("shares one limit between two instances (N instances do not allow N times the limit)", async () => {
      const prefix = freshPrefix();
      const [a, b] = [storeFor(prefix), storeFor(prefix)];
      let allowed = 0;
      for (let i = 0; i < 20; i++) if ((await (i % 2 === 0 ? a : b).hit(policy, "ip:198.51.100.2")).allowed) allowed++;
      expect(allowed).toBe(5);
    });

    it("answers a client hammering after its 429 from the ephemeral cache, without a Redis round trip", async () => {
      const store = storeFor(freshPrefix());
      for (let i = 0; i < 6; i++) await store.hit(policy, "ip:198.51.100.3");
      const before = server.requests;
      for (let i = 0; i < 20; i++) expect((await store.hit(policy, "ip:198.51.100.3")).allowed).toBe(false);
      expect(server.requests).toBe(before);
    });

    it("keeps its cache of refused keys bounded under a flood of made-up refresh-token ids, and Redis still refuses an evicted key", async () => {
      const store = new UpstashRateLimitStore({ url: server.url, token: server.token, timeoutMs: 2_000, prefix: freshPrefix(), maxCachedKeys: 100 });
      const strict: TierPolicy = { name: "refresh", limit: 1, windowSeconds: 900, failMode: "open" };
      // Each made-up id earns one refusal, the only thing that puts a key in the cache.
      const ids = Array.from({ length: 250 }, (_, i) => `rt:forged${String(i).padStart(16, "0")}`);
      for (const id of ids) {
        await store.hit(strict, id);
        expect((await store.hit(strict, id)).allowed).toBe(false);
      }
      expect(store.cachedRefusals()).toBe(100);
      // The newest refusal is still answered from memory; the oldest was dropped and asks Redis, which refuses it again.
      const before = server.requests;
      expect((await store.hit(strict, ids.at(-1) as string)).allowed).toBe(false);
      expect(server.requests).toBe(before);
      expect((await store.hit(strict, ids[0] as string)).allowed).toBe(false);
      expect(server.requests).toBe(before + 1);
    });

    it("refunds, and remembers facts with a TTL in Redis", async () => {
      const prefix = freshPrefix();
      const store = storeFor(prefix);
      await store.hit(policy, "k");
      await store.hit(policy, "k", -1);
      expect((await store.hit(policy, "k")).remaining).toBe(4);
      await store.remember("known:x", 60);
      expect(await store.recall("known:x")).toBe(true);
      expect(await store.recall("known:y")).toBe(false);
      expect(await redis.ttl(`${prefix}:fact:known:x`)).toBeGreaterThan(0);
    });
  });

  describe("every tier of a request in one round trip (ADR 049)", () => {
    const globalTier: TierPolicy = { name: "global", limit: 7, windowSeconds: 900, failMode: "open" };
    const user: TierPolicy = { name: "user", limit: 30, windowSeconds: 60, failMode: "open" };
    const credential: TierPolicy = { name: "credential", limit: 60, windowSeconds: 900, failMode: "open" };
    const authIp: TierPolicy = { name: "auth-ip", limit: 5, windowSeconds: 900, failMode: "closed" };

    /** Log lines as the middleware writes them, collected. */
    function collectingLog(requestId: string) {
      const lines: Record<string, unknown>[] = [];
      const log = edgeLogger(requestId, { level: "debug", sink: (_level, line) => lines.push(JSON.parse(line) as Record<string, unknown>) });
      return { log, lines };
    }

    /**
     * A store whose script the server already holds. A fresh server knows only the hash of the
     * text it rewrote (tests/support/upstash-rest-server.ts), so an instance's first call costs one
     * NOSCRIPT answer and one full send; every later one, a single request.
     */
    async function warmStore(prefix = freshPrefix(), options: { timeoutMs?: number; maxCachedKeys?: number } = {}) {
      const store = new UpstashRateLimitStore({
        url: server.url,
        token: server.token,
        timeoutMs: options.timeoutMs ?? 2_000,
        prefix,
        ...(options.maxCachedKeys === undefined ? {} : { maxCachedKeys: options.maxCachedKeys }),
      });
      await store.hit(globalTier, "warm-up", 0);
      return store;
    }

    const results = (answers: HitAnswer[]): LimitResult[] =>
      answers.map((answer) => {
        if (answer instanceof StoreUnavailableError) throw answer;
        return answer;
      });

    it("a request's three tiers cost the store one round trip, and each is counted", async () => {
      const store = await warmStore();
      const hits: TierHit[] = [
        { policy: globalTier, key: "ip:198.51.100.40" },
        { policy: user, key: "user:alice" },
        { policy: credential, key: "ip:198.51.100.40" },
      ];
      const before = server.requests;
      const decision = await countTiers(store, hits, { log: quiet });
      expect(server.requests).toBe(before + 1);
      expect(decision.outcome).toBe("allowed");
      expect(decision.headers.get("ratelimit")).toBe('"global";r=6;t=450, "user";r=29;t=30, "credential";r=59;t=450');
    });

    it("the middleware counts a protected API request's tiers in one round trip", async () => {
      const edge = edgeHarness({ store: await warmStore() });
      const before = server.requests;
      const response = await edge.run("/api/me", { headers: { cookie: accessCookie("valid.alice") } });
      expect(server.requests).toBe(before + 1);
      expect(passedThrough(response)).toBe(true);
      expect(response.headers.get("ratelimit")).toBe('"global";r=2999;t=450, "user";r=29;t=30');
    });

    it("sends the script in full only when the store does not hold it (NOSCRIPT), then by hash alone", async () => {
      const fresh = await startUpstashRestServer({ redisUrl: redisUrl as string });
      try {
        const store = new UpstashRateLimitStore({ url: fresh.url, token: fresh.token, timeoutMs: 2_000, prefix: freshPrefix() });
        expect((await store.hit(globalTier, "k")).remaining).toBe(6);
        expect(fresh.requests).toBe(2);
        expect((await store.hit(globalTier, "k")).remaining).toBe(5);
        expect(fresh.requests).toBe(3);
      } finally {
        await fresh.close();
      }
    });

    it("admits exactly each tier's limit under 100 concurrent requests on fresh keys, as many as one tier at a time admits", async () => {
      const hits: TierHit[] = [
        { policy: globalTier, key: "ip:198.51.100.41" },
        { policy: user, key: "user:bob" },
        { policy: credential, key: "ip:198.51.100.41" },
      ];
      const prefix = freshPrefix();
      const together = await warmStore(prefix);
      const answers = await Promise.all(Array.from({ length: 100 }, () => together.hitEach(hits).then(results)));
      const admitted = hits.map((_, tier) => answers.filter((answer) => answer[tier]?.allowed === true).length);
      expect(admitted).toEqual([7, 30, 60]);
      // A refused request is never counted: each current window holds exactly the limit.
      const window = (policy: TierPolicy) => Math.floor(Date.now() / (policy.windowSeconds * 1000));
      const stored = await Promise.all(hits.map(({ policy, key }) => redis.get(`${prefix}:rl:${policy.name}:${key}:${window(policy)}`)));
      expect(stored).toEqual(["7", "30", "60"]);

      const alone = await warmStore();
      const oneByOne = await Promise.all(hits.map(({ policy, key }) => Promise.all(Array.from({ length: 100 }, () => alone.hit(policy, key)))));
      expect(oneByOne.map((tier) => tier.filter((result) => result.allowed).length)).toEqual(admitted);
    });

    it("answers every hit as @upstash/ratelimit's sliding window does, across window boundaries and refunds", async () => {
      const policy: TierPolicy = { name: "refresh", limit: 5, windowSeconds: 60, failMode: "open" };
      const store = await warmStore();
      const reference = new Ratelimit({
        redis: new UpstashRedis({ url: server.url, token: server.token, enableTelemetry: false }),
        limiter: Ratelimit.slidingWindow(policy.limit, `${policy.windowSeconds} s`),
        prefix: `${freshPrefix()}:rl:${policy.name}`,
        ephemeralCache: new Map(),
        analytics: false,
        enableProtection: false,
        enableTelemetry: false,
      });
      const start = Math.floor(HELD_CLOCK / 60_000) * 60_000;
      // [seconds from a window's start, cost]: fill a window, cross into the next one while the
      // previous still weighs, refund what was counted, and come back after a quiet window.
      const steps: [number, number][] = [
        [5, 1],
        [10, 1],
        [20, 1],
        [30, 1],
        [40, 1],
        [45, 1],
        [50, 1],
        [62, 1],
        [66, 1],
        [70, 1],
        [75, 1],
        [80, -1],
        [85, 1],
        [100, 1],
        [115, 1],
        [130, 1],
        [131, -1],
        [132, 1],
        [133, 1],
        [150, 1],
        [250, 1],
        [251, 1],
        [252, -1],
        [253, 1],
      ];
      for (const [second, cost] of steps) {
        vi.setSystemTime(start + second * 1000);
        const ours = await store.hit(policy, "rt:shared", cost);
        const theirs = await reference.limit("rt:shared", { rate: cost });
        expect({ at: second, cost, allowed: ours.allowed, remaining: ours.remaining, resetAt: ours.resetAt }).toEqual({
          at: second,
          cost,
          allowed: theirs.success,
          remaining: theirs.remaining,
          resetAt: theirs.reset,
        });
      }
    });

    it("refunds in the same call as another tier's count: a negative cost gives one request back", async () => {
      const store = await warmStore();
      for (let i = 0; i < 3; i++) await store.hit(authIp, "ip:198.51.100.42");
      const before = server.requests;
      const [refund, count] = results(
        await store.hitEach([
          { policy: authIp, key: "ip:198.51.100.42", cost: -1 },
          { policy: globalTier, key: "ip:198.51.100.42" },
        ]),
      );
      expect(server.requests).toBe(before + 1);
      expect(refund).toMatchObject({ allowed: true, remaining: 3 });
      expect(count).toMatchObject({ allowed: true, remaining: 6 });
      expect((await store.hit(authIp, "ip:198.51.100.42")).remaining).toBe(2);
    });

    it("never refunds below zero, so refunds cannot bank requests for later", async () => {
      const store = await warmStore();
      for (let i = 0; i < 10; i++) await store.hit(authIp, "ip:198.51.100.43", -1);
      for (let i = 0; i < 5; i++) expect((await store.hit(authIp, "ip:198.51.100.43")).allowed).toBe(true);
      expect((await store.hit(authIp, "ip:198.51.100.43")).allowed).toBe(false);
    });

    it("a refund of a key cached as refused still reaches Redis, and lets the key back in", async () => {
      const store = await warmStore();
      const strict: TierPolicy = { ...authIp, limit: 1 };
      await store.hit(strict, "ip:198.51.100.44");
      expect((await store.hit(strict, "ip:198.51.100.44")).allowed).toBe(false);
      const before = server.requests;
      await store.hit(strict, "ip:198.51.100.44", -1);
      expect(server.requests).toBe(before + 1);
      expect((await store.hit(strict, "ip:198.51.100.44")).allowed).toBe(true);
    });

    it.each([
      ["hangs past its deadline", "hang", "timeout"],
      ["answers HTTP 500", "error", "error"],
    ] as const)(
      "when the one call %s: one request, no retry; the fail-closed tier refuses and the fail-open tier is counted in this instance's memory",
      async (_what, mode, reason) => {
        const store = await warmStore(freshPrefix(), { timeoutMs: 200 });
        const fallback = new MemoryRateLimitStore();
        const { log, lines } = collectingLog("trace-upstash-02");
        server.setMode(mode);
        const before = server.requests;
        const started = performance.now();
        const decision = await countTiers(
          store,
          [
            { policy: globalTier, key: "ip:198.51.100.45" },
            { policy: authIp, key: "ip:198.51.100.45" },
          ],
          { log, fallback },
        );
        expect(performance.now() - started).toBeLessThan(1_000);
        expect(server.requests).toBe(before + 1);
        expect(decision.outcome).toBe("unavailable");
        expect(decision.outcome === "unavailable" && decision.violated).toEqual(["auth-ip"]);
        expect(decision.outcomes.map((outcome) => outcome.status)).toEqual(["counted", "unavailable"]);
        expect(decision.headers.get("ratelimit")).toBe('"global";r=6;t=450');
        expect(lines).toEqual([
          expect.objectContaining({ tier: "global", failMode: "open", reason, msg: "rate-limit store unavailable; counting in this instance (fail over)" }),
          expect.objectContaining({ tier: "auth-ip", failMode: "closed", reason, msg: "rate-limit store unavailable; refusing (fail closed)" }),
        ]);
      },
    );

    it("a request whose every tier is cached as refused costs no round trip; one with a tier still open costs one, and that tier is counted", async () => {
      const store = await warmStore();
      const strict: TierPolicy = { ...globalTier, limit: 1 };
      await store.hit(strict, "ip:198.51.100.46");
      expect((await store.hit(strict, "ip:198.51.100.46")).allowed).toBe(false);

      let before = server.requests;
      const cached = await countTiers(store, [{ policy: strict, key: "ip:198.51.100.46" }], { log: quiet });
      expect(cached.outcome).toBe("limited");
      expect(server.requests).toBe(before);

      before = server.requests;
      const mixed = await countTiers(
        store,
        [
          { policy: strict, key: "ip:198.51.100.46" },
          { policy: user, key: "user:carol" },
        ],
        { log: quiet },
      );
      expect(server.requests).toBe(before + 1);
      expect(mixed.outcome === "limited" && mixed.violated).toEqual(["global"]);
      expect((await store.hit(user, "user:carol", 0)).remaining).toBe(29);
    });

    it("keeps the refused-key cache bounded per tier when refusals come in batches, and Redis still refuses an evicted key", async () => {
      const store = await warmStore(freshPrefix(), { maxCachedKeys: 100 });
      const first: TierPolicy = { name: "refresh", limit: 1, windowSeconds: 900, failMode: "open" };
      const second: TierPolicy = { ...first, name: "global" };
      const ids = Array.from({ length: 250 }, (_, i) => `rt:forged${String(i).padStart(16, "0")}`);
      for (const id of ids) {
        const both = [
          { policy: first, key: id },
          { policy: second, key: id },
        ];
        await store.hitEach(both);
        expect(results(await store.hitEach(both)).map((result) => result.allowed)).toEqual([false, false]);
      }
      expect(store.cachedRefusals()).toBe(200);
      const before = server.requests;
      const newest = ids.at(-1) as string;
      const oldest = ids[0] as string;
      expect(
        results(
          await store.hitEach([
            { policy: first, key: newest },
            { policy: second, key: newest },
          ]),
        ).map((result) => result.allowed),
      ).toEqual([false, false]);
      expect(server.requests).toBe(before);
      expect(
        results(
          await store.hitEach([
            { policy: first, key: oldest },
            { policy: second, key: oldest },
          ]),
        ).map((result) => result.allowed),
      ).toEqual([false, false]);
      expect(server.requests).toBe(before + 1);
    });
  });

  describe("the store down", () => {
    const policy: TierPolicy = { name: "global", limit: 5, windowSeconds: 900, failMode: "open" };

    it("reports a hung store as unavailable (timeout) instead of waiting or silently allowing", async () => {
      server.setMode("hang");
      const store = storeFor(freshPrefix(), 200);
      await expect(store.hit(policy, "k")).rejects.toMatchObject({ name: "StoreUnavailableError", reason: "timeout" });
    });

    it("reports a failing store (HTTP 500) as unavailable", async () => {
      server.setMode("error");
      await expect(storeFor(freshPrefix()).hit(policy, "k")).rejects.toBeInstanceOf(StoreUnavailableError);
    });

    it("reports a refused connection as unavailable", async () => {
      const dead = new UpstashRateLimitStore({ url: "http://127.0.0.1:1", token: "t", timeoutMs: 2_000, prefix: freshPrefix() });
      await expect(dead.hit(policy, "k")).rejects.toMatchObject({ name: "StoreUnavailableError", reason: "error" });
    });

    it("keeps the app answering through the middleware while the store hangs (edge tiers fail open)", async () => {
      server.setMode("hang");
      const edge = edgeHarness({ store: storeFor(freshPrefix(), 200) });
      const response = await edge.run("/", { headers: { "x-request-id": "trace-hang-0001" } });
      expect(passedThrough(response)).toBe(true);
      expect(edge.logs).toContainEqual({ level: "warn", entry: expect.objectContaining({ requestId: "trace-hang-0001", tier: "global", reason: "timeout" }) });
    });

    it("refuses sign-in attempts while the store hangs (the auth tiers fail closed)", async () => {
      server.setMode("hang");
      const result = parseEnv({});
      if (!result.ok) throw new Error("defaults must parse");
      const attempt = await checkAuthAttempt(
        { ip: "198.51.100.9", email: "user@example.com" },
        { store: storeFor(freshPrefix(), 200), policies: policiesFrom(result.env), log: quiet },
      );
      expect(attempt.decision.outcome).toBe("unavailable");
    });
  });

  describe("sign-in limits across instances", () => {
    function policies() {
      const result = parseEnv({});
      if (!result.ok) throw new Error("defaults must parse");
      return policiesFrom(result.env);
    }

    it("stops a spray of one account across two instances and many addresses after 5 failures", async () => {
      const prefix = freshPrefix();
      const instances = [storeFor(prefix), storeFor(prefix)];
      let passwordChecks = 0;
      for (let i = 0; i < 30; i++) {
        const attempt = await checkAuthAttempt(
          { ip: `203.0.113.${i + 1}`, email: "victim@example.com" },
          { store: instances[i % 2], policies: policies(), log: quiet },
        );
        if (attempt.allowed) {
          passwordChecks++;
          await recordAuthFailure(attempt);
        }
      }
      expect(passwordChecks).toBe(5);
    });

    it("refunds successes in the shared store and lets the known address in during the spray", async () => {
      const prefix = freshPrefix();
      const [a, b] = [storeFor(prefix), storeFor(prefix)];
      const options = (store: UpstashRateLimitStore) => ({ store, policies: policies(), log: quiet, knownAddressTtlSeconds: 600 });
      for (let i = 0; i < 10; i++) {
        const attempt = await checkAuthAttempt({ ip: "198.51.100.20", email: "victim@example.com" }, options(a));
        expect(attempt.allowed).toBe(true);
        await recordAuthSuccess(attempt);
      }
      for (let i = 0; i < 10; i++) {
        const attempt = await checkAuthAttempt({ ip: `203.0.113.${i + 1}`, email: "victim@example.com" }, options(b));
        if (attempt.allowed) await recordAuthFailure(attempt);
      }
      expect((await checkAuthAttempt({ ip: "192.0.2.77", email: "victim@example.com" }, options(b))).allowed).toBe(false);
      expect((await checkAuthAttempt({ ip: "198.51.100.20", email: "victim@example.com" }, options(b))).allowed).toBe(true);
    });
  });
});
