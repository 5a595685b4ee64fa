/**
 * The token service end to end, through the real route handlers, on the embedded PGlite and on
 * the real Postgres: registration, login, rotation, reuse detection, expiry, logout and the
 * guards that every protected handler relies on.
 */
import { settleAfterResponse } from "@/lib/http/after-response";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { databaseKinds, provisionDatabase, useDatabase, type ProvisionedDatabase } from "../support/databases";
import { call, CookieJar, type Handler } from "../support/http";
import { testKeyPair } from "../support/keys";

const ACCESS = "__Host-palisade-at";
const REFRESH = "__Secure-palisade-rt";
const PASSWORD = "violet river morning tea";

async function loadApp() {
  const [register, login, refresh, logout, logoutAll, sessions, session, password, me, jwks, client] = await Promise.all([
    import("@/app/api/auth/register/route"),
    import("@/app/api/auth/login/route"),
    import("@/app/api/auth/refresh/route"),
    import("@/app/api/auth/logout/route"),
    import("@/app/api/auth/logout-all/route"),
    import("@/app/api/auth/sessions/route"),
    import("@/app/api/auth/sessions/[id]/route"),
    import("@/app/api/auth/password/route"),
    import("@/app/api/me/route"),
    import("@/app/.well-known/jwks.json/route"),
    import("@/lib/db/client"),
  ]);
  return {
    register: register.POST as Handler,
    login: login.POST as Handler,
    refresh: refresh.POST as Handler,
    logout: logout.POST as Handler,
    logoutAll: logoutAll.POST as Handler,
    sessions: sessions.GET as Handler,
    revokeSession: session.DELETE as unknown as Handler,
    changePassword: password.POST as Handler,
    me: me.GET as Handler,
    deleteMe: me.DELETE as Handler,
    jwks: jwks.GET as Handler,
    db: await client.getDb(),
    disconnect: client.disconnectDb,
  };
}

type App = Awaited<ReturnType<typeof loadApp>>;

let counter = 0;
function uniqueEmail(): string {
  counter++;
  return `user${counter}-${Date.now()}@example.com`;
}

