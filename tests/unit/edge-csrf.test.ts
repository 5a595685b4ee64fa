import { describe, expect, it } from "vitest";
import { APP_ORIGIN, accessCookie, edgeHarness, passedThrough } from "../support/edge-harness";

const PARTNER = "http://localhost:5173";
const env = { CORS_ORIGINS: PARTNER };
const METHODS = ["POST", "PUT", "PATCH", "DELETE"] as const;
const CONTENT_TYPES = ["application/json", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"] as const;
const COOKIES = {
  access: accessCookie("valid.user-1"),
  refresh: "__Secure-palisade-rt=AAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB",
};
// Each auth cookie, with a route it is sent to: the access cookie goes everywhere, the refresh
// cookie only to /api/auth (lib/auth/cookie-names.ts).
const TARGETS: [string, string][] = [
  [COOKIES.access, "/api/notes"],
  [COOKIES.refresh, "/api/auth/logout"],
];

// Each origin an attacker's page can produce, or a client can omit. `null` is sent by sandboxed
// frames, `data:` pages and some cross-origin redirects.
const CROSS_ORIGINS: [string, string | null][] = [
  ["a hostile origin", "https://evil.example"],
  ["Origin: null", "null"],
  ["a look-alike host", "http://localhost:3000.evil.example"],
  ["another port", "http://localhost:3001"],
  ["no Origin or Referer", null],
];
// Sec-Fetch-Site values that do not prove a same-origin request (absent = an older client).
const UNPROVEN_SITES = ["same-site", "none", null] as const;

interface Case {
  method: string;
  origin: string | null;
  site: string | null;
  type: string;
  cookie: string;
  path?: string;
}

function send({ method, origin, site, type, cookie, path = "/api/notes" }: Case) {
  const headers: Record<string, string> = { "content-type": type, cookie };
  if (origin !== null) headers.origin = origin;
  if (site !== null) headers["sec-fetch-site"] = site;
  return edgeHarness({ env }).run(path, { method, headers, body: type === "application/json" ? "{}" : "a=1" });
}

function crossSiteMatrix(): [string, Case][] {
  const cases: [string, Case][] = [];
  for (const method of METHODS) {
    for (const type of CONTENT_TYPES) {
      for (const [cookie, path] of TARGETS) {
        // The browser says cross-site: refused whatever the Origin claims.
        for (const origin of [APP_ORIGIN, PARTNER, "https://evil.example", "null", null]) {
          cases.push([`${method} ${type} Sec-Fetch-Site: cross-site, Origin: ${origin}`, { method, origin, site: "cross-site", type, cookie, path }]);
        }
        // The browser does not vouch for it: the Origin must be on the allowlist.
        for (const site of UNPROVEN_SITES) {
          for (const [name, origin] of CROSS_ORIGINS) {
            cases.push([`${method} ${type} Sec-Fetch-Site: ${site}, ${name}`, { method, origin, site, type, cookie, path }]);
          }
        }
      }
    }
  }
  return cases;
}

function sameOriginMatrix(): [string, Case][] {
  const cases: [string, Case][] = [];
  for (const method of METHODS) {
    for (const [cookie, path] of TARGETS) {
      const json = { method, type: "application/json", cookie, path };
      cases.push([`${method} ${path} Sec-Fetch-Site: same-origin`, { ...json, origin: APP_ORIGIN, site: "same-origin" }]);
      for (const site of UNPROVEN_SITES) {
        cases.push([`${method} ${path} Sec-Fetch-Site: ${site}, Origin: the app`, { ...json, origin: APP_ORIGIN, site }]);
        cases.push([`${method} ${path} Sec-Fetch-Site: ${site}, Origin: an allowed partner`, { ...json, origin: PARTNER, site }]);
      }
    }
  }
  return cases;
}

describe("CSRF: every cross-site combination is refused (Origin × Sec-Fetch-Site × Content-Type × method)", () => {
  const matrix = crossSiteMatrix();

  it("covers the whole matrix", () => {
    expect(matrix.length).toBe(METHODS.length * CONTENT_TYPES.length * TARGETS.length * (5 + UNPROVEN_SITES.length * CROSS_ORIGINS.length));
  });

  it.each(matrix)("403 for %s", async (_name, request) => {
    const response = await send(request);
    expect(response.status).toBe(403);
    expect(passedThrough(response)).toBe(false);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.headers.get("vary")).toMatch(/Origin.*Sec-Fetch-Site/);
  });
});

