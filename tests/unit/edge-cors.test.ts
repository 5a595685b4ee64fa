import { describe, expect, it } from "vitest";
import { CORS_ALLOWED_HEADERS, CORS_MAX_AGE_SECONDS, CORS_METHODS } from "@/lib/edge/cors";
import { APP_ORIGIN, configFrom, edgeHarness, passedThrough } from "../support/edge-harness";

const PARTNER = "http://localhost:5173";
const env = { CORS_ORIGINS: PARTNER };

function preflight(origin: string | null, method = "POST", requestHeaders = "content-type, authorization") {
  const headers: Record<string, string> = { "access-control-request-method": method, "access-control-request-headers": requestHeaders };
  if (origin !== null) headers.origin = origin;
  return edgeHarness({ env }).run("/api/me", { method: "OPTIONS", headers });
}

function corsHeadersOf(response: Response): string[] {
  return [...response.headers.keys()].filter((name) => name.startsWith("access-control-"));
}

// Origins an attacker can make a browser send, each one a known way to fool a loose comparison.
const HOSTILE: [string, string][] = [
  ["a hostile origin", "https://evil.example"],
  ["the opaque origin null", "null"],
  ["a look-alike suffix", "http://localhost:3000.evil.example"],
  ["a look-alike prefix", "http://evil-localhost:3000"],
  ["another port", "http://localhost:30000"],
  ["another scheme", "https://localhost:3000"],
  ["different case", "http://LOCALHOST:3000"],
  ["a trailing slash", "http://localhost:3000/"],
  ["a userinfo trick", "http://localhost:3000@evil.example"],
];

describe("CORS preflight", () => {
  it.each([
    ["the app's own origin", APP_ORIGIN],
    ["an origin listed in CORS_ORIGINS", PARTNER],
  ])("answers 204 with the article's policy for %s", async (_name, origin) => {
    const response = await preflight(origin);
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(origin);
    expect(response.headers.get("access-control-allow-credentials")).toBe("true");
    expect(response.headers.get("access-control-allow-methods")).toBe(CORS_METHODS.join(", "));
    expect(response.headers.get("access-control-allow-methods")).toBe("GET, POST, PUT, DELETE, PATCH");
    expect(response.headers.get("access-control-allow-headers")).toBe(CORS_ALLOWED_HEADERS.join(", "));
    expect(response.headers.get("access-control-allow-headers")).toBe("Content-Type, Authorization, X-Request-ID");
    expect(response.headers.get("access-control-max-age")).toBe(String(CORS_MAX_AGE_SECONDS));
    expect(response.headers.get("vary")).toContain("Origin");
  });

  it.each(HOSTILE)("refuses %s with 403 and no CORS headers at all", async (_name, origin) => {
    const response = await preflight(origin);
    expect(response.status).toBe(403);
    expect(corsHeadersOf(response)).toEqual([]);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
  });

  it.each([
    ["a method outside the list", "TRACE", "content-type"],
    ["a lower-case method (methods are case-sensitive)", "post", "content-type"],
    ["a header outside the list", "POST", "content-type, x-admin-override"],
  ])("refuses %s even from an allowed origin", async (_name, method, requestHeaders) => {
    const response = await preflight(APP_ORIGIN, method, requestHeaders);
    expect(response.status).toBe(403);
    expect(corsHeadersOf(response)).toEqual([]);
  });

  it("is answered before rate limits and the token gate (a preflight carries no credentials)", async () => {
    const response = await preflight(APP_ORIGIN);
    expect(response.headers.get("ratelimit")).toBeNull();
    expect(response.status).toBe(204);
  });
});

describe("CORS on actual requests", () => {
  it.each([
    ["the app's own origin", APP_ORIGIN],
    ["an origin listed in CORS_ORIGINS", PARTNER],
  ])("lets %s read the response, with credentials", async (_name, origin) => {
    const response = await edgeHarness({ env }).run("/api/health", { headers: { origin } });
    expect(passedThrough(response)).toBe(true);
    expect(response.headers.get("access-control-allow-origin")).toBe(origin);
    expect(response.headers.get("access-control-allow-credentials")).toBe("true");
    expect(response.headers.get("access-control-expose-headers")).toContain("RateLimit");
    expect(response.headers.get("vary")).toContain("Origin");
  });

  it.each(HOSTILE)("gives %s no CORS headers, so the browser withholds the response", async (_name, origin) => {
    const response = await edgeHarness({ env }).run("/api/health", { headers: { origin } });
    expect(corsHeadersOf(response)).toEqual([]);
    expect(response.headers.get("vary")).toContain("Origin");
  });

  it("never answers with a wildcard, whatever the origin", async () => {
    for (const origin of [APP_ORIGIN, PARTNER, ...HOSTILE.map(([, o]) => o)]) {
      const response = await edgeHarness({ env }).run("/api/health", { headers: { origin } });
      expect(response.headers.get("access-control-allow-origin")).not.toBe("*");
    }
  });
});

describe("CORS allowlist", () => {
  it("adds this Vercel deployment's own origins, and not *.vercel.app", () => {
    const config = configFrom({ VERCEL: "1", VERCEL_URL: "palisade-abc123-team.vercel.app", VERCEL_BRANCH_URL: "palisade-git-feature-team.vercel.app" });
    expect([...config.allowedOrigins]).toEqual(
      expect.arrayContaining(["https://palisade-abc123-team.vercel.app", "https://palisade-git-feature-team.vercel.app"]),
    );
    expect([...config.allowedOrigins].some((origin) => origin.includes("*"))).toBe(false);
  });

  it("ignores a VERCEL_URL that is not a bare host name", () => {
    for (const value of ["*.vercel.app", "https://x.vercel.app", "x.vercel.app/path", "x.vercel.app:443"]) {
      expect(configFrom({ VERCEL: "1", VERCEL_URL: value }).previewOrigins).toEqual([]);
    }
  });

  it("adds no preview origin outside Vercel", () => {
    expect(configFrom({ VERCEL_URL: "palisade-abc123-team.vercel.app" }).previewOrigins).toEqual([]);
  });
});

describe("CORS scope", () => {
  it("sends no CORS headers on pages, even to an allowed origin (no origin needs to read our HTML)", async () => {
    const response = await edgeHarness({ env }).run("/", { headers: { origin: PARTNER } });
    expect(corsHeadersOf(response)).toEqual([]);
  });
});
