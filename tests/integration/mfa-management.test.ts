/**
 * Managing an account's second factors (lib/auth/mfa/manage-*.ts) through the real route
 * handlers, on PGlite and Postgres, with every notice read from a real SMTP server. The attacker
 * here holds a session (stolen, or a borrowed laptop) and wants to keep the account: enrol their
 * own authenticator, remove the owner's, mint recovery codes, guess or replay a code, or reach
 * another account's factor. Every change needs a recent authentication (RFC 9470 step-up), every
 * code check draws on the account's one wrong-code budget, the secret and the codes leave the
 * server once, and the owner hears of every change.
 */
import { randomBytes } from "node:crypto";
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { describe, expect, it } from "vitest";
import { hashRecoveryCode, normaliseRecoveryCode, RECOVERY_CODE_COUNT } from "@/lib/auth/mfa/recovery-codes";
import { totpCode, totpStep } from "@/lib/auth/mfa/totp";
import { databaseKinds } from "../support/databases";
import { call, type CookieJar, type Handler } from "../support/http";
import { APP_ORIGIN, mailFlowSuite, PASSWORD, problemType, type Person } from "../support/mail-flows";

const NOTICES = {
  enabled: "Two-step sign-in is on for your Palisade account",
  removed: "Two-step sign-in was turned off for your Palisade account",
  regenerated: "New recovery codes for your Palisade account",
  refused: "Wrong sign-in codes for your Palisade account",
} as const;

const STEP_UP_REQUIRED = "/problems/step-up-required";
const RECOVERY_CODE_FORMAT = /^[0-9A-HJKMNP-TV-Z]{5}(?:-[0-9A-HJKMNP-TV-Z]{5}){4}$/;
/** Older than the step-up's max_age (600 s). */
const ELEVEN_MINUTES_AGO = () => new Date(Date.now() - 11 * 60 * 1000);

async function loadManagementRoutes() {
  const [overview, totp, confirm, codes, stepUp] = await Promise.all([
    import("@/app/api/auth/mfa/route"),
    import("@/app/api/auth/mfa/totp/route"),
    import("@/app/api/auth/mfa/totp/confirm/route"),
    import("@/app/api/auth/mfa/recovery-codes/route"),
    import("@/app/api/auth/step-up/route"),
  ]);
  const h = (handler: unknown) => handler as Handler;
  return {
    overview: h(overview.GET),
    start: h(totp.POST),
    remove: h(totp.DELETE),
    confirm: h(confirm.POST),
    regenerate: h(codes.POST),
    stepUp: h(stepUp.POST),
  };
}

/** The secret an authenticator app would read from the enrolment's manual key. */
function secretOf(manualKey: string): Uint8Array {
  return decodeBase32IgnorePadding(manualKey.replaceAll(" ", ""));
}

const codeNow = (secret: Uint8Array) => totpCode(secret, totpStep(new Date()));

/** Six digits that no step near now gives: wrong whenever the server looks at it. */
function wrongCode(secret: Uint8Array): string {
  const step = totpStep(new Date());
  const near = new Set([-2, -1, 0, 1, 2].map((offset) => totpCode(secret, step + offset)));
  for (let candidate = 0; ; candidate++) {
    const code = String(candidate).padStart(6, "0");
    if (!near.has(code)) return code;
  }
}

