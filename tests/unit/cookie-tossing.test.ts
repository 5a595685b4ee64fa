/**
 * Cookie tossing at the edge and in the cookie readers (docs/decisions/034-cookie-tossing.md):
 * a sibling host plants a cookie under one of our names, for the parent domain and a longer
 * path, so the browser sends it first. Nothing may be served from either copy.
 */
import { describe, expect, it } from "vitest";
import {
  ACCESS_COOKIE,
  OAUTH_COOKIES,
  PASSKEY_SIGN_IN_COOKIE,
  PENDING_LINK_COOKIE,
  PENDING_SIGN_IN_COOKIE,
  REFRESH_COOKIE,
  SECURITY_COOKIES,
} from "@/lib/auth/cookie-names";
import { readCookie, readCookies } from "@/lib/auth/cookies";
import { clearingCookies, clearingDuplicates, duplicatedSecurityCookies, parentDomains, pathPrefixes } from "@/lib/auth/duplicate-cookies";
import { pendingLinkCookie } from "@/lib/auth/oauth/pending-link";
import { passkeySignInCookie } from "@/lib/auth/mfa/passkey-sign-in";
import { COOKIES } from "@/lib/auth/oauth/handoff";
import { APP_ORIGIN, edgeHarness } from "../support/edge-harness";

const PLANTED = "planted.attacker-chosen-value";

describe("cookie prefixes: no other host can set the cookies whose path allows __Host-", () => {
  it("names every OAuth flow cookie and the pending link __Host-, and gives each Path=/ and no Domain", () => {
    for (const name of [
      OAUTH_COOKIES.state,
      OAUTH_COOKIES.pkceCodeVerifier,
      OAUTH_COOKIES.nonce,
      OAUTH_COOKIES.callbackUrl,
      OAUTH_COOKIES.csrfToken,
      PENDING_LINK_COOKIE,
      PENDING_SIGN_IN_COOKIE,
      PASSKEY_SIGN_IN_COOKIE,
    ]) {
      expect(name.startsWith("__Host-")).toBe(true);
    }
    for (const cookie of Object.values(COOKIES).filter((entry) => entry !== undefined && entry.name.startsWith("__Host-"))) {
      expect(cookie!.options).toMatchObject({ path: "/", secure: true, httpOnly: true });
      expect(cookie!.options).not.toHaveProperty("domain");
    }
    const pending = pendingLinkCookie("sealed");
    expect(pending).toMatch(/^__Host-palisade-oauth-link=sealed; Path=\/; /);
    expect(pending).toMatch(/; Secure/);
    expect(pending).not.toMatch(/Domain/i);
    const nonce = passkeySignInCookie("nonce");
    expect(nonce).toBe("__Host-palisade-passkey=nonce; Path=/; Max-Age=300; HttpOnly; Secure; SameSite=Strict");
  });

  it("lists every credential cookie among the names whose duplicates are refused", () => {
    expect(SECURITY_COOKIES).toEqual(
      expect.arrayContaining([
        ACCESS_COOKIE,
        REFRESH_COOKIE,
        PENDING_LINK_COOKIE,
        PENDING_SIGN_IN_COOKIE,
        PASSKEY_SIGN_IN_COOKIE,
        ...Object.values(OAUTH_COOKIES),
      ]),
    );
  });
});

describe("a planted copy is never read: a name sent twice reads as absent", () => {
  const headers = new Headers({ cookie: `${REFRESH_COOKIE}=${PLANTED}; ${REFRESH_COOKIE}=ours.value; other=1` });

  it("readCookie serves neither copy of a duplicated cookie", () => {
    expect(readCookie(headers, REFRESH_COOKIE)).toBeUndefined();
    expect(readCookie(headers, "other")).toBe("1");
  });

  it("readCookies returns every copy in the order the browser sent them (logout ends them all)", () => {
    expect(readCookies(headers, REFRESH_COOKIE)).toEqual([PLANTED, "ours.value"]);
  });

  it("detects the duplicated security cookie, and nothing for a single copy or an unrelated name", () => {
    expect(duplicatedSecurityCookies(headers)).toEqual([REFRESH_COOKIE]);
    expect(duplicatedSecurityCookies(headers, [REFRESH_COOKIE])).toEqual([]);
    expect(duplicatedSecurityCookies(new Headers({ cookie: `${ACCESS_COOKIE}=a; theme=dark; theme=light` }))).toEqual([]);
  });
});

