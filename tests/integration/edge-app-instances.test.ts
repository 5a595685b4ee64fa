/**
 * The edge layer in a real production build: two `next start` instances share one Redis (through
 * the Upstash REST protocol server), so the tests see exactly what a deployment behind a load
 * balancer would: the middleware as Next.js runs it, headers as Next.js merges them, limits as
 * @upstash/ratelimit counts them.
 */
import { randomInt } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { nonceOf } from "../support/edge-harness";
import { ensureEdgeBuild, freePort, startAppInstance, type AppInstance } from "../support/edge-app-server";
import { testKeyPair } from "../support/keys";
import { deleteKeysMatching } from "../support/redis-keys";
import { startUpstashRestServer, type UpstashRestServer } from "../support/upstash-rest-server";

const redisUrl = inject("redisUrl");
const postgresUrl = inject("postgresUrl");
const LIMIT = 6;
// Client addresses for this run only (198.18.0.0/15 is reserved for benchmarking), so a rerun or
// a parallel run never shares a bucket with this one.
const subnet = `198.18.${randomInt(0, 256)}`;
const client = (n: number) => `${subnet}.${n}`;

describe.runIf(redisUrl !== null)("the edge layer in two production instances sharing one Redis", () => {
  let rest: UpstashRestServer;
  let a: AppInstance;
  let b: AppInstance;
  const dataDirs: string[] = [];

  /** A request as it arrives through one trusted proxy that saw `address`. */
  const from = (address: string, headers: Record<string, string> = {}) => ({ headers: { "x-forwarded-for": address, ...headers } });

  beforeAll(async () => {
    await ensureEdgeBuild();
    rest = await startUpstashRestServer({ redisUrl: redisUrl as string });
    const portA = await freePort(3220, 3299);
    const portB = await freePort(portA + 1, 3299);
    const common = {
      APP_URL: `http://127.0.0.1:${portA}`,
      JWT_PRIVATE_KEY: testKeyPair().privateKeyPem,
      UPSTASH_REDIS_REST_URL: rest.url,
      UPSTASH_REDIS_REST_TOKEN: rest.token,
      TRUSTED_PROXY: "1",
      RATE_LIMIT_GLOBAL_MAX: String(LIMIT),
      LOG_LEVEL: "error",
    };
    const dataDir = async () => {
      const dir = await mkdtemp(path.join(tmpdir(), "palisade-edge-"));
      dataDirs.push(dir);
      return dir;
    };
    // Instance B points at a database that does not exist, so one of its handlers fails with a
    // real 500 (or 503 when no Postgres answers at all).
    const missingDatabase =
      postgresUrl === null
        ? "postgres://postgres@127.0.0.1:1/palisade"
        : `${postgresUrl.replace(/\/[^/]*$/, "")}/palisade_missing_${subnet.replaceAll(".", "_")}`;
    [a, b] = await Promise.all([
      startAppInstance(portA, { ...common, DATA_DIR: await dataDir() }),
      startAppInstance(portB, { ...common, DATA_DIR: await dataDir(), DATABASE_URL: missingDatabase }),
    ]);
  }, 600_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await rest?.close();
    await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
    // The instances use the app's own key prefix; remove this run's client buckets.
    await deleteKeysMatching(redisUrl as string, [`palisade:rl:*:ip:${subnet}.*`, "palisade:rl:*:ip:192.0.2.254*"]);
  });

  it("shares one limit: alternating between instances, the first 429 is request q+1", async () => {
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < LIMIT + 4; i++) {
      const response = await fetch(`${(i % 2 === 0 ? a : b).url}/`, from(client(1)));
      statuses.push(response.status);
      if (response.status === 429 && limited === undefined) limited = response;
    }
    expect(statuses.slice(0, LIMIT).every((status) => status === 200)).toBe(true);
    expect(statuses.slice(LIMIT)).toEqual(Array(4).fill(429));
    expect(limited?.headers.get("ratelimit-policy")).toBe(`"global";q=${LIMIT};w=900`);
    const [, t] = /"global";r=0;t=(\d+)/.exec(limited?.headers.get("ratelimit") ?? "") ?? [];
    expect(Number(t)).toBeGreaterThan(0);
    expect(Number(limited?.headers.get("retry-after"))).toBeGreaterThanOrEqual(Number(t));
    expect(limited?.headers.get("content-type")).toBe("application/problem+json");
  });

  it("gives a spoofed X-Forwarded-For no fresh bucket on either instance", async () => {
    let allowed = 0;
    for (let i = 0; i < 30; i++) {
      const response = await fetch(`${(i % 2 === 0 ? a : b).url}/api/health`, from(`10.${i}.0.1, ${client(2)}`));
      if (response.status !== 429) allowed++;
    }
    expect(allowed).toBe(LIMIT);
  });

  describe("security headers on every status a real server answers", () => {
    const expectHeaders = (response: Response) => {
      expect(response.headers.get("content-security-policy")).toMatch(/frame-ancestors 'none'/);
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("x-frame-options")).toBe("DENY");
      expect(response.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
      expect(response.headers.get("permissions-policy")).toContain("camera=()");
      expect(response.headers.get("cross-origin-opener-policy")).toBe("same-origin");
      expect(response.headers.get("cross-origin-resource-policy")).toBe("same-origin");
      expect(response.headers.get("x-request-id")).not.toBeNull();
      expect(response.headers.get("x-powered-by")).toBeNull();
      // A local run (loopback APP_URL) is not a deployment: no HSTS.
      expect(response.headers.get("strict-transport-security")).toBeNull();
    };

    it("200 (a page, with a fresh nonce per request)", async () => {
      const first = await fetch(`${a.url}/`, from(client(10)));
      const second = await fetch(`${a.url}/`, from(client(10)));
      expect(first.status).toBe(200);
      expectHeaders(first);
      expect(nonceOf(first.headers.get("content-security-policy"))).not.toBe(nonceOf(second.headers.get("content-security-policy")));
    });

    it("200 (an API route)", async () => {
      const response = await fetch(`${a.url}/api/health`, from(client(11)));
      expect(response.status).toBe(200);
      expectHeaders(response);
      expect(response.headers.get("content-security-policy")).toContain("default-src 'none'");
    });

    it("404", async () => {
      const response = await fetch(`${a.url}/no-such-page`, from(client(12)));
      expect(response.status).toBe(404);
      expectHeaders(response);
    });

    it("401 from the token gate, with WWW-Authenticate", async () => {
      const response = await fetch(`${a.url}/api/me`, from(client(13)));
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe('Bearer realm="palisade"');
      expect(response.headers.get("vary")).toMatch(/Origin, Sec-Fetch-Site/);
      expectHeaders(response);
    });

    it("429 from the shared limit", async () => {
      let response: Response | undefined;
      for (let i = 0; i <= LIMIT; i++) response = await fetch(`${b.url}/api/health`, from(client(14)));
      expect(response?.status).toBe(429);
      expectHeaders(response as Response);
    });

    it.runIf(postgresUrl !== null)("500 from a handler that fails (its database does not exist)", async () => {
      const response = await fetch(`${b.url}/api/health`, from(client(15)));
      expect(response.status, b.output()).toBe(500);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expectHeaders(response);
    });

    it("413 for a declared body over the limit, before any handler runs", async () => {
      const response = await fetch(`${a.url}/api/auth/login`, {
        method: "POST",
        headers: { "x-forwarded-for": client(16), "content-type": "application/json" },
        body: JSON.stringify({ email: "a@example.com", password: "x".repeat(70_000) }),
      });
      expect(response.status).toBe(413);
      expectHeaders(response);
    });

    it("403 for a cross-site state change carrying the session cookie", async () => {
      const response = await fetch(`${a.url}/api/auth/logout`, {
        method: "POST",
        headers: { "x-forwarded-for": client(17), "sec-fetch-site": "cross-site", cookie: "__Secure-palisade-rt=x" },
      });
      expect(response.status).toBe(403);
      expectHeaders(response);
    });
  });
});
