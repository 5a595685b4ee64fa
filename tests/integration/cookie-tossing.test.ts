/**
 * Cookie tossing against the session endpoints (docs/decisions/034-cookie-tossing.md), in the
 * route handlers, with the edge assumed skipped: a sibling host plants its own refresh cookie
 * for the parent domain and the refresh path, so the browser sends it before ours.
 * On PGlite and Postgres.
 */
import { describe, expect, it } from "vitest";
import { databaseKinds } from "../support/databases";
import { call, CookieJar } from "../support/http";
import { integrationSuite, signUpThenSignIn } from "../support/app";
import { PASSWORD, REFRESH_COOKIE, uniqueEmail } from "../support/authz-world";

const ORIGIN = "https://app.example.com";

describe.each(databaseKinds())("cookie tossing on %s", (kind) => {
  const suite = integrationSuite(kind, { RATE_LIMIT_AUTH_MAX: "1000" });

  /** A signed-in browser: its jar and its refresh cookie's value. */
  async function signedIn() {
    const jar = new CookieJar();
    const response = await signUpThenSignIn(suite.routes, { email: uniqueEmail("toss"), name: "Tossed", password: PASSWORD }, { jar });
    expect(response.status).toBe(200);
    const { user } = (await response.json()) as { user: { id: string } };
    return { jar, userId: user.id, refresh: jar.cookies.get(REFRESH_COOKIE)! };
  }

  const liveSessions = (userId: string) => suite.kit.db.session.count({ where: { userId, revokedAt: null } });

  it("refuses a refresh that carries a planted refresh cookie beside the real one: 400, audited, every copy cleared", async () => {
    const victim = await signedIn();
    const attacker = await signedIn();
    const cookie = `${REFRESH_COOKIE}=${attacker.refresh}; ${REFRESH_COOKIE}=${victim.refresh}`;
    const response = await call(suite.routes.refresh, { method: "POST", headers: { cookie }, url: `${ORIGIN}/api/auth/refresh` });

    expect(response.status).toBe(400);
    const body = (await response.json()) as { type: string; requestId: string };
    expect(body.type).toBe("/problems/cookie-duplicate");
    expect(body.requestId).toBe(response.headers.get("x-request-id"));
    // Neither copy was used: no rotation happened in either session.
    expect(response.headers.getSetCookie().some((value) => value.startsWith(`${REFRESH_COOKIE}=`) && !value.startsWith(`${REFRESH_COOKIE}=;`))).toBe(false);
    expect(await suite.kit.db.refreshToken.count({ where: { session: { userId: { in: [victim.userId, attacker.userId] } }, rotatedAt: { not: null } } })).toBe(
      0,
    );
    // The planted copy, set for the parent domain and the refresh path, is expired.
    expect(response.headers.getSetCookie()).toContain(
      `${REFRESH_COOKIE}=; Path=/api/auth/refresh; Domain=example.com; Max-Age=0; HttpOnly; Secure; SameSite=Lax`,
    );
    const audit = await suite.kit.db.auditEvent.findMany({ where: { type: "cookie.duplicate_refused", requestId: body.requestId }, select: { details: true } });
    expect(audit.map((event) => event.details)).toEqual([{ cookies: REFRESH_COOKIE, path: "/api/auth/refresh" }]);
  });

  it("logout with a planted refresh cookie ends the victim's real session too, not only the planted one", async () => {
    const victim = await signedIn();
    const attacker = await signedIn();
    const cookie = `${REFRESH_COOKIE}=${attacker.refresh}; ${REFRESH_COOKIE}=${victim.refresh}`;
    const response = await call(suite.routes.logout, { method: "POST", headers: { cookie }, url: `${ORIGIN}/api/auth/logout` });

    expect(response.status).toBe(204);
    expect(await liveSessions(victim.userId)).toBe(0);
    expect(await liveSessions(attacker.userId)).toBe(0);
    // Every copy goes, wherever it could have been set: the logout path, the refresh path, the parent domain.
    const cleared = response.headers.getSetCookie();
    for (const path of ["/api/auth", "/api/auth/refresh", "/api/auth/logout"]) {
      expect(cleared).toContain(`${REFRESH_COOKIE}=; Path=${path}; Domain=example.com; Max-Age=0; HttpOnly; Secure; SameSite=Lax`);
    }
    // The victim's own refresh token no longer works: they really are signed out.
    const retry = await call(suite.routes.refresh, { method: "POST", headers: { cookie: `${REFRESH_COOKIE}=${victim.refresh}` } });
    expect(retry.status).toBe(401);
  });

  it("logout still ends the one session of a single refresh cookie, and ignores a forged copy", async () => {
    const person = await signedIn();
    const cookie = `${REFRESH_COOKIE}=forged.not-a-real-token-at-all; ${REFRESH_COOKIE}=${person.refresh}`;
    expect((await call(suite.routes.logout, { method: "POST", headers: { cookie } })).status).toBe(204);
    expect(await liveSessions(person.userId)).toBe(0);
  });

  it("refuses a planted access cookie at a protected handler rather than serving either copy", async () => {
    const person = await signedIn();
    const access = person.jar.cookies.get("__Host-palisade-at")!;
    const response = await call(suite.routes.me, { headers: { cookie: `__Host-palisade-at=${access}; __Host-palisade-at=${access}` } });
    expect(response.status).toBe(400);
    expect((await response.json()).type).toBe("/problems/cookie-duplicate");
  });
});
