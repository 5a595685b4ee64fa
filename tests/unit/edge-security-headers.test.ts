import { describe, expect, it } from "vitest";
import { API_CSP, HSTS, NONCE_BYTES, newNonce, pageCsp } from "@/lib/edge/security-headers";
import { StoreUnavailableError, type RateLimitStore } from "@/lib/edge/rate-limit/store";
import { accessCookie, configFrom, edgeHarness, forwardedHeaders, nonceOf, passedThrough } from "../support/edge-harness";

const EVERY_RESPONSE = {
  "referrer-policy": "strict-origin-when-cross-origin",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
};

function expectSecurityHeaders(response: Response): void {
  for (const [name, value] of Object.entries(EVERY_RESPONSE)) expect(response.headers.get(name), name).toBe(value);
  expect(response.headers.get("content-security-policy")).toMatch(/frame-ancestors 'none'/);
  expect(response.headers.get("permissions-policy")).toMatch(/camera=\(\)/);
  expect(response.headers.get("x-request-id")).toMatch(/^[A-Za-z0-9._-]{8,64}$/);
  expect(response.headers.get("x-powered-by")).toBeNull();
}

describe("CSP nonce", () => {
  it("differs on every request (200 requests, 200 nonces)", async () => {
    const edge = edgeHarness({ env: { RATE_LIMIT_GLOBAL_MAX: "1000" } });
    const nonces = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const response = await edge.run("/");
      nonces.add(nonceOf(response.headers.get("content-security-policy")) as string);
    }
    expect(nonces.size).toBe(200);
  });

  it("has 128 bits from the CSPRNG, base64-encoded", () => {
    const nonce = newNonce();
    expect(NONCE_BYTES * 8).toBe(128);
    expect(atob(nonce)).toHaveLength(16);
  });

  it("is forwarded to Next.js in the request's CSP header, matching the response's", async () => {
    const response = await edgeHarness().run("/");
    const forwarded = forwardedHeaders(response);
    const nonce = nonceOf(response.headers.get("content-security-policy"));
    expect(nonce).not.toBeNull();
    expect(nonceOf(forwarded.get("content-security-policy"))).toBe(nonce);
    expect(forwarded.get("x-nonce")).toBe(nonce);
  });

  it("overwrites a CSP or nonce the client sent, so Next.js never nonces scripts with an attacker's value", async () => {
    const response = await edgeHarness().run("/", { headers: { "content-security-policy": "script-src 'nonce-attacker'", "x-nonce": "attacker" } });
    const forwarded = forwardedHeaders(response);
    expect(forwarded.get("x-nonce")).not.toBe("attacker");
    expect(forwarded.get("content-security-policy")).not.toContain("attacker");
  });
});

describe("CSP directives", () => {
  const local = configFrom();

  it("allows only this response's nonce, with strict-dynamic, and no unsafe-inline or unsafe-eval in a build", () => {
    const csp = pageCsp("abc", local);
    expect(csp).toContain("script-src 'self' 'nonce-abc' 'strict-dynamic'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    for (const directive of ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'", "default-src 'self'"]) {
      expect(csp).toContain(directive);
    }
    expect(csp).toContain("style-src 'self' 'nonce-abc'");
    expect(csp).toContain("img-src 'self' data: https:");
    expect(csp).toContain("connect-src 'self'");
  });

  it("adds unsafe-eval only under next dev, where React needs it", () => {
    expect(pageCsp("abc", { ...local, development: true })).toContain("'unsafe-eval'");
    expect(configFrom({ NODE_ENV: "production", APP_URL: "http://localhost:3100" }).development).toBe(false);
  });

  it("gives API responses a policy that loads nothing", async () => {
    const response = await edgeHarness().run("/api/health");
    expect(response.headers.get("content-security-policy")).toBe(API_CSP);
    expect(API_CSP).toContain("default-src 'none'");
  });
});