describe("CSRF: every same-origin combination passes", () => {
  it.each(sameOriginMatrix())("passes %s", async (_name, request) => {
    const response = await send(request);
    expect(passedThrough(response)).toBe(true);
    expect(response.headers.get("vary")).toMatch(/Origin.*Sec-Fetch-Site/);
  });
});

describe("CSRF: the JSON content-type rule", () => {
  it.each(CONTENT_TYPES.filter((type) => type !== "application/json"))(
    "refuses a same-origin %s body to a JSON endpoint with 415 (a form cannot smuggle a body)",
    async (type) => {
      const response = await send({ method: "POST", origin: APP_ORIGIN, site: "same-origin", type, cookie: COOKIES.access });
      expect(response.status).toBe(415);
    },
  );

  it("accepts application/json with a charset", async () => {
    const response = await send({ method: "POST", origin: APP_ORIGIN, site: "same-origin", type: "application/json; charset=utf-8", cookie: COOKIES.access });
    expect(passedThrough(response)).toBe(true);
  });

  it("lets a body-less state change through without a content type (logout, DELETE)", async () => {
    const edge = edgeHarness({ env });
    const response = await edge.run("/api/auth/logout", {
      method: "POST",
      headers: { origin: APP_ORIGIN, "sec-fetch-site": "same-origin", cookie: COOKIES.refresh },
    });
    expect(passedThrough(response)).toBe(true);
  });

  it("lets a form-encoded body through only on a route that takes forms (the client-credentials grant)", async () => {
    const response = await send({
      method: "POST",
      origin: APP_ORIGIN,
      site: "same-origin",
      type: "application/x-www-form-urlencoded",
      cookie: COOKIES.access,
      path: "/api/oauth/token",
    });
    expect(passedThrough(response)).toBe(true);
  });
});

describe("CSRF: Referer fallback", () => {
  const run = (referer: string) =>
    edgeHarness({ env }).run("/api/notes", { method: "POST", headers: { referer, cookie: COOKIES.access, "content-type": "application/json" }, body: "{}" });

  it("accepts a same-origin Referer when Origin is absent", async () => {
    expect(passedThrough(await run(`${APP_ORIGIN}/notes?x=1`))).toBe(true);
  });

  it.each(["https://evil.example/page", "http://localhost:3000.evil.example/", "not a url"])("refuses the Referer %s", async (referer) => {
    expect((await run(referer)).status).toBe(403);
  });
});

describe("CSRF: scope", () => {
  it("does not apply to safe methods (they change nothing)", async () => {
    const response = await edgeHarness({ env }).run("/api/health", {
      headers: { origin: "https://evil.example", "sec-fetch-site": "cross-site", cookie: COOKIES.access },
    });
    expect(passedThrough(response)).toBe(true);
  });

  it("does not apply without auth cookies (no ambient authority to abuse; a bearer token is never sent automatically)", async () => {
    const response = await edgeHarness({ env }).run("/api/auth/login", {
      method: "POST",
      headers: { origin: "https://evil.example", "sec-fetch-site": "cross-site", "content-type": "application/json" },
      body: "{}",
    });
    expect(passedThrough(response)).toBe(true);
  });

  it("treats the refresh cookie alone as ambient authority", async () => {
    const response = await edgeHarness({ env }).run("/api/auth/refresh", {
      method: "POST",
      headers: { "sec-fetch-site": "cross-site", cookie: COOKIES.refresh },
    });
    expect(response.status).toBe(403);
  });

  it("logs each refusal with its reason and the request ID", async () => {
    const edge = edgeHarness({ env });
    await edge.run("/api/notes", { method: "DELETE", headers: { "sec-fetch-site": "cross-site", cookie: COOKIES.access, "x-request-id": "trace-csrf-0001" } });
    expect(edge.logs).toContainEqual({
      level: "warn",
      entry: expect.objectContaining({ requestId: "trace-csrf-0001", reason: "cross-site", msg: "state-changing request refused" }),
    });
  });
});
