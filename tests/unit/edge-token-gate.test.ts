import { describe, expect, it } from "vitest";
import { buildKeyStore } from "@/lib/auth/keys";
import { signAccessToken, verifyAccessToken } from "@/lib/auth/tokens";
import { classifyRoute, PUBLIC_ROUTES, requiresToken } from "@/lib/edge/routes";
import { accessCookie, edgeHarness, passedThrough } from "../support/edge-harness";
import { testKeyPair } from "../support/keys";

// Every public route, as a concrete path (a `[provider]` segment filled in).
const PUBLIC_PATHS = PUBLIC_ROUTES.map((route) => route.path.replace("[provider]", "github"));

describe("the public-route table", () => {
  it("lists exactly the routes that need no access token", () => {
    expect(PUBLIC_ROUTES.map((route) => route.path)).toEqual([
      "/api/health",
      "/.well-known/jwks.json",
      "/api/openapi.json",
      "/api/auth/register",
      "/api/auth/login",
      "/api/auth/login/second-factor",
      "/api/auth/login/second-factor/passkey/options",
      "/api/auth/passkeys/authentication/options",
      "/api/auth/passkeys/authentication",
      "/api/auth/password/forgot",
      "/api/auth/password/reset",
      "/api/auth/email/verify",
      "/api/auth/email/confirm",
      "/api/auth/email/undo",
      "/api/auth/refresh",
      "/api/auth/logout",
      "/api/oauth/token",
      "/api/cron/prune",
      "/api/auth/csrf",
      "/api/auth/signin",
      "/api/auth/signin/[provider]",
      "/api/auth/callback/[provider]",
      "/api/auth/error",
      "/api/auth/oauth/link",
    ]);
    for (const route of PUBLIC_ROUTES) expect(route.why.length, route.path).toBeGreaterThan(10);
  });

  it.each(PUBLIC_PATHS)("lets %s through without a token", async (path) => {
    expect(passedThrough(await edgeHarness().run(path))).toBe(true);
  });

  it.each([
    "/api/me",
    "/api/notes",
    "/api/notes/123",
    "/api/admin/users",
    "/api/auth/logout-all",
    "/api/auth/sessions",
    "/api/auth/sessions/abc",
    "/api/auth/password",
    "/api/auth/oauth/password",
    "/api/auth/mfa",
    "/api/auth/mfa/totp",
    "/api/auth/mfa/totp/confirm",
    "/api/auth/mfa/recovery-codes",
    "/api/auth/passkeys/registration/options",
    "/api/auth/passkeys/registration",
    "/api/auth/passkeys/abc",
    "/api/auth/step-up/passkey/options",
    "/api/auth/providers",
    "/api/auth/session",
    "/api/reports/notes",
    "/api/some-route-added-next-year",
    "/api",
  ])("refuses %s without a token: 401 problem+json with WWW-Authenticate: Bearer", async (path) => {
    const response = await edgeHarness().run(path);
    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="palisade"');
    expect(await response.json()).toMatchObject({ status: 401, title: "Authentication required" });
  });

  it.each([
    ["a case change", "/API/me"],
    ["a percent-encoded letter", "/%61pi/me"],
    ["a doubled slash", "//api/me"],
    ["an encoded slash making a public-looking path", "/api/auth%2Flogin"],
    ["an extra segment under a public path", "/api/health/me"],
    ["a provider name with a dot", "/api/auth/callback/..%2F..%2Fme"],
    ["a public path as a prefix", "/api/healthz"],
  ])("does not let %s dodge the gate (%s)", async (_name, path) => {
    // Concatenated, not resolved: `new URL("//api/me", base)` would read "api" as a host name.
    const route = classifyRoute(new URL(`http://localhost${path}`).pathname);
    expect(requiresToken(route)).toBe(true);
    expect((await edgeHarness().run(path)).status).toBe(401);
  });

  it("reads a trailing or doubled slash as the router does (the same handler, so the same rule)", () => {
    expect(classifyRoute("/api/health/").public).toBe(true);
    expect(requiresToken(classifyRoute("/api//me"))).toBe(true);
  });

  it("does not gate pages", async () => {
    expect(passedThrough(await edgeHarness().run("/"))).toBe(true);
    expect(passedThrough(await edgeHarness().run("/settings"))).toBe(true);
  });
});

describe("token gate: credentials", () => {
  it("accepts a valid token from the Authorization header or the access cookie", async () => {
    expect(passedThrough(await edgeHarness().run("/api/me", { headers: { authorization: "Bearer valid.alice" } }))).toBe(true);
    expect(passedThrough(await edgeHarness().run("/api/me", { headers: { cookie: accessCookie("valid.alice") } }))).toBe(true);
  });

  it.each([
    ["a bad signature", { authorization: "Bearer forged" }, "ERR_TOKEN_INVALID"],
    ["an expired token", { cookie: accessCookie("expired") }, "ERR_TOKEN_EXPIRED"],
    ["a malformed Authorization header", { authorization: "Basic dXNlcjpwYXNz" }, "ERR_TOKEN_INVALID"],
    ["a bearer header with no token", { authorization: "Bearer " }, "ERR_TOKEN_INVALID"],
  ])("refuses %s with error=invalid_token", async (_name, headers, code) => {
    const response = await edgeHarness().run("/api/me", { headers });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="palisade", error="invalid_token"');
    const body = await response.json();
    expect(body.type).toBe(`/problems/${code.replace(/^ERR_/, "").toLowerCase().replaceAll("_", "-")}`);
  });

  it("does not fall back to a valid cookie when the Authorization header is bad", async () => {
    const response = await edgeHarness().run("/api/me", { headers: { authorization: "Bearer forged", cookie: accessCookie("valid.alice") } });
    expect(response.status).toBe(401);
  });

  it("forwards nothing it learned about the caller (a skipped gate must not leave a trusted header behind)", async () => {
    const response = await edgeHarness().run("/api/me", { headers: { authorization: "Bearer valid.alice" } });
    const forwardedNames = (response.headers.get("x-middleware-override-headers") ?? "").split(",");
    expect(forwardedNames.filter((name) => /user|subject|sub$|role|auth-/.test(name) && name !== "authorization")).toEqual([]);
  });

  it("verifies real RS256 access tokens with the token service's verifier", async () => {
    const keys = await buildKeyStore(testKeyPair().privateKeyPem);
    const edge = edgeHarness({ verifyToken: (token) => verifyAccessToken(token, keys) });
    const { token } = await signAccessToken({ sub: "user-1", role: "user", sid: "session-1" }, keys);
    expect(passedThrough(await edge.run("/api/me", { headers: { authorization: `Bearer ${token}` } }))).toBe(true);
    const other = await buildKeyStore(testKeyPair("attacker").privateKeyPem);
    const { token: forged } = await signAccessToken({ sub: "user-1", role: "admin", sid: "session-1" }, other);
    expect((await edge.run("/api/me", { headers: { authorization: `Bearer ${forged}` } })).status).toBe(401);
  });
});