describe.each(databaseKinds())("token service on %s", (kind) => {
  let database: ProvisionedDatabase;
  let app: App;

  beforeAll(async () => {
    database = await provisionDatabase(kind);
    await useDatabase(database);
    vi.stubEnv("JWT_PRIVATE_KEY", testKeyPair("integration").privateKeyPem);
    // Every request here comes from one (unknown) address: lift the per-address sign-in limit so
    // only the per-account limit, under test below, can refuse.
    vi.stubEnv("RATE_LIMIT_AUTH_MAX", "1000");
    // The same for the mail tier per address: every sign-up here mails from that one address.
    vi.stubEnv("RATE_LIMIT_MAIL_IP_MAX", "1000");
    app = await loadApp();
  });

  afterAll(async () => {
    await app.disconnect();
    await database.drop();
    vi.unstubAllEnvs();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  /** Sign up (202, no cookie), wait for the account, sign in: as a person does. */
  async function signUp(email = uniqueEmail()) {
    const jar = new CookieJar();
    const response = await call(app.register, { body: { email, name: "Test User", password: PASSWORD } });
    expect(response.status).toBe(202);
    await settleAfterResponse();
    const login = await call(app.login, { body: { email, password: PASSWORD }, jar });
    expect(login.status).toBe(200);
    const { user } = (await login.json()) as { user: { id: string } };
    return { jar, email, userId: user.id };
  }

  /** Move the clock to `seconds` after the real now (not after the last jump). */
  function travel(seconds: number) {
    vi.useRealTimers();
    vi.useFakeTimers({ now: Date.now() + seconds * 1000, toFake: ["Date"] });
  }

  describe("registration", () => {
    it("creates a plain, unconfirmed user after answering, sets no cookie, and signs in to both cookies with no internal field", async () => {
      const jar = new CookieJar();
      const response = await call(app.register, { body: { email: "  New.Person@Example.COM ", name: "New", password: PASSWORD }, jar });
      expect(response.status).toBe(202);
      expect(await response.json()).toEqual({ email: "new.person@example.com" });
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(jar.cookies.size).toBe(0);
      await settleAfterResponse();
      const login = await call(app.login, { body: { email: "new.person@example.com", password: PASSWORD }, jar });
      expect(login.status).toBe(200);
      expect(await login.json()).toEqual({
        user: { id: expect.any(String), email: "new.person@example.com", name: "New", role: "user", emailVerified: false },
      });
      expect(jar.cookies.has(ACCESS)).toBe(true);
      expect(jar.cookies.get(REFRESH)).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    });

    it("rejects a role in the body (mass assignment) and creates nothing", async () => {
      const email = uniqueEmail();
      const response = await call(app.register, { body: { email, name: "X", password: PASSWORD, role: "admin" } });
      expect(response.status).toBe(400);
      expect((await response.json()).errors).toEqual({ role: ["Unexpected field."] });
      expect(await app.db.user.count({ where: { email } })).toBe(0);
    });

    it("treats an email differing only in case and spaces as taken: the same 202, no second account, the old password still signs in", async () => {
      const { email } = await signUp();
      const response = await call(app.register, { body: { email: ` ${email.toUpperCase()} `, name: "Y", password: "another long passphrase here" } });
      expect(response.status).toBe(202);
      await settleAfterResponse();
      expect(await app.db.user.count({ where: { email } })).toBe(1);
      expect((await call(app.login, { body: { email, password: PASSWORD } })).status).toBe(200);
    });

    it("refuses a common password and a short one, naming the field", async () => {
      const common = await call(app.register, { body: { email: uniqueEmail(), name: "Z", password: "passwordpassword" } });
      expect(common.status).toBe(400);
      expect(Object.keys((await common.json()).errors)).toEqual(["password"]);
      const short = await call(app.register, { body: { email: uniqueEmail(), name: "Z", password: "short" } });
      expect(short.status).toBe(400);
    });
  });

  describe("login", () => {
    it("signs in with the right password and answers every failure identically (no enumeration)", async () => {
      const { email } = await signUp();
      const ok = await call(app.login, { body: { email, password: PASSWORD }, jar: new CookieJar() });
      expect(ok.status).toBe(200);

      const wrongPassword = await call(app.login, { body: { email, password: "not the right password" } });
      const unknownEmail = await call(app.login, { body: { email: uniqueEmail(), password: "not the right password" } });
      const strip = async (response: Response) => {
        const { requestId: _requestId, ...rest } = await response.json();
        return { status: response.status, body: rest };
      };
      expect(await strip(wrongPassword)).toEqual(await strip(unknownEmail));
      expect(wrongPassword.status).toBe(401);
    });

    it("refuses the sixth attempt on an account after five failures, even with the right password (429)", async () => {
      const { email } = await signUp();
      for (let i = 0; i < 5; i++) {
        expect((await call(app.login, { body: { email, password: `wrong guess number ${i}` } })).status).toBe(401);
      }
      const blocked = await call(app.login, { body: { email, password: PASSWORD } });
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(blocked.headers.get("content-type")).toBe("application/problem+json");
      expect(blocked.headers.getSetCookie()).toEqual([]);
    });

    it("does not count successful sign-ins toward the limit", async () => {
      const { email } = await signUp();
      for (let i = 0; i < 8; i++) expect((await call(app.login, { body: { email, password: PASSWORD } })).status).toBe(200);
    });

    it("refuses a disabled account with the same generic answer", async () => {
      const { email, userId } = await signUp();
      await app.db.user.update({ where: { id: userId }, data: { disabledAt: new Date() } });
      const response = await call(app.login, { body: { email, password: PASSWORD } });
      expect(response.status).toBe(401);
      expect((await response.json()).title).toBe("Invalid email or password");
    });
  });

  describe("refresh rotation and reuse detection", () => {
    it("rotates the refresh token and issues a new access token", async () => {
      const { jar } = await signUp();
      const before = jar.cookies.get(REFRESH);
      const response = await call(app.refresh, { method: "POST", jar });
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(jar.cookies.get(REFRESH)).not.toBe(before);
    });

    it("replayed refresh token after the grace window revokes the whole family", async () => {
      const { jar } = await signUp();
      const stolen = jar.clone();
      expect((await call(app.refresh, { method: "POST", jar })).status).toBe(200);
      travel(11);
      const replay = await call(app.refresh, { method: "POST", jar: stolen });
      expect(replay.status).toBe(401);
      // The legitimate, newer token dies with the family.
      expect((await call(app.refresh, { method: "POST", jar })).status).toBe(401);
      expect((await call(app.me, { jar })).status).toBe(401);
      const events = await app.db.auditEvent.count({ where: { type: "refresh.reuse_detected" } });
      expect(events).toBeGreaterThan(0);
    });

    it("tolerates the immediate predecessor within the grace window: access token only, no second chain", async () => {
      const { jar } = await signUp();
      const otherTab = jar.clone();
      expect((await call(app.refresh, { method: "POST", jar })).status).toBe(200);
      const late = await call(app.refresh, { method: "POST", jar: otherTab });
      expect(late.status).toBe(200);
      const setCookies = late.headers.getSetCookie();
      expect(setCookies.some((cookie) => cookie.startsWith(`${ACCESS}=`))).toBe(true);
      expect(setCookies.some((cookie) => cookie.startsWith(`${REFRESH}=`))).toBe(false);
      // The live chain is unharmed.
      expect((await call(app.refresh, { method: "POST", jar })).status).toBe(200);
    });

    it("a token two generations old is reuse even inside the grace window", async () => {
      const { jar } = await signUp();
      const ancient = jar.clone();
      expect((await call(app.refresh, { method: "POST", jar })).status).toBe(200);
      expect((await call(app.refresh, { method: "POST", jar })).status).toBe(200);
      expect((await call(app.refresh, { method: "POST", jar: ancient })).status).toBe(401);
      expect((await call(app.refresh, { method: "POST", jar })).status).toBe(401);
    });

    it("fifty parallel refreshes with one token mint exactly one successor", async () => {
      const { jar, userId } = await signUp();
      const responses = await Promise.all(Array.from({ length: 50 }, () => call(app.refresh, { method: "POST", jar: jar.clone() })));
      const statuses = responses.map((response) => response.status);
      expect(statuses.filter((status) => status >= 500)).toEqual([]);
      const newRefreshCookies = responses.filter((response) =>
        response.headers.getSetCookie().some((c) => c.startsWith(`${REFRESH}=`) && !c.includes("Max-Age=0")),
      );
      expect(newRefreshCookies).toHaveLength(1);
      expect(statuses.every((status) => status === 200)).toBe(true);
      const session = await app.db.session.findFirstOrThrow({ where: { userId }, select: { id: true, revokedAt: true } });
      expect(session.revokedAt).toBeNull();
      const live = await app.db.refreshToken.count({ where: { sessionId: session.id, rotatedAt: null } });
      expect(live).toBe(1);
      jar.store(newRefreshCookies[0]!);
      expect((await call(app.refresh, { method: "POST", jar })).status).toBe(200);
    });

    it("refuses a malformed, unknown or forged refresh token without revoking anything", async () => {
      const { jar } = await signUp();
      const token = jar.cookies.get(REFRESH)!;
      const [id] = token.split(".");
      for (const bad of ["garbage", `${id}.${"A".repeat(43)}`, `${"B".repeat(22)}.${"C".repeat(43)}`]) {
        const forged = new CookieJar();
        forged.cookies.set(REFRESH, bad);
        expect((await call(app.refresh, { method: "POST", jar: forged })).status).toBe(401);
      }
      expect((await call(app.refresh, { method: "POST", jar })).status).toBe(200);
    });
  });

  describe("session lifetime", () => {
    it("ends a session idle for more than 7 days", async () => {
      const { jar } = await signUp();
      travel(7 * 86_400 + 1);
      expect((await call(app.refresh, { method: "POST", jar })).status).toBe(401);
    });

    it("ends a session 30 days after sign-in however often it is refreshed", async () => {
      const { jar } = await signUp();
      for (const day of [6, 12, 18, 24]) {
        travel(day * 86_400);
        expect((await call(app.refresh, { method: "POST", jar })).status).toBe(200);
      }
      travel(30 * 86_400 + 1);
      expect((await call(app.refresh, { method: "POST", jar })).status).toBe(401);
    });
  });

  describe("logout, logout-all and password change", () => {
    it("logout revokes this session and clears both cookies", async () => {
      const { jar } = await signUp();
      const copy = jar.clone();
      const response = await call(app.logout, { method: "POST", jar });
      expect(response.status).toBe(204);
      expect(jar.cookies.size).toBe(0);
      expect((await call(app.refresh, { method: "POST", jar: copy })).status).toBe(401);
      expect((await call(app.me, { jar: copy })).status).toBe(401);
    });

    it("logout-all revokes every session of the user", async () => {
      const { jar, email } = await signUp();
      const laptop = new CookieJar();
      expect((await call(app.login, { body: { email, password: PASSWORD }, jar: laptop })).status).toBe(200);
      expect((await call(app.logoutAll, { method: "POST", jar })).status).toBe(204);
      expect((await call(app.refresh, { method: "POST", jar: laptop })).status).toBe(401);
      expect((await call(app.me, { jar: laptop })).status).toBe(401);
    });

    it("changing the password keeps this session and revokes all others", async () => {
      const { jar, email } = await signUp();
      const phone = new CookieJar();
      await call(app.login, { body: { email, password: PASSWORD }, jar: phone });
      const newPassword = "a completely different phrase";
      const wrong = await call(app.changePassword, { body: { currentPassword: "wrong wrong wrong", newPassword }, jar });
      expect(wrong.status).toBe(400);
      expect((await call(app.changePassword, { body: { currentPassword: PASSWORD, newPassword }, jar })).status).toBe(204);
      expect((await call(app.me, { jar })).status).toBe(200);
      expect((await call(app.me, { jar: phone })).status).toBe(401);
      expect((await call(app.login, { body: { email, password: newPassword } })).status).toBe(200);
    });
  });

  describe("users who change underneath a session", () => {
    it("a deleted user loses access at once and at the next refresh", async () => {
      const { jar, userId } = await signUp();
      await app.db.user.delete({ where: { id: userId } });
      expect((await call(app.me, { jar })).status).toBe(401);
      expect((await call(app.refresh, { method: "POST", jar })).status).toBe(401);
    });

    it("a disabled user loses access at once and at the next refresh", async () => {
      const { jar, userId } = await signUp();
      await app.db.user.update({ where: { id: userId }, data: { disabledAt: new Date() } });
      expect((await call(app.me, { jar })).status).toBe(401);
      expect((await call(app.refresh, { method: "POST", jar })).status).toBe(401);
    });

    it("a demoted admin gets the user role in the next token and in the guard at once", async () => {
      const { jar, userId } = await signUp();
      await app.db.user.update({ where: { id: userId }, data: { role: "ADMIN" } });
      const asAdmin = await call(app.refresh, { method: "POST", jar });
      expect((await asAdmin.json()).user.role).toBe("admin");
      await app.db.user.update({ where: { id: userId }, data: { role: "USER" } });
      expect((await (await call(app.me, { jar })).json()).role).toBe("user");
      expect((await (await call(app.refresh, { method: "POST", jar })).json()).user.role).toBe("user");
    });
  });

  describe("account deletion", () => {
    it("an account without a password can be deleted only soon after signing in (a stolen session cannot)", async () => {
      const { jar, userId } = await signUp();
      await app.db.user.update({ where: { id: userId }, data: { passwordHash: null } });
      travel(11 * 60);
      const stale = await call(app.deleteMe, { method: "DELETE", body: {}, jar });
      expect(stale.status).toBe(403);
      expect(await app.db.user.count({ where: { id: userId } })).toBe(1);
      vi.useRealTimers();
      const fresh = await call(app.deleteMe, { method: "DELETE", body: {}, jar });
      expect(fresh.status).toBe(204);
    });

    it("refuses to let the last admin delete their own account (409), and changes nothing", async () => {
      await app.db.user.updateMany({ where: { role: "ADMIN" }, data: { role: "USER" } });
      const { jar, userId } = await signUp();
      await app.db.user.update({ where: { id: userId }, data: { role: "ADMIN" } });
      const refused = await call(app.deleteMe, { method: "DELETE", body: { password: PASSWORD }, jar });
      expect(refused.status).toBe(409);
      expect(await app.db.user.count({ where: { id: userId } })).toBe(1);
      await app.db.user.update({ where: { id: userId }, data: { role: "USER" } });
    });

    it("needs the current password, then removes the user, their sessions and their cookies", async () => {
      const { jar, userId } = await signUp();
      const refused = await call(app.deleteMe, { method: "DELETE", body: { password: "not my password" }, jar });
      expect(refused.status).toBe(400);
      expect(await app.db.user.count({ where: { id: userId } })).toBe(1);
      const copy = jar.clone();
      const deleted = await call(app.deleteMe, { method: "DELETE", body: { password: PASSWORD }, jar });
      expect(deleted.status).toBe(204);
      expect(jar.cookies.size).toBe(0);
      expect(await app.db.user.count({ where: { id: userId } })).toBe(0);
      expect(await app.db.session.count({ where: { userId } })).toBe(0);
      expect((await call(app.refresh, { method: "POST", jar: copy })).status).toBe(401);
    });
  });

  describe("account deletion sent twice", () => {
    it("a double-submitted deletion deletes once; the other answer is a 401, never a 500", async () => {
      const { jar, userId } = await signUp();
      const statuses = await Promise.all(
        [jar.clone(), jar.clone()].map(async (copy) => (await call(app.deleteMe, { method: "DELETE", body: { password: PASSWORD }, jar: copy })).status),
      );
      expect(statuses.sort()).toEqual([204, 401]);
      expect(await app.db.user.count({ where: { id: userId } })).toBe(0);
    });
  });

  describe("guards on a protected handler", () => {
    it("accept the access cookie and an Authorization: Bearer header", async () => {
      const { jar, userId } = await signUp();
      const viaCookie = await call(app.me, { jar });
      expect(viaCookie.status).toBe(200);
      expect((await viaCookie.json()).id).toBe(userId);
      const bearer = await call(app.me, { headers: { authorization: `Bearer ${jar.cookies.get(ACCESS)}` } });
      expect(bearer.status).toBe(200);
    });

    it("refuse a handler called directly with no token: the middleware is not the only check (CVE-2025-29927)", async () => {
      const response = await call(app.me, { headers: { "x-middleware-subrequest": "middleware:middleware:middleware:middleware:middleware" } });
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
    });

    it("refuse a refresh token presented as a bearer token", async () => {
      const { jar } = await signUp();
      const response = await call(app.me, { headers: { authorization: `Bearer ${jar.cookies.get(REFRESH)}` } });
      expect(response.status).toBe(401);
    });

    it("refuse a malformed Authorization header", async () => {
      expect((await call(app.me, { headers: { authorization: "Basic dXNlcjpwYXNz" } })).status).toBe(401);
    });
  });

  describe("sessions", () => {
    it("lists the caller's live sessions and marks the current one", async () => {
      const { jar, email } = await signUp();
      await call(app.login, { body: { email, password: PASSWORD }, headers: { "user-agent": "Laptop Browser" } });
      const response = await call(app.sessions, { jar });
      const { sessions } = (await response.json()) as { sessions: { id: string; current: boolean; userAgent: string | null }[] };
      expect(sessions).toHaveLength(2);
      expect(sessions.filter((s) => s.current)).toHaveLength(1);
      expect(sessions.map((s) => s.userAgent)).toContain("Laptop Browser");
    });

    it("revokes one of the caller's own sessions, and answers 404 for anyone else's", async () => {
      const alice = await signUp();
      const bob = await signUp();
      const bobSessions = (await (await call(app.sessions, { jar: bob.jar })).json()).sessions as { id: string }[];
      const bobSession = bobSessions[0]!.id;
      const attempt = await call(app.revokeSession, { method: "DELETE", jar: alice.jar, params: { id: bobSession } });
      expect(attempt.status).toBe(404);
      expect((await call(app.me, { jar: bob.jar })).status).toBe(200);
      expect((await call(app.revokeSession, { method: "DELETE", jar: bob.jar, params: { id: bobSession } })).status).toBe(204);
      expect((await call(app.me, { jar: bob.jar })).status).toBe(401);
    });
  });

  describe("JWKS", () => {
    it("publishes the RS256 public key with kid, alg and use, and nothing private", async () => {
      const response = await call(app.jwks);
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toMatch(/max-age=600/);
      const { keys } = (await response.json()) as { keys: Record<string, unknown>[] };
      expect(keys).toHaveLength(1);
      expect(keys[0]).toMatchObject({ kty: "RSA", alg: "RS256", use: "sig", kid: expect.any(String), e: "AQAB" });
      expect(Object.keys(keys[0]!).sort()).toEqual(["alg", "e", "kid", "kty", "n", "use"]);
    });
  });
});
