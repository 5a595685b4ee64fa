/**
 * A second factor on every way in, and step-up before what matters
 * (docs/decisions/047-second-factor-sign-in-and-step-up.md), through the real route handlers, on
 * PGlite and Postgres, with notices read from a real SMTP server.
 *
 * The attacker here has the password (phished, reused, guessed), or a provider account that
 * vouches for the victim's address, or a session cookie; each test is one way they would try to
 * get past the second factor.
 */
import { describe, expect, it } from "vitest";
import type { Handler } from "../support/http";
import { call, CookieJar } from "../support/http";
import { totpCode, totpStep } from "@/lib/auth/mfa/totp";
import { ACCESS_COOKIE, APP_ORIGIN, mailFlowSuite, PASSWORD, problemType, REFRESH_COOKIE, type Person } from "../support/mail-flows";
import { databaseKinds } from "../support/databases";

const PENDING_COOKIE = "__Host-palisade-2fa";
const STEP_MS = 30_000;
const STEP_UP_CHALLENGE = /^Bearer error="insufficient_user_authentication", error_description="[^"]+", max_age=600$/;

interface Enrolled {
  secret: Uint8Array;
  recoveryCodes: string[];
  /** The code of the time step `offset` steps from now (0: current). Each step passes once. */
  code(offset?: number): string;
}

function payloadOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split(".")[1] as string, "base64url").toString("utf8")) as Record<string, unknown>;
}