describe("clearing every copy a sibling host could have planted", () => {
  it("covers every path that path-matches the endpoint (RFC 6265bis §5.1.4)", () => {
    expect(pathPrefixes("/api/auth/refresh")).toEqual(["/", "/api", "/api/", "/api/auth", "/api/auth/", "/api/auth/refresh", "/api/auth/refresh/"]);
  });

  it("names the host and every parent domain short of the top-level label; none for localhost or an address", () => {
    expect(parentDomains("app.example.co.uk")).toEqual(["app.example.co.uk", "example.co.uk", "co.uk"]);
    expect(parentDomains("localhost")).toEqual([]);
    expect(parentDomains("127.0.0.1")).toEqual([]);
  });

  it("expires the refresh cookie planted for the parent domain with the refresh endpoint's path", () => {
    const cleared = clearingCookies(REFRESH_COOKIE, ["/api/auth/refresh"], "app.example.com");
    expect(cleared).toContain(`${REFRESH_COOKIE}=; Path=/api/auth/refresh; Domain=example.com; Max-Age=0; HttpOnly; Secure; SameSite=Lax`);
    expect(cleared).toContain(`${REFRESH_COOKIE}=; Path=/api/auth; Max-Age=0; HttpOnly; Secure; SameSite=Lax`);
  });

  it("clears a planted refresh cookie at both endpoints that read it, whichever endpoint refuses", () => {
    const cleared = clearingDuplicates([REFRESH_COOKIE], new URL("https://app.example.com/api/auth/logout"));
    expect(cleared).toContain(`${REFRESH_COOKIE}=; Path=/api/auth/refresh; Domain=example.com; Max-Age=0; HttpOnly; Secure; SameSite=Lax`);
    expect(cleared).toContain(`${REFRESH_COOKIE}=; Path=/api/auth/logout; Domain=example.com; Max-Age=0; HttpOnly; Secure; SameSite=Lax`);
  });

  it("has only the one copy of a __Host- cookie to clear", () => {
    expect(clearingCookies(ACCESS_COOKIE, ["/api/notes"], "app.example.com")).toEqual([`${ACCESS_COOKIE}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax`]);
  });
});

describe("the edge refuses a request carrying a security cookie twice", () => {
  const twice = (name: string) => ({ cookie: `${name}=${PLANTED}; ${name}=ours.value` });

  it.each([REFRESH_COOKIE, OAUTH_COOKIES.state, OAUTH_COOKIES.pkceCodeVerifier, PENDING_LINK_COOKIE, ACCESS_COOKIE])(
    "a tossed %s is a 400 problem that clears every copy, before any step reads it",
    async (name) => {
      const edge = edgeHarness();
      const response = await edge.run("/api/auth/refresh", {
        method: "POST",
        headers: { origin: APP_ORIGIN, "sec-fetch-site": "same-origin", ...twice(name) },
      });
      expect(response.status).toBe(400);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      const body = (await response.json()) as { type: string; requestId: string };
      expect(body.type).toBe("/problems/cookie-duplicate");
      expect(body.requestId).toBe(response.headers.get("x-request-id"));
      expect(response.headers.getSetCookie().filter((cookie) => cookie.startsWith(`${name}=;`)).length).toBeGreaterThan(0);
      expect(edge.logs.some((line) => line.entry.msg === "duplicate security cookie refused")).toBe(true);
    },
  );

  it("refuses it on a page request too, so a protected page is never rendered from a planted access cookie", async () => {
    const response = await edgeHarness().run("/dashboard", { headers: twice(ACCESS_COOKIE) });
    expect(response.status).toBe(400);
  });

  it("lets logout through with two refresh cookies, so it can end both sessions", async () => {
    const response = await edgeHarness().run("/api/auth/logout", {
      method: "POST",
      headers: { origin: APP_ORIGIN, "sec-fetch-site": "same-origin", ...twice(REFRESH_COOKIE) },
    });
    expect(response.status).not.toBe(400);
  });

  it("still refuses logout when another security cookie is duplicated", async () => {
    const response = await edgeHarness().run("/api/auth/logout", {
      method: "POST",
      headers: { origin: APP_ORIGIN, "sec-fetch-site": "same-origin", ...twice(OAUTH_COOKIES.state) },
    });
    expect(response.status).toBe(400);
  });
});
