/**
 * Who may add a second factor (lib/auth/step-up.ts `requireEnrolmentProof`; ADR 047), through the
 * real route handlers on PGlite and Postgres. A factor is a lock the owner cannot pick: one added
 * by someone else keeps the owner out, and a password reset does not remove it. The attacker here
 * holds a session cookie stolen minutes after a sign-in, or squats an address they do not own.
 */
import { describe, expect, it } from "vitest";
import { totpCode, totpStep } from "@/lib/auth/mfa/totp";
import { call, type CookieJar, type Handler } from "../support/http";
import { APP_ORIGIN, mailFlowSuite, NEW_PASSWORD, PASSWORD, problemType, type Person } from "../support/mail-flows";
import { databaseKinds } from "../support/databases";

interface Routes {
  startTotp: Handler;
  passkeyOptions: Handler;
  stepUp: Handler;
}

describe.each(databaseKinds())("adding a second factor on %s", (kind) => {
  const suite = mailFlowSuite(kind);
  let routes: Routes | undefined;

  async function load(): Promise<Routes> {
    routes ??= {
      startTotp: (await import("@/app/api/auth/mfa/totp/route")).POST as unknown as Handler,
      passkeyOptions: (await import("@/app/api/auth/passkeys/registration/options/route")).POST as unknown as Handler,
      stepUp: (await import("@/app/api/auth/step-up/route")).POST as unknown as Handler,
    };
    return routes;
  }

  const post = async (route: keyof Routes, jar: CookieJar, body?: unknown) =>
    call((await load())[route], { method: "POST", url: `${APP_ORIGIN}/api/auth/test`, jar, ...(body === undefined ? {} : { body }) });

  /** The session as a sign-in leaves it: the password proved once, when it was opened, and not since. */
  async function justSignedIn(person: Person): Promise<void> {
    const session = await suite.db.session.findUniqueOrThrow({ where: { id: person.sessionId }, select: { authTime: true } });
    await suite.db.session.update({ where: { id: person.sessionId }, data: { createdAt: session.authTime } });
  }

  it("a cookie from a sign-in a minute ago cannot add the first authenticator app or passkey: the password must be typed again", async () => {
    const person = await suite.people.person({ label: "stolen-cookie" });
    await justSignedIn(person);
    const jar = person.jar();
    for (const route of ["startTotp", "passkeyOptions"] as const) {
      const response = await post(route, jar);
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toContain('error="insufficient_user_authentication"');
      expect(await response.json()).toMatchObject({ stepUp: { methods: ["password"] } });
    }
    expect(await suite.db.totpFactor.count({ where: { userId: person.id } })).toBe(0);
    expect((await post("stepUp", jar, { password: PASSWORD })).status).toBe(200);
    expect((await post("startTotp", jar)).status).toBe(201);
  });

  it("an address never confirmed cannot carry a second factor: 409, and nothing is stored", async () => {
    const squatter = await suite.people.person({ label: "unconfirmed", verified: false });
    const jar = squatter.jar();
    for (const route of ["startTotp", "passkeyOptions"] as const) {
      const response = await post(route, jar);
      expect(response.status).toBe(409);
      expect(await problemType(response)).toBe("/problems/email-unverified");
    }
    expect(await suite.db.totpFactor.count({ where: { userId: squatter.id } })).toBe(0);
    expect(await suite.db.passkeyChallenge.count({ where: { userId: squatter.id } })).toBe(0);
  });

  describe("a reset through the mailed link", () => {
    /** A confirmed TOTP factor and recovery codes, set up directly (an account enrolled before the rule above). */
    async function withFactor(person: Person): Promise<void> {
      const factors = await import("@/lib/auth/mfa/totp-factor");
      const codes = await import("@/lib/auth/mfa/recovery-codes");
      const started = await factors.startTotpEnrolment(suite.db, person.id);
      if (!started.ok) throw new Error(started.reason);
      await factors.confirmTotpEnrolment(suite.db, person.id, totpCode(started.secret, totpStep(new Date())));
      await codes.replaceRecoveryCodes(suite.db, person.id);
    }

    async function reset(person: Person): Promise<void> {
      const { issueEmailToken } = await import("@/lib/users/email-tokens");
      const token = await issueEmailToken(suite.db, { userId: person.id, email: person.email, purpose: "RESET_PASSWORD" });
      const response = await call(suite.routes.reset, { method: "POST", body: { token, newPassword: NEW_PASSWORD } });
      expect(response.status, await response.clone().text()).toBe(200);
    }

    it("of an address never confirmed removes the factors whoever held it set up, so they neither lock the owner out nor let the squatter back in", async () => {
      const squatted = await suite.people.person({ label: "squatted-reset", verified: false });
      await withFactor(squatted);
      await reset(squatted);
      expect(await suite.db.totpFactor.count({ where: { userId: squatted.id } })).toBe(0);
      expect(await suite.db.recoveryCode.count({ where: { userId: squatted.id } })).toBe(0);
      // The owner signs in with the new password alone.
      const login = await call(suite.routes.login, { method: "POST", body: { email: squatted.email, password: NEW_PASSWORD } });
      expect(login.status).toBe(200);
    });

    it("of a confirmed address keeps its factors: a mailbox alone does not undo the second factor", async () => {
      const owner = await suite.people.person({ label: "confirmed-reset" });
      await withFactor(owner);
      await reset(owner);
      expect(await suite.db.totpFactor.count({ where: { userId: owner.id } })).toBe(1);
      const login = await call(suite.routes.login, { method: "POST", body: { email: owner.email, password: NEW_PASSWORD } });
      expect(login.status).toBe(202);
    });
  });
});