describe.each(databaseKinds())("second-factor sign-in and step-up on %s", (kind) => {
  const suite = mailFlowSuite(kind);
  let secondStep: Handler;
  let stepUpRoute: Handler;

  async function routes() {
    secondStep ??= (await import("@/app/api/auth/login/second-factor/route")).POST as unknown as Handler;
    stepUpRoute ??= (await import("@/app/api/auth/step-up/route")).POST as unknown as Handler;
  }

  /** Enrol a TOTP factor the way the app does, confirmed with the previous step's code, and make recovery codes. */
  async function enrol(userId: string): Promise<Enrolled> {
    const factors = await import("@/lib/auth/mfa/totp-factor");
    const codes = await import("@/lib/auth/mfa/recovery-codes");
    const started = await factors.startTotpEnrolment(suite.db, userId);
    if (!started.ok) throw new Error(`enrolment refused: ${started.reason}`);
    const previous = new Date(Date.now() - STEP_MS);
    const confirmed = await factors.confirmTotpEnrolment(suite.db, userId, totpCode(started.secret, totpStep(previous)), previous);
    if (!confirmed.ok) throw new Error(`confirmation refused: ${confirmed.reason}`);
    const recoveryCodes = (await codes.replaceRecoveryCodes(suite.db, userId)) as string[];
    const secret = started.secret;
    return { secret, recoveryCodes, code: (offset = 0) => totpCode(secret, totpStep(new Date()) + offset) };
  }

  async function personWithFactor(label: string): Promise<Person & Enrolled> {
    await routes();
    const person = await suite.people.person({ label });
    return { ...person, ...(await enrol(person.id)) };
  }

  const login = (email: string, jar = new CookieJar()) => call(suite.routes.login, { method: "POST", body: { email, password: PASSWORD }, jar });
  const finish = (jar: CookieJar, body: Record<string, unknown>) => call(secondStep, { method: "POST", body, jar });
  const stepUp = (jar: CookieJar, body: Record<string, unknown>) => call(stepUpRoute, { method: "POST", body, jar });
  const changeEmail = (jar: CookieJar, email: string) =>
    call(suite.routes.changeEmail, { method: "POST", url: `${APP_ORIGIN}/api/auth/email`, body: { email }, jar });
  const sessionCount = (userId: string) => suite.db.session.count({ where: { userId } });

  describe("the first factor alone", () => {
    it("a right password for an account with a second factor opens nothing: 202, a pending cookie, no token and no session", async () => {
      const person = await personWithFactor("two-step");
      const before = await sessionCount(person.id);
      const jar = new CookieJar();
      const response = await login(person.email, jar);
      expect(response.status).toBe(202);
      expect(await response.json()).toEqual({ secondFactor: { methods: ["totp", "recovery-code"] } });
      expect([...jar.cookies.keys()]).toEqual([PENDING_COOKIE]);
      expect(response.headers.getSetCookie().find((cookie) => cookie.startsWith(PENDING_COOKIE))).toMatch(/HttpOnly; Secure; SameSite=Strict/);
      expect(await sessionCount(person.id)).toBe(before);
    });

    it("the pending sign-in is not a session: its cookie alone reads nothing", async () => {
      const person = await personWithFactor("not-a-session");
      const jar = new CookieJar();
      await login(person.email, jar);
      const me = await call(suite.routes.me, { jar });
      expect(me.status).toBe(401);
    });

    it("a wrong password still answers the one generic 401, with no pending sign-in", async () => {
      const person = await personWithFactor("wrong-password");
      const jar = new CookieJar();
      const response = await call(suite.routes.login, { method: "POST", body: { email: person.email, password: "not the password at all" }, jar });
      expect(response.status).toBe(401);
      expect(jar.cookies.size).toBe(0);
      expect(await suite.db.pendingSignIn.count({ where: { userId: person.id } })).toBe(0);
    });
  });

  describe("the second step", () => {
    it("a right code signs in, with auth_time and amr pwd+otp+mfa in the access token, and spends the pending sign-in", async () => {
      const person = await personWithFactor("finish");
      const jar = new CookieJar();
      await login(person.email, jar);
      const pending = jar.clone();
      const response = await finish(jar, { code: person.code() });
      expect(response.status).toBe(200);
      expect(jar.cookies.has(PENDING_COOKIE)).toBe(false);
      const claims = payloadOf(jar.cookies.get(ACCESS_COOKIE) as string);
      expect(claims.amr).toEqual(["pwd", "otp", "mfa"]);
      expect(Math.abs((claims.auth_time as number) - Date.now() / 1000)).toBeLessThan(10);
      expect((await call(suite.routes.me, { jar })).status).toBe(200);
      // The same pending cookie, even with a fresh code, opens nothing a second time.
      const again = await finish(pending, { code: person.code(1) });
      expect(again.status).toBe(401);
      expect(await problemType(again)).toBe("/problems/second-factor-expired");
    });

    it("a TOTP code seen once is refused the second time it is typed (replay within its window)", async () => {
      const person = await personWithFactor("replay");
      const code = person.code();
      const first = new CookieJar();
      await login(person.email, first);
      expect((await finish(first, { code })).status).toBe(200);
      const second = new CookieJar();
      await login(person.email, second);
      const replayed = await finish(second, { code });
      expect(replayed.status).toBe(401);
      expect(await problemType(replayed)).toBe("/problems/second-factor-invalid");
      expect(second.cookies.has(ACCESS_COOKIE)).toBe(false);
    });

    it("the 6th wrong code in 15 minutes is refused with 429 and Retry-After, before the code is looked at", async () => {
      const person = await personWithFactor("guessing");
      const jar = new CookieJar();
      await login(person.email, jar);
      const right = person.code();
      const wrong = right === "000000" ? "111111" : "000000";
      for (let attempt = 1; attempt <= 5; attempt++) expect((await finish(jar, { code: wrong })).status).toBe(401);
      const sixth = await finish(jar, { code: right });
      expect(sixth.status).toBe(429);
      expect(Number(sixth.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(jar.cookies.has(ACCESS_COOKIE)).toBe(false);
      // The owner hears that someone is past the password.
      await suite.settle();
      const notices = await suite.mail.delivered(person.email);
      expect(notices.map((message) => message.subject)).toContain("Wrong sign-in codes for your Palisade account");
    });

    it("a wrong code keeps the pending sign-in, so a typo costs one attempt, not the password", async () => {
      const person = await personWithFactor("typo");
      const jar = new CookieJar();
      await login(person.email, jar);
      const right = person.code();
      expect((await finish(jar, { code: right === "123456" ? "654321" : "123456" })).status).toBe(401);
      expect((await finish(jar, { code: right })).status).toBe(200);
    });

    it("a recovery code signs in once, mails the owner how many are left, and is refused the second time", async () => {
      const person = await personWithFactor("recovery");
      const code = person.recoveryCodes[0] as string;
      const first = new CookieJar();
      await login(person.email, first);
      expect((await finish(first, { recoveryCode: code.toLowerCase() })).status).toBe(200);
      const second = new CookieJar();
      await login(person.email, second);
      const reused = await finish(second, { recoveryCode: code });
      expect(reused.status).toBe(401);
      await suite.settle();
      const notices = await suite.mail.delivered(person.email);
      const used = notices.find((message) => message.subject === "A recovery code was used on your Palisade account");
      expect(used?.text).toContain("9 codes are left");
    });

    it("a sign-in waiting too long is refused: the first factor must be proved again", async () => {
      const person = await personWithFactor("stale-pending");
      const jar = new CookieJar();
      await login(person.email, jar);
      await suite.db.pendingSignIn.updateMany({ where: { userId: person.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
      const response = await finish(jar, { code: person.code() });
      expect(response.status).toBe(401);
      expect(await problemType(response)).toBe("/problems/second-factor-expired");
    });

    it("one person's code does not finish another person's sign-in", async () => {
      const victim = await personWithFactor("victim");
      const attacker = await personWithFactor("attacker");
      const jar = new CookieJar();
      await login(victim.email, jar);
      const response = await finish(jar, { code: attacker.code() });
      expect(response.status).toBe(401);
      expect(jar.cookies.has(ACCESS_COOKIE)).toBe(false);
    });

    it("someone repeating the right password cannot cancel the owner's waiting sign-in, nor the owner's reset link", async () => {
      const person = await personWithFactor("two-tabs");
      const owner = new CookieJar();
      await login(person.email, owner);
      const { issueEmailToken } = await import("@/lib/users/email-tokens");
      await issueEmailToken(suite.db, { userId: person.id, email: person.email, purpose: "RESET_PASSWORD" });
      for (let attempt = 0; attempt < 3; attempt++) expect((await login(person.email)).status).toBe(202);
      expect(await suite.db.emailToken.count({ where: { userId: person.id, purpose: "RESET_PASSWORD" } })).toBe(1);
      expect((await finish(owner, { code: person.code() })).status).toBe(200);
      // Both factors passed: now the reset link dies, as at any sign-in.
      expect(await suite.db.emailToken.count({ where: { userId: person.id, purpose: "RESET_PASSWORD" } })).toBe(0);
    });

    it("a password change ends the sign-ins waiting for a second factor", async () => {
      const person = await personWithFactor("change-ends-pending");
      const waiting = new CookieJar();
      await login(person.email, waiting);
      const { changePassword } = await import("@/lib/auth/credentials");
      const context = { ip: null, userAgent: "test", requestId: "change-ends-pending" };
      await changePassword(suite.db, person.id, person.sessionId, { currentPassword: PASSWORD, newPassword: "an entirely new pass phrase" }, context);
      expect(await problemType(await finish(waiting, { code: person.code() }))).toBe("/problems/second-factor-expired");
    });

    it("a pending sign-in is stored only as a hash of its cookie", async () => {
      const person = await personWithFactor("hashed");
      const jar = new CookieJar();
      await login(person.email, jar);
      const row = await suite.db.pendingSignIn.findFirstOrThrow({ where: { userId: person.id } });
      expect(row.id).not.toContain(jar.cookies.get(PENDING_COOKIE) as string);
      expect(row.id).toMatch(/^[0-9a-f]{64}$/);
    });
  });

  describe("other ways in", () => {
    it("a provider sign-in for an account with a second factor opens nothing until the factor passes", async () => {
      const person = await personWithFactor("provider");
      await suite.db.account.create({ data: { userId: person.id, provider: "github", providerAccountId: `gh-${person.id}`, email: person.email } });
      const { resolveProviderSignIn } = await import("@/lib/auth/oauth/linking");
      const before = await sessionCount(person.id);
      const outcome = await resolveProviderSignIn(
        suite.db,
        { provider: "github", providerAccountId: `gh-${person.id}`, email: person.email, emailVerified: true, name: person.name },
        null,
        { ip: null, userAgent: "test", requestId: "provider-2fa" },
      );
      expect(outcome.kind).toBe("second-factor");
      expect(await sessionCount(person.id)).toBe(before);
      const row = await suite.db.pendingSignIn.findFirstOrThrow({ where: { userId: person.id } });
      expect(row).toMatchObject({ firstFactor: "fed", provider: "github" });
      // Finishing it names the provider as the first factor.
      const jar = new CookieJar();
      jar.store(new Response(null, { headers: { "set-cookie": (outcome as { cookie: string }).cookie } }));
      expect((await finish(jar, { code: person.code() })).status).toBe(200);
      expect(payloadOf(jar.cookies.get(ACCESS_COOKIE) as string).amr).toEqual(["fed", "otp", "mfa"]);
    });

    it("a provider claiming an unverified account removes the squatter's authenticator and codes", async () => {
      await routes();
      const squatter = await suite.people.person({ label: "squatted", verified: false });
      await enrol(squatter.id);
      const { resolveProviderSignIn } = await import("@/lib/auth/oauth/linking");
      const outcome = await resolveProviderSignIn(
        suite.db,
        { provider: "google", providerAccountId: `g-${squatter.id}`, email: squatter.email, emailVerified: true, name: "Real Owner" },
        null,
        { ip: null, userAgent: "test", requestId: "claim-2fa" },
      );
      expect(outcome.kind).toBe("signed-in");
      expect(await suite.db.totpFactor.count({ where: { userId: squatter.id } })).toBe(0);
      expect(await suite.db.recoveryCode.count({ where: { userId: squatter.id } })).toBe(0);
    });

    it("a refresh carries the sign-in's auth_time and amr forward unchanged", async () => {
      const person = await personWithFactor("refresh");
      const jar = new CookieJar();
      await login(person.email, jar);
      await finish(jar, { code: person.code() });
      const before = payloadOf(jar.cookies.get(ACCESS_COOKIE) as string);
      expect(jar.cookies.has(REFRESH_COOKIE)).toBe(true);
      expect((await call(suite.routes.refresh, { method: "POST", jar })).status).toBe(200);
      const after = payloadOf(jar.cookies.get(ACCESS_COOKIE) as string);
      expect(after.jti).not.toBe(before.jti);
      expect({ auth_time: after.auth_time, amr: after.amr }).toEqual({ auth_time: before.auth_time, amr: before.amr });
    });
  });

  describe("step-up", () => {
    async function signedInWithOldFactor(label: string) {
      const person = await personWithFactor(label);
      const jar = new CookieJar();
      await login(person.email, jar);
      await finish(jar, { code: person.code() });
      const eleven = new Date(Date.now() - 11 * 60 * 1000);
      await suite.db.session.updateMany({ where: { userId: person.id }, data: { authTime: eleven, secondFactorAt: eleven, createdAt: eleven } });
      return { person, jar };
    }

    it("a sensitive action with a second factor proved over 10 minutes ago answers the RFC 9470 challenge, and changes nothing", async () => {
      const { person, jar } = await signedInWithOldFactor("stale-factor");
      const response = await changeEmail(jar, `moved-${person.id}@example.com`);
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(STEP_UP_CHALLENGE);
      expect(await response.json()).toMatchObject({ type: "/problems/step-up-required", stepUp: { methods: ["totp", "recovery-code"], maxAge: 600 } });
      expect(await suite.db.emailToken.count({ where: { userId: person.id } })).toBe(0);
    });

    it("a step-up with a code lets the same action through, and the new access token carries the new auth_time", async () => {
      const { person, jar } = await signedInWithOldFactor("step-up");
      const before = payloadOf(jar.cookies.get(ACCESS_COOKIE) as string);
      const stepped = await stepUp(jar, { code: person.code(1) });
      expect(stepped.status).toBe(200);
      expect(await stepped.json()).toMatchObject({ amr: ["pwd", "otp", "mfa"] });
      const after = payloadOf(jar.cookies.get(ACCESS_COOKIE) as string);
      expect(after.jti).not.toBe(before.jti);
      expect(Math.abs((after.auth_time as number) - Date.now() / 1000)).toBeLessThan(10);
      const session = await suite.db.session.findUniqueOrThrow({ where: { id: after.sid as string }, select: { secondFactorAt: true } });
      expect(Date.now() - (session.secondFactorAt as Date).getTime()).toBeLessThan(10_000);
      expect((await changeEmail(jar, `moved-${person.id}@example.com`)).status).toBe(202);
    });

    it("a password cannot stand in for the second factor at a step-up", async () => {
      const { jar } = await signedInWithOldFactor("password-step-up");
      const response = await stepUp(jar, { password: PASSWORD });
      expect(response.status).toBe(400);
    });

    it("the session, not the token, decides: an access token minted after a step-up proves nothing once the session's proof is old", async () => {
      const { person, jar } = await signedInWithOldFactor("token-not-session");
      expect((await stepUp(jar, { code: person.code(1) })).status).toBe(200);
      const eleven = new Date(Date.now() - 11 * 60 * 1000);
      await suite.db.session.updateMany({ where: { userId: person.id }, data: { secondFactorAt: eleven } });
      expect((await changeEmail(jar, `moved-${person.id}@example.com`)).status).toBe(401);
    });

    it("wrong step-up codes draw on the same budget as sign-in: a stolen session gets no extra guesses", async () => {
      const { person, jar } = await signedInWithOldFactor("step-up-guessing");
      const right = person.code(1);
      const wrong = right === "000000" ? "111111" : "000000";
      for (let attempt = 1; attempt <= 5; attempt++) expect((await stepUp(jar, { code: wrong })).status).toBe(401);
      expect((await stepUp(jar, { code: right })).status).toBe(429);
      // And the sign-in's second step is now refused too: one budget per account.
      const other = new CookieJar();
      await login(person.email, other);
      expect((await finish(other, { code: right })).status).toBe(429);
    });

    it("an account without a second factor steps up with its password, which makes the sign-in recent again", async () => {
      await routes();
      const person = await suite.people.person({ label: "no-factor" });
      const jar = person.jar();
      const eleven = new Date(Date.now() - 11 * 60 * 1000);
      await suite.db.session.updateMany({ where: { userId: person.id }, data: { authTime: eleven, createdAt: eleven } });
      expect((await changeEmail(jar, `moved-${person.id}@example.com`)).status).toBe(403);
      expect((await stepUp(jar, { password: PASSWORD })).status).toBe(200);
      expect((await changeEmail(jar, `moved-${person.id}@example.com`)).status).toBe(202);
    });
  });
});