describe("HSTS", () => {
  const deployed = {
    NODE_ENV: "production",
    APP_URL: "https://app.example.com",
    DATABASE_URL: "postgres://u:p@db.example.com/app?sslmode=verify-full",
    TRUSTED_PROXY: "1",
    JWT_PRIVATE_KEY: "unused-here",
    UPSTASH_REDIS_REST_URL: "https://redis.example.com",
    UPSTASH_REDIS_REST_TOKEN: "t",
    SMTP_URL: "smtps://smtp.example.com",
    MAIL_FROM: "no-reply@example.com",
    MFA_ENCRYPTION_KEY: "k".repeat(43),
  };

  it("is sent for one year with subdomains and preload in a deployment (always https), with upgrade-insecure-requests", async () => {
    const config = configFrom(deployed);
    const response = await edgeHarness({ config: { ...config } }).run("/");
    expect(response.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains; preload");
    expect(HSTS).toContain("max-age=31536000");
    expect(response.headers.get("content-security-policy")).toContain("upgrade-insecure-requests");
  });

  it("is not sent by a local run, so a developer's localhost is never pinned to https", async () => {
    const response = await edgeHarness().run("/");
    expect(response.headers.get("strict-transport-security")).toBeNull();
    expect(response.headers.get("content-security-policy")).not.toContain("upgrade-insecure-requests");
  });
});

const down: RateLimitStore = {
  kind: "upstash",
  hit: async () => {
    throw new StoreUnavailableError("error");
  },
  remember: async () => undefined,
  recall: async () => false,
};

describe("security headers on every response the edge produces", () => {
  const cases: [string, () => Promise<Response>, number][] = [
    ["a page passed through (200 from the route)", () => edgeHarness().run("/"), 200],
    ["an API call passed through", () => edgeHarness().run("/api/health"), 200],
    ["an unknown path passed through (404 from the route)", () => edgeHarness().run("/no-such-page"), 200],
    ["401 from the token gate", () => edgeHarness().run("/api/me"), 401],
    [
      "403 from CSRF",
      () => edgeHarness().run("/api/me", { method: "POST", headers: { cookie: accessCookie("valid.a"), "sec-fetch-site": "cross-site" } }),
      403,
    ],
    [
      "403 from a refused preflight",
      () => edgeHarness().run("/api/me", { method: "OPTIONS", headers: { origin: "https://evil.example", "access-control-request-method": "GET" } }),
      403,
    ],
    [
      "204 from an allowed preflight",
      () => edgeHarness().run("/api/me", { method: "OPTIONS", headers: { origin: "http://localhost:3000", "access-control-request-method": "GET" } }),
      204,
    ],
    [
      "413 from the body-size check",
      () => edgeHarness().run("/api/auth/login", { method: "POST", headers: { "content-length": "999999", "content-type": "application/json" } }),
      413,
    ],
    [
      "429 from a rate limit",
      async () => {
        const edge = edgeHarness({ env: { RATE_LIMIT_GLOBAL_MAX: "1" } });
        await edge.run("/");
        return edge.run("/");
      },
      429,
    ],
    [
      "500 when the edge layer itself fails (the token verifier crashes)",
      () => edgeHarness().run("/api/me", { headers: { authorization: "Bearer crash" } }),
      500,
    ],
    ["200 while the rate-limit store is down (failing open)", () => edgeHarness({ store: down }).run("/"), 200],
  ];

  it.each(cases)("%s", async (_name, run, status) => {
    const response = await run();
    if (status === 200) expect(passedThrough(response)).toBe(true);
    else expect(response.status).toBe(status);
    expectSecurityHeaders(response);
  });

  it("answers a crash with a generic 500 problem that leaks nothing and logs the failure", async () => {
    const edge = edgeHarness();
    const response = await edge.run("/api/me", { headers: { authorization: "Bearer crash", "x-request-id": "trace-crash-0001" } });
    expect(response.status).toBe(500);
    const body = await response.json();
    expect(body).toMatchObject({ status: 500, requestId: "trace-crash-0001" });
    expect(JSON.stringify(body)).not.toMatch(/key store|stack|Error/);
    expect(passedThrough(response)).toBe(false);
    expect(edge.logs).toContainEqual({ level: "error", entry: expect.objectContaining({ requestId: "trace-crash-0001" }) });
  });

  it("echoes a well-formed request ID and replaces a forged one on refusals too", async () => {
    const edge = edgeHarness();
    expect((await edge.run("/api/me", { headers: { "x-request-id": "trace-12345678" } })).headers.get("x-request-id")).toBe("trace-12345678");
    const forged = await edge.run("/api/me", { headers: { "x-request-id": 'x"} {"level":60}' } });
    expect(forged.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("pages a mailed link opens", () => {
  it("send no referrer at all, so the page's address never leaves with a request it makes", async () => {
    const edge = edgeHarness({ env: { RATE_LIMIT_GLOBAL_MAX: "1000" } });
    for (const page of ["/reset-password", "/verify-email", "/email/confirm", "/email/undo", "//email//undo", "/email/%75ndo"]) {
      expect((await edge.run(page)).headers.get("referrer-policy"), page).toBe("no-referrer");
    }
  });

  it("leave every other page, including look-alikes, on strict-origin-when-cross-origin", async () => {
    const edge = edgeHarness({ env: { RATE_LIMIT_GLOBAL_MAX: "1000" } });
    for (const page of ["/", "/signin", "/forgot-password", "/reset-password/extra", "/email", "/api/auth/password/reset"]) {
      expect((await edge.run(page)).headers.get("referrer-policy"), page).toBe("strict-origin-when-cross-origin");
    }
  });
});