describe.each(databaseKinds())("second-factor management on %s", (kind) => {
  const suite = mailFlowSuite(kind, { MFA_ENCRYPTION_KEY: randomBytes(32).toString("base64url") });
  let routes: Awaited<ReturnType<typeof loadManagementRoutes>>;

  const url = (path: string) => `${APP_ORIGIN}${path}`;
  const overview = async (jar: CookieJar) => {
    routes ??= await loadManagementRoutes();
    return call(routes.overview, { url: url("/api/auth/mfa"), jar });
  };
  const start = async (jar: CookieJar) => {
    routes ??= await loadManagementRoutes();
    return call(routes.start, { method: "POST", url: url("/api/auth/mfa/totp"), jar });
  };
  const confirm = async (jar: CookieJar, body: unknown) => {
    routes ??= await loadManagementRoutes();
    return call(routes.confirm, { method: "POST", url: url("/api/auth/mfa/totp/confirm"), body, jar });
  };
  const remove = async (jar: CookieJar) => {
    routes ??= await loadManagementRoutes();
    return call(routes.remove, { method: "DELETE", url: url("/api/auth/mfa/totp"), jar });
  };
  const regenerate = async (jar: CookieJar) => {
    routes ??= await loadManagementRoutes();
    return call(routes.regenerate, { method: "POST", url: url("/api/auth/mfa/recovery-codes"), jar });
  };
  const stepUp = async (jar: CookieJar, body: unknown) => {
    routes ??= await loadManagementRoutes();
    return call(routes.stepUp, { method: "POST", url: url("/api/auth/step-up"), body, jar });
  };

  /** Start an enrolment as `jar`'s session, and return the secret the authenticator app would hold. */
  async function started(jar: CookieJar): Promise<{ secret: Uint8Array; keyUri: string; manualKey: string }> {
    const response = await start(jar);
    expect(response.status, await response.clone().text()).toBe(201);
    const body = (await response.json()) as { keyUri: string; manualKey: string };
    return { ...body, secret: secretOf(body.manualKey) };
  }

  /** A person with a confirmed authenticator, their one signed-in browser, and the codes they were shown. */
  async function enrolled(
    label: string,
  ): Promise<{ person: Person; jar: CookieJar; secret: Uint8Array; recoveryCodes: string[]; confirmedWith: string; step: number }> {
    const person = await suite.people.person({ label });
    const jar = person.jar();
    const { secret } = await started(jar);
    const step = totpStep(new Date());
    const confirmedWith = totpCode(secret, step);
    const response = await confirm(jar, { code: confirmedWith });
    expect(response.status, await response.clone().text()).toBe(200);
    const { recoveryCodes } = (await response.json()) as { recoveryCodes: string[] };
    return { person, jar, secret, recoveryCodes, confirmedWith, step };
  }

  const factorOf = (userId: string) => suite.db.totpFactor.findUnique({ where: { userId }, select: { encryptedSecret: true, confirmedAt: true } });
  const sessionOf = (id: string) =>
    suite.db.session.findUniqueOrThrow({ where: { id }, select: { revokedAt: true, revokedReason: true, secondFactorAt: true, amr: true } });
  const audits = (type: string, userId: string) => suite.db.auditEvent.count({ where: { type, targetId: userId } });
  const subjectsTo = async (address: string) => (await suite.mail.delivered(address)).map((message) => message.subject);

  async function expectStepUpChallenge(response: Response, methods: string[]): Promise<void> {
    expect(response.status).toBe(401);
    expect(await problemType(response)).toBe(STEP_UP_REQUIRED);
    const challenge = response.headers.get("www-authenticate") ?? "";
    expect(challenge).toMatch(/^Bearer /);
    expect(challenge).toContain('error="insufficient_user_authentication"');
    expect(challenge).toMatch(/max_age=600(?:,|$)/);
    expect(((await response.json()) as { stepUp?: { methods: string[] } }).stepUp?.methods).toEqual(methods);
  }

  describe("enrolment", () => {
    it("refuses a session whose sign-in is older than 10 minutes: 401 insufficient_user_authentication with max_age=600, and stores no secret", async () => {
      const person = await suite.people.person({ label: "stale-enrol" });
      await suite.db.session.update({ where: { id: person.sessionId }, data: { authTime: ELEVEN_MINUTES_AGO() } });
      await expectStepUpChallenge(await start(person.jar()), ["password"]);
      expect(await factorOf(person.id)).toBeNull();
      expect(await audits("mfa.totp_enrolment_started", person.id)).toBe(0);
    });

    it("lets that session enrol once it has stepped up with its password", async () => {
      const person = await suite.people.person({ label: "stepped-up-enrol" });
      const jar = person.jar();
      await suite.db.session.update({ where: { id: person.sessionId }, data: { authTime: ELEVEN_MINUTES_AGO() } });
      expect((await start(jar)).status).toBe(401);
      expect((await stepUp(jar, { password: PASSWORD })).status).toBe(200);
      await started(jar);
    });

    it("answers the secret once, not to be cached, and stores it sealed: neither the base32 key nor the raw bytes are in the row", async () => {
      const person = await suite.people.person({ label: "sealed" });
      const response = await start(person.jar());
      expect(response.status).toBe(201);
      expect(response.headers.get("cache-control")).toBe("no-store");
      const { keyUri, manualKey } = (await response.json()) as { keyUri: string; manualKey: string };
      const secret = secretOf(manualKey);
      const uri = new URL(keyUri);
      expect(uri.protocol).toBe("otpauth:");
      expect(decodeURIComponent(uri.pathname)).toBe(`/Palisade:${person.email}`);
      expect(uri.searchParams.get("secret")).toBe(manualKey.replaceAll(" ", ""));

      const row = await factorOf(person.id);
      expect(row?.confirmedAt).toBeNull();
      expect(row?.encryptedSecret).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
      expect(row?.encryptedSecret).not.toContain(manualKey.replaceAll(" ", ""));
      expect(row?.encryptedSecret).not.toContain(Buffer.from(secret).toString("base64url"));
      expect(row?.encryptedSecret).not.toContain(Buffer.from(secret).toString("hex"));
      expect(await audits("mfa.totp_enrolment_started", person.id)).toBe(1);

      // Never again: the overview says only "not on", and a second start is a different secret.
      const listed = await overview(person.jar());
      expect(await listed.json()).toEqual({ totp: { enabled: false, confirmedAt: null }, recoveryCodes: { remaining: 0 }, passkeys: [] });
      const again = await started(person.jar());
      expect(again.manualKey).not.toBe(manualKey);
      expect(await suite.db.totpFactor.count({ where: { userId: person.id } })).toBe(1);
    });

    it("confirms with the first code: ten recovery codes shown once and stored only as hashes, and this session has proved a second factor", async () => {
      const { person, jar, recoveryCodes } = await enrolled("confirmed");
      expect(recoveryCodes).toHaveLength(RECOVERY_CODE_COUNT);
      for (const code of recoveryCodes) expect(code).toMatch(RECOVERY_CODE_FORMAT);
      expect(new Set(recoveryCodes).size).toBe(RECOVERY_CODE_COUNT);

      const rows = await suite.db.recoveryCode.findMany({ where: { userId: person.id }, select: { codeHash: true, usedAt: true } });
      expect(rows.map((row) => row.codeHash).sort()).toEqual(recoveryCodes.map((code) => hashRecoveryCode(person.id, normaliseRecoveryCode(code)!)).sort());
      const stored = JSON.stringify(rows);
      for (const code of recoveryCodes) {
        expect(stored).not.toContain(code);
        expect(stored).not.toContain(normaliseRecoveryCode(code));
      }

      const session = await sessionOf(person.sessionId);
      expect(Date.now() - session.secondFactorAt!.getTime()).toBeLessThan(60_000);
      expect(session.amr).toEqual(["pwd", "otp", "mfa"]);
      const state = (await (await overview(jar)).json()) as { totp: { enabled: boolean; confirmedAt: string | null }; recoveryCodes: { remaining: number } };
      expect(state.totp.enabled).toBe(true);
      expect(Date.now() - Date.parse(state.totp.confirmedAt!)).toBeLessThan(60_000);
      expect(state.recoveryCodes.remaining).toBe(RECOVERY_CODE_COUNT);

      expect(await audits("mfa.totp_enabled", person.id)).toBe(1);
      expect(await subjectsTo(person.email)).toEqual([NOTICES.enabled]);
      // The secret is not handed out again, even to the session that set it up.
      const again = await start(jar);
      expect(again.status).toBe(409);
      expect(await problemType(again)).toBe("/problems/already-enrolled");
    });

    it("refuses a confirmation by a session whose sign-in went stale after the start: the step-up 401, and the factor stays pending", async () => {
      const person = await suite.people.person({ label: "stale-confirm" });
      const { secret } = await started(person.jar());
      await suite.db.session.update({ where: { id: person.sessionId }, data: { authTime: ELEVEN_MINUTES_AGO() } });
      await expectStepUpChallenge(await confirm(person.jar(), { code: codeNow(secret) }), ["password"]);
      expect((await factorOf(person.id))?.confirmedAt).toBeNull();
      expect(await suite.db.recoveryCode.count({ where: { userId: person.id } })).toBe(0);
    });

    it("refuses a wrong first code with 401, audited, and leaves the factor pending", async () => {
      const person = await suite.people.person({ label: "wrong-code" });
      const { secret } = await started(person.jar());
      const response = await confirm(person.jar(), { code: wrongCode(secret) });
      expect(response.status).toBe(401);
      expect(await problemType(response)).toBe("/problems/second-factor-invalid");
      // Not the expired-token challenge: a client must not answer it with a refresh.
      expect(response.headers.get("www-authenticate")).toBeNull();
      expect(response.headers.get("ratelimit")).toContain('"second-factor";r=4');
      expect((await factorOf(person.id))?.confirmedAt).toBeNull();
      expect(await suite.db.recoveryCode.count({ where: { userId: person.id } })).toBe(0);
      expect(await suite.db.auditEvent.findMany({ where: { type: "mfa.failed", targetId: person.id }, select: { details: true } })).toEqual([
        { details: { purpose: "management", method: "totp" } },
      ]);
    });

    it("refuses the sixth wrong code in 15 minutes with 429 and Retry-After without checking it, from the budget sign-in shares, and mails the owner", async () => {
      const person = await suite.people.person({ label: "guesser" });
      const jar = person.jar();
      const { secret } = await started(jar);
      for (let attempt = 1; attempt <= 5; attempt++) expect((await confirm(jar, { code: wrongCode(secret) })).status, `wrong code ${attempt}`).toBe(401);

      // The right code now: refused before it is looked at, so it confirms nothing.
      const refused = await confirm(jar, { code: codeNow(secret) });
      expect(refused.status).toBe(429);
      expect(await problemType(refused)).toBe("/problems/rate-limited");
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
      expect((await factorOf(person.id))?.confirmedAt).toBeNull();
      expect(await audits("mfa.failed", person.id)).toBe(5);
      expect(await audits("mfa.rate_limited", person.id)).toBe(1);

      // One budget per account: the second step of a sign-in for this account is refused too.
      const { beginSecondFactorAttempt } = await import("@/lib/auth/mfa/second-factor-attempts");
      await expect(beginSecondFactorAttempt(person.id, "mfa-management")).rejects.toMatchObject({ code: "ERR_RATE_LIMITED" });
      expect(await subjectsTo(person.email)).toEqual([NOTICES.refused]);
    });

    it("refuses unknown fields and a malformed code with 400 before any check: nothing is counted, audited or confirmed", async () => {
      const person = await suite.people.person({ label: "smuggler" });
      const jar = person.jar();
      const { secret } = await started(jar);
      const code = codeNow(secret);
      for (const body of [
        { code, userId: "someone-else" },
        { code, confirmedAt: "2026-01-01T00:00:00Z" },
        { code, secret: "JBSWY3DPEHPK3PXP" },
        { code: "12345a" },
        { recoveryCode: "7KQ2M-XW4PD-0H1JN-B8RTV-9C3EF" },
        {},
      ]) {
        const response = await confirm(jar, body);
        expect(response.status, JSON.stringify(body)).toBe(400);
        expect(await problemType(response)).toBe("/problems/validation");
      }
      expect((await factorOf(person.id))?.confirmedAt).toBeNull();
      expect(await audits("mfa.failed", person.id)).toBe(0);
      // The whole budget is still there: the right code passes.
      expect((await confirm(jar, { code })).status).toBe(200);
    });

    it("refuses to confirm when nothing was started: 409, and the budget is not touched", async () => {
      const person = await suite.people.person({ label: "nothing-started" });
      const response = await confirm(person.jar(), { code: "123456" });
      expect(response.status).toBe(409);
      expect(await problemType(response)).toBe("/problems/conflict");
      expect(await audits("mfa.failed", person.id)).toBe(0);
    });

    it("lets exactly one of two confirmations racing with one code through: one set of recovery codes, the other a 409", async () => {
      const person = await suite.people.person({ label: "race" });
      const jar = person.jar();
      const { secret } = await started(jar);
      const code = codeNow(secret);
      const answers = await Promise.all([confirm(jar, { code }), confirm(jar, { code })]);
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
      expect(await suite.db.recoveryCode.count({ where: { userId: person.id } })).toBe(RECOVERY_CODE_COUNT);
      expect(await audits("mfa.totp_enabled", person.id)).toBe(1);
      // The loser's code was not judged wrong, so it cost nothing.
      expect(await audits("mfa.failed", person.id)).toBe(0);
    });

    it("refuses the code that confirmed the factor when it is offered again (replay), and accepts the next one", async () => {
      const { jar, secret, confirmedWith, step } = await enrolled("replay");
      const replay = await stepUp(jar, { code: confirmedWith });
      expect(replay.status).toBe(401);
      expect(await problemType(replay)).toBe("/problems/second-factor-invalid");
      expect((await stepUp(jar, { code: totpCode(secret, step + 1) })).status).toBe(200);
    });

    it("ends every other session of the account when the factor is turned on, and keeps the one that turned it on", async () => {
      const person = await suite.people.person({ label: "others-on" });
      const otherDevice = await suite.people.signedIn(person.id);
      const jar = person.jar();
      const { secret } = await started(jar);
      expect((await confirm(jar, { code: codeNow(secret) })).status).toBe(200);

      expect(await sessionOf(otherDevice.sessionId)).toMatchObject({ revokedReason: "second_factor_changed" });
      expect((await sessionOf(otherDevice.sessionId)).revokedAt).not.toBeNull();
      expect((await call(suite.routes.me, { jar: otherDevice.jar() })).status).toBe(401);
      expect((await call(suite.routes.refresh, { method: "POST", jar: otherDevice.jar() })).status).toBe(401);
      expect((await call(suite.routes.me, { jar })).status).toBe(200);
      expect(await suite.db.auditEvent.findMany({ where: { type: "mfa.totp_enabled", targetId: person.id }, select: { details: true } })).toEqual([
        { details: { otherSessionsEnded: 1 } },
      ]);
    });
  });

  describe("removal", () => {
    it("removes the factor with its recovery codes, ends every other session, and mails the owner", async () => {
      const { person, jar } = await enrolled("removed");
      const otherDevice = await suite.people.signedIn(person.id);
      const response = await remove(jar);
      expect(response.status).toBe(204);

      expect(await factorOf(person.id)).toBeNull();
      expect(await suite.db.recoveryCode.count({ where: { userId: person.id } })).toBe(0);
      expect(await sessionOf(otherDevice.sessionId)).toMatchObject({ revokedReason: "second_factor_changed" });
      expect((await call(suite.routes.me, { jar: otherDevice.jar() })).status).toBe(401);
      expect((await call(suite.routes.me, { jar })).status).toBe(200);
      expect(await suite.db.auditEvent.findMany({ where: { type: "mfa.totp_removed", targetId: person.id }, select: { details: true } })).toEqual([
        { details: { recoveryCodesDeleted: RECOVERY_CODE_COUNT, otherSessionsEnded: 1 } },
      ]);
      expect(await (await overview(jar)).json()).toEqual({ totp: { enabled: false, confirmedAt: null }, recoveryCodes: { remaining: 0 }, passkeys: [] });
      expect(await subjectsTo(person.email)).toEqual([NOTICES.enabled, NOTICES.removed]);
    });

    it("keeps the recovery codes when a passkey remains: they stand in for it", async () => {
      const { person, jar } = await enrolled("passkey-remains");
      await suite.db.passkey.create({
        data: {
          userId: person.id,
          credentialId: randomBytes(16).toString("base64url"),
          publicKey: "cose",
          deviceType: "multiDevice",
          backedUp: true,
          name: "Phone",
        },
        select: { id: true },
      });
      expect((await remove(jar)).status).toBe(204);
      expect(await factorOf(person.id)).toBeNull();
      expect(await suite.db.recoveryCode.count({ where: { userId: person.id, usedAt: null } })).toBe(RECOVERY_CODE_COUNT);
      expect(await suite.db.auditEvent.findMany({ where: { type: "mfa.totp_removed", targetId: person.id }, select: { details: true } })).toEqual([
        { details: { recoveryCodesDeleted: 0, otherSessionsEnded: 0 } },
      ]);
    });

    it("refuses a session that has not proved the second factor in 10 minutes, though its sign-in is fresh: the step-up 401, and the factor stays", async () => {
      const { person, jar } = await enrolled("stale-remove");
      await suite.db.session.update({ where: { id: person.sessionId }, data: { secondFactorAt: ELEVEN_MINUTES_AGO() } });
      await expectStepUpChallenge(await remove(jar), ["totp", "recovery-code"]);
      expect((await factorOf(person.id))?.confirmedAt).not.toBeNull();
      expect(await suite.db.recoveryCode.count({ where: { userId: person.id } })).toBe(RECOVERY_CODE_COUNT);
      expect(await audits("mfa.totp_removed", person.id)).toBe(0);

      // A session that never proved one (the password alone) is refused alike.
      const passwordOnly = await suite.people.signedIn(person.id);
      await expectStepUpChallenge(await remove(passwordOnly.jar()), ["totp", "recovery-code"]);
      expect((await factorOf(person.id))?.confirmedAt).not.toBeNull();
    });

    it("refuses to remove a factor the account does not have: 409, nothing ends", async () => {
      const person = await suite.people.person({ label: "no-factor-remove" });
      const otherDevice = await suite.people.signedIn(person.id);
      await started(person.jar());
      const response = await remove(person.jar());
      expect(response.status).toBe(409);
      expect(await problemType(response)).toBe("/problems/conflict");
      expect((await sessionOf(otherDevice.sessionId)).revokedAt).toBeNull();
    });
  });

  describe("recovery codes", () => {
    it("a new set replaces every old code: an old one no longer passes a step-up, a new one does; audited and mailed", async () => {
      const { person, jar, recoveryCodes: old } = await enrolled("regenerated");
      const response = await regenerate(jar);
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toBe("no-store");
      const { recoveryCodes: fresh } = (await response.json()) as { recoveryCodes: string[] };
      expect(fresh).toHaveLength(RECOVERY_CODE_COUNT);
      expect(fresh.filter((code) => old.includes(code))).toEqual([]);
      expect(await suite.db.recoveryCode.count({ where: { userId: person.id } })).toBe(RECOVERY_CODE_COUNT);

      expect((await stepUp(jar, { recoveryCode: old[0] })).status).toBe(401);
      expect((await stepUp(jar, { recoveryCode: fresh[0] })).status).toBe(200);
      expect(await audits("mfa.recovery_codes_regenerated", person.id)).toBe(1);
      expect(await subjectsTo(person.email)).toContain(NOTICES.regenerated);
    });

    it("refuses a session without a fresh second factor; after a step-up with a recovery code, the same request passes", async () => {
      const { person, jar, recoveryCodes } = await enrolled("stale-regenerate");
      await suite.db.session.update({ where: { id: person.sessionId }, data: { secondFactorAt: ELEVEN_MINUTES_AGO() } });
      await expectStepUpChallenge(await regenerate(jar), ["totp", "recovery-code"]);
      expect(await audits("mfa.recovery_codes_regenerated", person.id)).toBe(0);

      const steppedUp = await stepUp(jar, { recoveryCode: recoveryCodes[3] });
      expect(steppedUp.status).toBe(200);
      expect((await regenerate(jar)).status).toBe(200);
    });

    it("refuses an account without a second factor: 409 saying why, and no code is made", async () => {
      const person = await suite.people.person({ label: "no-factor-codes" });
      await started(person.jar());
      const response = await regenerate(person.jar());
      expect(response.status).toBe(409);
      expect(await problemType(response)).toBe("/problems/conflict");
      expect(((await response.json()) as { detail: string }).detail).toMatch(/second factor/);
      expect(await suite.db.recoveryCode.count({ where: { userId: person.id } })).toBe(0);
    });
  });

  describe("ownership", () => {
    it("lists only the caller's own passkeys, newest first, without their keys or credential ids", async () => {
      const alice = await suite.people.person({ label: "alice-keys" });
      const bob = await suite.people.person({ label: "bob-keys" });
      const passkey = (userId: string, name: string, createdAt: Date) =>
        suite.db.passkey.create({
          data: { userId, credentialId: randomBytes(16).toString("base64url"), publicKey: "cose-key", deviceType: "singleDevice", name, createdAt },
          select: { id: true },
        });
      const older = await passkey(alice.id, "Laptop", new Date(Date.now() - 60_000));
      const newer = await passkey(alice.id, "Phone", new Date());
      await passkey(bob.id, "Bob's key", new Date());

      const listed = await overview(alice.jar());
      expect(listed.status).toBe(200);
      const text = await listed.clone().text();
      expect(text).not.toContain("cose-key");
      const { passkeys } = (await listed.json()) as {
        passkeys: { id: string; name: string; lastUsedAt: string | null; deviceType: string; backedUp: boolean }[];
      };
      expect(passkeys.map((key) => key.id)).toEqual([newer.id, older.id]);
      expect(passkeys[0]).toMatchObject({ name: "Phone", lastUsedAt: null, deviceType: "singleDevice", backedUp: false });
      expect(((await (await overview(bob.jar())).json()) as { passkeys: { name: string }[] }).passkeys.map((key) => key.name)).toEqual(["Bob's key"]);
    });

    it("cannot confirm, remove or replace the codes of another account's factor with its own session", async () => {
      const alice = await suite.people.person({ label: "alice" });
      const aliceJar = alice.jar();
      const { secret: alices } = await started(aliceJar);
      const bob = await enrolled("bob");
      const codesOf = (userId: string) =>
        suite.db.recoveryCode.findMany({ where: { userId }, orderBy: { codeHash: "asc" }, select: { codeHash: true, usedAt: true } });
      const bobsCodes = await codesOf(bob.person.id);

      // Bob's session with Alice's code: his factor is already on, and hers stays pending.
      expect((await confirm(bob.jar, { code: codeNow(alices) })).status).toBe(409);
      expect((await factorOf(alice.id))?.confirmedAt).toBeNull();

      // Alice's session with the ids of Bob's rows in the body gets the validation 400 ...
      const smuggled = await confirm(aliceJar, { code: codeNow(bob.secret), userId: bob.person.id });
      expect(smuggled.status).toBe(400);
      // ... and without them, Bob's code is checked against Alice's own secret, and fails.
      expect((await confirm(aliceJar, { code: totpCode(bob.secret, bob.step + 1) })).status).toBe(401);

      // Alice has no factor of her own to remove or replace codes for: Bob's are not hers to touch.
      expect((await remove(aliceJar)).status).toBe(409);
      expect((await regenerate(aliceJar)).status).toBe(409);
      expect((await factorOf(bob.person.id))?.confirmedAt).not.toBeNull();
      expect(await codesOf(bob.person.id)).toEqual(bobsCodes);
      expect(((await (await overview(aliceJar)).json()) as { totp: { enabled: boolean } }).totp.enabled).toBe(false);
    });
  });
});
