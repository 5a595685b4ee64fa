/**
 * Passkeys over HTTP (lib/auth/mfa/manage-passkeys.ts, passkey-options.ts, passkey-sign-in.ts,
 * second-factor.ts, step-up.ts): adding, renaming and removing one, a passwordless sign-in, the
 * second step of a sign-in and the step-up,
 * through the real route handlers on PGlite and Postgres, with a real software authenticator
 * (tests/support/soft-authenticator.ts), the real verifier and notices read from a real SMTP server.
 *
 * The attacker holds the password, a session, or a passkey of their own, and tries to add a way
 * in, reuse an assertion, carry one into another account's sign-in, guess past the budget, or
 * reach another user's passkey (docs/decisions/047-second-factor-sign-in-and-step-up.md).
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { PASSKEY_SIGN_IN_COOKIE } from "@/lib/auth/cookie-names";
import { hashRecoveryCode, normaliseRecoveryCode, RECOVERY_CODE_COUNT } from "@/lib/auth/mfa/recovery-codes";
import { databaseKinds } from "../support/databases";
import { call, CookieJar, type Handler } from "../support/http";
import { ACCESS_COOKIE, APP_ORIGIN, mailFlowSuite, PASSWORD, problemType, type Person } from "../support/mail-flows";
import { SoftAuthenticator, type SoftAuthenticatorOptions } from "../support/soft-authenticator";

const NOTICES = {
  added: "A passkey was added to your Palisade account",
  removed: "A passkey was removed from your Palisade account",
} as const;

const STEP_UP_REQUIRED = "/problems/step-up-required";
const SECOND_FACTOR_INVALID = "/problems/second-factor-invalid";
const INVALID_CREDENTIALS = "/problems/invalid-credentials";
const ELEVEN_MINUTES_AGO = () => new Date(Date.now() - 11 * 60 * 1000);

async function loadPasskeyRoutes() {
  const [registrationOptions, registration, item, secondStep, secondStepOptions, stepUp, stepUpOptions, signInOptions, signIn] = await Promise.all([
    import("@/app/api/auth/passkeys/registration/options/route"),
    import("@/app/api/auth/passkeys/registration/route"),
    import("@/app/api/auth/passkeys/[id]/route"),
    import("@/app/api/auth/login/second-factor/route"),
    import("@/app/api/auth/login/second-factor/passkey/options/route"),
    import("@/app/api/auth/step-up/route"),
    import("@/app/api/auth/step-up/passkey/options/route"),
    import("@/app/api/auth/passkeys/authentication/options/route"),
    import("@/app/api/auth/passkeys/authentication/route"),
  ]);
  const h = (handler: unknown) => handler as Handler;
  return {
    registrationOptions: h(registrationOptions.POST),
    register: h(registration.POST),
    rename: h(item.PATCH),
    remove: h(item.DELETE),
    secondStep: h(secondStep.POST),
    secondStepOptions: h(secondStepOptions.POST),
    stepUp: h(stepUp.POST),
    stepUpOptions: h(stepUpOptions.POST),
    signInOptions: h(signInOptions.POST),
    signIn: h(signIn.POST),
  };
}

const sha256Hex = (text: string) => createHash("sha256").update(text).digest("hex");

function payloadOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split(".")[1] as string, "base64url").toString("utf8")) as Record<string, unknown>;
}

describe.each(databaseKinds())("passkey routes on %s", (kind) => {
  const suite = mailFlowSuite(kind, { APP_URL: APP_ORIGIN });
  let routes: Awaited<ReturnType<typeof loadPasskeyRoutes>>;

  const url = (path: string) => `${APP_ORIGIN}${path}`;
  const device = (options: Partial<SoftAuthenticatorOptions> = {}) => new SoftAuthenticator({ origin: APP_ORIGIN, ...options });

  async function ready() {
    routes ??= await loadPasskeyRoutes();
    return routes;
  }

  const registrationOptions = async (jar: CookieJar) =>
    call((await ready()).registrationOptions, { method: "POST", url: url("/api/auth/passkeys/registration/options"), jar });
  const register = async (jar: CookieJar, body: unknown) =>
    call((await ready()).register, { method: "POST", url: url("/api/auth/passkeys/registration"), body, jar });
  const rename = async (jar: CookieJar, id: string, name: string) =>
    call((await ready()).rename, { method: "PATCH", url: url(`/api/auth/passkeys/${id}`), params: { id }, body: { name }, jar });
  const remove = async (jar: CookieJar, id: string) =>
    call((await ready()).remove, { method: "DELETE", url: url(`/api/auth/passkeys/${id}`), params: { id }, jar });
  const login = (email: string, jar = new CookieJar()) => call(suite.routes.login, { method: "POST", body: { email, password: PASSWORD }, jar });
  const secondStepOptions = async (jar: CookieJar) =>
    call((await ready()).secondStepOptions, { method: "POST", url: url("/api/auth/login/second-factor/passkey/options"), jar });
  const finish = async (jar: CookieJar, body: unknown) =>
    call((await ready()).secondStep, { method: "POST", url: url("/api/auth/login/second-factor"), body, jar });
  const stepUpOptions = async (jar: CookieJar) => call((await ready()).stepUpOptions, { method: "POST", url: url("/api/auth/step-up/passkey/options"), jar });
  const stepUp = async (jar: CookieJar, body: unknown) => call((await ready()).stepUp, { method: "POST", url: url("/api/auth/step-up"), body, jar });
  const changeEmail = (jar: CookieJar, email: string) => call(suite.routes.changeEmail, { method: "POST", url: url("/api/auth/email"), body: { email }, jar });
  const signInOptions = async (jar: CookieJar) =>
    call((await ready()).signInOptions, { method: "POST", url: url("/api/auth/passkeys/authentication/options"), jar });
  const passkeySignIn = async (jar: CookieJar, response: unknown) =>
    call((await ready()).signIn, { method: "POST", url: url("/api/auth/passkeys/authentication"), body: { response }, jar });
  const liveSessions = (userId: string) => suite.db.session.count({ where: { userId, revokedAt: null } });

  /** A passkey registered on `authenticator` the way the security page does it, from `jar`'s session. */
  async function addPasskey(
    jar: CookieJar,
    authenticator: SoftAuthenticator,
    name = "Laptop",
  ): Promise<{ id: string; name: string; deviceType: string; recoveryCodes?: string[] }> {
    const options = await registrationOptions(jar);
    expect(options.status).toBe(200);
    const response = await register(jar, { response: authenticator.create(await options.json()), name });
    expect(response.status).toBe(201);
    return (await response.json()) as { id: string; name: string; deviceType: string; recoveryCodes?: string[] };
  }

  interface WithPasskey extends Person {
    authenticator: SoftAuthenticator;
    passkeyId: string;
  }

  async function personWithPasskey(label: string, options: Partial<SoftAuthenticatorOptions> = {}): Promise<WithPasskey> {
    const person = await suite.people.person({ label });
    const authenticator = device(options);
    const passkey = await addPasskey(person.jar(), authenticator);
    return { ...person, authenticator, passkeyId: passkey.id };
  }

  /** A pending sign-in for `person` (right password) and the passkey options for its second step. */
  async function pendingWithOptions(person: Person) {
    const jar = new CookieJar();
    const first = await login(person.email, jar);
    expect(first.status).toBe(202);
    const options = await secondStepOptions(jar);
    expect(options.status).toBe(200);
    return { jar, options: await options.json() };
  }

  /** Signed in through password + passkey, so the session has proved a second factor. */
  async function signedInWithPasskey(person: WithPasskey): Promise<CookieJar> {
    const { jar, options } = await pendingWithOptions(person);
    expect((await finish(jar, { passkey: person.authenticator.get(options) })).status).toBe(200);
    return jar;
  }

  describe("adding a passkey", () => {
    it("registration without a recent authentication answers the step-up 401 at both ends, and stores nothing", async () => {
      const person = await suite.people.person({ label: "stale-registration" });
      const jar = person.jar();
      const options = await (await registrationOptions(jar)).json();
      await suite.db.session.updateMany({ where: { userId: person.id }, data: { authTime: ELEVEN_MINUTES_AGO(), createdAt: ELEVEN_MINUTES_AGO() } });
      const again = await registrationOptions(jar);
      expect(again.status).toBe(401);
      expect(await problemType(again)).toBe(STEP_UP_REQUIRED);
      const finished = await register(jar, { response: device().create(options), name: "Thief's key" });
      expect(finished.status).toBe(401);
      expect(await problemType(finished)).toBe(STEP_UP_REQUIRED);
      expect(await suite.db.passkey.count({ where: { userId: person.id } })).toBe(0);
    });

    it("a registration response for a challenge bound to another session is refused; the same response passes in its own session", async () => {
      const person = await suite.people.person({ label: "cross-session" });
      const own = person.jar();
      const other = (await suite.people.signedIn(person.id)).jar();
      const response = device().create(await (await registrationOptions(own)).json());
      const refused = await register(other, { response, name: "Carried" });
      expect(refused.status).toBe(400);
      expect(await suite.db.passkey.count({ where: { userId: person.id } })).toBe(0);
      // Control: only the session differs.
      expect((await register(own, { response, name: "Carried" })).status).toBe(201);
    });

    it("a new passkey is answered in its public shape, ends every other session, is audited and mails the owner", async () => {
      const person = await suite.people.person({ label: "added" });
      await suite.people.signedIn(person.id);
      expect(await liveSessions(person.id)).toBe(2);
      const { recoveryCodes: _first, ...passkey } = await addPasskey(person.jar(), device(), "Work laptop");
      expect(Object.keys(passkey).sort()).toEqual(["backedUp", "createdAt", "deviceType", "id", "lastUsedAt", "name"]);
      expect(passkey).toMatchObject({ name: "Work laptop", deviceType: "multiDevice", lastUsedAt: null });
      expect(await liveSessions(person.id)).toBe(1);
      expect(await suite.db.auditEvent.count({ where: { type: "mfa.passkey_added", actorId: person.id } })).toBe(1);
      const notice = await suite.mail.only(person.email, NOTICES.added);
      expect(notice.text).toContain("Work laptop");
      // Registering proves the new authenticator, not the account's factor: this session has not proved one.
      const session = await suite.db.session.findUniqueOrThrow({ where: { id: person.sessionId }, select: { secondFactorAt: true } });
      expect(session.secondFactorAt).toBeNull();
    });
  });

  describe("a passkey as the second step of sign-in", () => {
    it("a synced passkey signs in: a session with amr pwd+swk+mfa, and the pending sign-in is spent", async () => {
      const person = await personWithPasskey("second-step");
      const { jar, options } = await pendingWithOptions(person);
      expect(options.allowCredentials.map((credential: { id: string }) => credential.id)).toHaveLength(1);
      const response = await finish(jar, { passkey: person.authenticator.get(options) });
      expect(response.status).toBe(200);
      expect(payloadOf(jar.cookies.get(ACCESS_COOKIE) as string).amr).toEqual(["pwd", "swk", "mfa"]);
      expect(await suite.db.pendingSignIn.count({ where: { userId: person.id } })).toBe(0);
      expect((await call(suite.routes.me, { jar })).status).toBe(200);
    });

    it("a device-bound passkey is a hardware key in the amr: pwd+hwk+mfa", async () => {
      const person = await personWithPasskey("device-bound", { synced: false });
      const { jar, options } = await pendingWithOptions(person);
      expect((await finish(jar, { passkey: person.authenticator.get(options) })).status).toBe(200);
      expect(payloadOf(jar.cookies.get(ACCESS_COOKIE) as string).amr).toEqual(["pwd", "hwk", "mfa"]);
    });

    it("without a pending sign-in there is no challenge: 401 second-factor-expired", async () => {
      const response = await secondStepOptions(new CookieJar());
      expect(response.status).toBe(401);
      expect(await problemType(response)).toBe("/problems/second-factor-expired");
    });

    it("an assertion of user B's passkey over user A's challenge cannot finish user A's pending sign-in", async () => {
      const alice = await personWithPasskey("alice");
      const bob = await personWithPasskey("bob");
      const { jar, options } = await pendingWithOptions(alice);
      // Bob's authenticator answers Alice's challenge (a browser would offer only Alice's credentials).
      const response = await finish(jar, { passkey: bob.authenticator.get({ ...options, allowCredentials: [] }) });
      expect(response.status).toBe(401);
      expect(await problemType(response)).toBe(SECOND_FACTOR_INVALID);
      expect(jar.cookies.has(ACCESS_COOKIE)).toBe(false);
    });

    it("an assertion over a stale challenge is refused", async () => {
      const person = await personWithPasskey("stale");
      const { jar, options } = await pendingWithOptions(person);
      await suite.db.passkeyChallenge.updateMany({ where: { userId: person.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
      const response = await finish(jar, { passkey: person.authenticator.get(options) });
      expect(response.status).toBe(401);
      expect(await problemType(response)).toBe(SECOND_FACTOR_INVALID);
    });

    it("an assertion replayed into a later sign-in is refused", async () => {
      const person = await personWithPasskey("replay");
      const first = await pendingWithOptions(person);
      const assertion = person.authenticator.get(first.options);
      expect((await finish(first.jar, { passkey: assertion })).status).toBe(200);
      const second = new CookieJar();
      await login(person.email, second);
      const replayed = await finish(second, { passkey: assertion });
      expect(replayed.status).toBe(401);
      expect(await problemType(replayed)).toBe(SECOND_FACTOR_INVALID);
      expect(second.cookies.has(ACCESS_COOKIE)).toBe(false);
    });

    it("the 6th bad assertion in 15 minutes is refused with 429 before it is looked at, even a good one", async () => {
      const person = await personWithPasskey("budget");
      const { jar, options } = await pendingWithOptions(person);
      const unverified = person.authenticator.get(options, { userVerified: false });
      for (let attempt = 1; attempt <= 5; attempt++) expect((await finish(jar, { passkey: unverified })).status).toBe(401);
      const good = person.authenticator.get((await (await secondStepOptions(jar)).json()) as Parameters<SoftAuthenticator["get"]>[0]);
      const refused = await finish(jar, { passkey: good });
      expect(refused.status).toBe(429);
      expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
    });

    it("codes still finish the second step beside passkeys (the body takes exactly one proof)", async () => {
      const person = await personWithPasskey("both-keys");
      const { jar, options } = await pendingWithOptions(person);
      const both = await finish(jar, { code: "123456", passkey: person.authenticator.get(options) });
      expect(both.status).toBe(400);
    });
  });

  describe("a passwordless sign-in with a passkey", () => {
    /** Options fetched in `jar`'s browser: the challenge is bound to the nonce cookie they set. */
    async function passwordlessOptions(jar = new CookieJar()) {
      const response = await signInOptions(jar);
      expect(response.status).toBe(200);
      return { jar, options: (await response.json()) as Parameters<SoftAuthenticator["get"]>[0] };
    }

    async function expectGenericRefusal(response: Response, jar: CookieJar): Promise<unknown> {
      expect(response.status).toBe(401);
      const body = (await response.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ type: INVALID_CREDENTIALS, detail: "That passkey could not sign you in." });
      expect(jar.cookies.has(ACCESS_COOKIE)).toBe(false);
      // The request id is the only part that may differ between two refusals.
      const { requestId: _id, ...rest } = body;
      return rest;
    }

    it("a user-verified synced passkey opens a session with amr swk+user+mfa and a proved second factor; the nonce cookie is cleared", async () => {
      const person = await personWithPasskey("passwordless");
      const { jar, options } = await passwordlessOptions();
      expect(options.allowCredentials ?? []).toEqual([]);
      expect(options.userVerification).toBe("required");
      const nonce = jar.cookies.get(PASSKEY_SIGN_IN_COOKIE);
      expect(nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
      // Only the nonce's hash is stored: the table alone cannot name the browser.
      expect(await suite.db.passkeyChallenge.count({ where: { purpose: "sign-in", userId: null, boundTo: nonce as string } })).toBe(0);
      expect(await suite.db.passkeyChallenge.count({ where: { purpose: "sign-in", userId: null, boundTo: sha256Hex(nonce as string) } })).toBe(1);

      const response = await passkeySignIn(jar, person.authenticator.get(options));
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ user: { id: person.id } });
      expect(response.headers.get("set-cookie")).toContain(`${PASSKEY_SIGN_IN_COOKIE}=; Path=/; Max-Age=0`);
      expect(jar.cookies.has(PASSKEY_SIGN_IN_COOKIE)).toBe(false);
      const claims = payloadOf(jar.cookies.get(ACCESS_COOKIE) as string);
      expect(claims.amr).toEqual(["swk", "user", "mfa"]);
      expect(claims.sub).toBe(person.id);
      const session = await suite.db.session.findFirstOrThrow({ where: { id: claims.sid as string }, select: { amr: true, secondFactorAt: true } });
      expect(session.amr).toEqual(["swk", "user", "mfa"]);
      expect(session.secondFactorAt).not.toBeNull();
      expect(await suite.db.auditEvent.count({ where: { type: "login.succeeded", actorId: person.id, targetId: claims.sid as string } })).toBe(1);
      expect((await call(suite.routes.me, { jar })).status).toBe(200);
    });

    it("a device-bound passkey signs in as a hardware key: amr hwk+user+mfa", async () => {
      const person = await personWithPasskey("passwordless-hwk", { synced: false });
      const { jar, options } = await passwordlessOptions();
      expect((await passkeySignIn(jar, person.authenticator.get(options))).status).toBe(200);
      expect(payloadOf(jar.cookies.get(ACCESS_COOKIE) as string).amr).toEqual(["hwk", "user", "mfa"]);
    });

    it("a passkey sign-in spends a password-reset link still waiting in the mailbox, as a password sign-in does", async () => {
      const person = await personWithPasskey("passwordless-reset");
      await suite.db.emailToken.create({
        data: { userId: person.id, purpose: "RESET_PASSWORD", tokenHash: `unused-${person.id}`, email: person.email, expiresAt: new Date(Date.now() + 60_000) },
      });
      const { jar, options } = await passwordlessOptions();
      expect((await passkeySignIn(jar, person.authenticator.get(options))).status).toBe(200);
      expect(await suite.db.emailToken.count({ where: { userId: person.id, purpose: "RESET_PASSWORD" } })).toBe(0);
    });

    it("an assertion sent without the nonce cookie is refused with the generic 401, and its challenge stays unspent for its own browser", async () => {
      const person = await personWithPasskey("passwordless-no-nonce");
      const { jar, options } = await passwordlessOptions();
      const assertion = person.authenticator.get(options);
      await expectGenericRefusal(await passkeySignIn(new CookieJar(), assertion), new CookieJar());
      // Control: only the cookie differs.
      expect((await passkeySignIn(jar, assertion)).status).toBe(200);
    });

    it("an assertion over a challenge issued to another browser (another nonce) is refused: a relayed ceremony finishes nothing", async () => {
      const person = await personWithPasskey("passwordless-relay");
      const victim = await passwordlessOptions();
      const attacker = await passwordlessOptions();
      // The attacker's page shows its challenge to the victim, then sends the answer from the victim's browser, or the other way round.
      await expectGenericRefusal(await passkeySignIn(victim.jar, person.authenticator.get(attacker.options)), victim.jar);
      expect(await liveSessions(person.id)).toBe(1);
    });

    it("a replayed assertion is refused: its challenge was spent by the first sign-in", async () => {
      const person = await personWithPasskey("passwordless-replay");
      const { jar, options } = await passwordlessOptions();
      const nonce = jar.cookies.get(PASSKEY_SIGN_IN_COOKIE) as string;
      const assertion = person.authenticator.get(options);
      expect((await passkeySignIn(jar, assertion)).status).toBe(200);
      const sessions = await liveSessions(person.id);
      // The replay brings the same nonce back, as a copy of the whole request would.
      const replayJar = new CookieJar();
      replayJar.cookies.set(PASSKEY_SIGN_IN_COOKIE, nonce);
      await expectGenericRefusal(await passkeySignIn(replayJar, assertion), replayJar);
      expect(await liveSessions(person.id)).toBe(sessions);
    });

    it("a stale challenge is refused", async () => {
      const person = await personWithPasskey("passwordless-stale");
      const { jar, options } = await passwordlessOptions();
      const boundTo = sha256Hex(jar.cookies.get(PASSKEY_SIGN_IN_COOKIE) as string);
      expect(
        (await suite.db.passkeyChallenge.updateMany({ where: { purpose: "sign-in", boundTo }, data: { expiresAt: new Date(Date.now() - 1000) } })).count,
      ).toBe(1);
      await expectGenericRefusal(await passkeySignIn(jar, person.authenticator.get(options)), jar);
    });

    it("an assertion without user verification is refused: possession alone is one factor, not a sign-in", async () => {
      const person = await personWithPasskey("passwordless-no-uv");
      const { jar, options } = await passwordlessOptions();
      await expectGenericRefusal(await passkeySignIn(jar, person.authenticator.get(options, { userVerified: false })), jar);
    });

    it("a disabled account's passkey is refused with the generic 401 and opens no session", async () => {
      const person = await personWithPasskey("passwordless-disabled");
      await suite.db.user.update({ where: { id: person.id }, data: { disabledAt: new Date() } });
      const sessionsBefore = await suite.db.session.count({ where: { userId: person.id } });
      const { jar, options } = await passwordlessOptions();
      await expectGenericRefusal(await passkeySignIn(jar, person.authenticator.get(options)), jar);
      expect(await suite.db.session.count({ where: { userId: person.id } })).toBe(sessionsBefore);
      // Refused for the account, not the passkey: the signature was good.
      expect(
        await suite.db.auditEvent.count({
          where: { type: "login.failed", targetId: person.id, details: { equals: { method: "passkey", reason: "disabled" } } },
        }),
      ).toBe(1);
    });

    it("an unknown credential gets the very same 401 body as a wrong one, so no answer says whether a credential exists", async () => {
      const person = await personWithPasskey("passwordless-unknown");
      const unknown = await passwordlessOptions();
      // A passkey this server never registered: the authenticator holds it, the database does not.
      const stranger = device();
      stranger.create({
        challenge: "bmV2ZXItaXNzdWVkLWJ5LXRoaXMtc2VydmVy",
        rp: { id: unknown.options.rpId as string, name: "Palisade" },
        user: { id: Buffer.from(person.id).toString("base64url"), name: person.email, displayName: "Stranger" },
        pubKeyCredParams: [{ alg: -7, type: "public-key" }],
      });
      const unknownBody = await expectGenericRefusal(await passkeySignIn(unknown.jar, stranger.get(unknown.options)), unknown.jar);
      const unverified = await passwordlessOptions();
      const wrongBody = await expectGenericRefusal(
        await passkeySignIn(unverified.jar, person.authenticator.get(unverified.options, { userVerified: false })),
        unverified.jar,
      );
      expect(unknownBody).toEqual(wrongBody);
    });
  });

  describe("recovery codes with the first passkey", () => {
    it("the first passkey answers with 10 recovery codes, stored only as hashes; the second answers with none and leaves them as they were", async () => {
      const person = await suite.people.person({ label: "first-passkey-codes" });
      const authenticator = device();
      const first = await addPasskey(person.jar(), authenticator, "Phone");
      const codes = first.recoveryCodes ?? [];
      expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
      expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT);
      const stored = (await suite.db.recoveryCode.findMany({ where: { userId: person.id }, select: { codeHash: true, usedAt: true } })).map((row) => {
        expect(row.usedAt).toBeNull();
        return row.codeHash;
      });
      // The server keeps each code's hash and nothing that spells the code itself.
      expect(stored.sort()).toEqual(codes.map((code) => hashRecoveryCode(person.id, normaliseRecoveryCode(code) as string)).sort());
      expect(await suite.db.auditEvent.findFirst({ where: { type: "mfa.passkey_added", actorId: person.id }, select: { details: true } })).toMatchObject({
        details: { recoveryCodesIssued: RECOVERY_CODE_COUNT },
      });

      // Registering does not prove the factor it adds: the second registration needs a sign-in with it.
      const jar = await signedInWithPasskey({ ...person, authenticator, passkeyId: first.id });
      const second = await addPasskey(jar, device(), "Security key");
      expect(second).not.toHaveProperty("recoveryCodes");
      const after = await suite.db.recoveryCode.findMany({ where: { userId: person.id }, select: { codeHash: true } });
      expect(after.map((row) => row.codeHash).sort()).toEqual(stored);
    });

    it("an account with an authenticator app gets no recovery codes with its first passkey: it has its set already", async () => {
      const person = await suite.people.person({ label: "totp-then-passkey" });
      await suite.db.totpFactor.create({ data: { userId: person.id, encryptedSecret: "v1.unused.unused.unused", confirmedAt: new Date() } });
      // Not one unused code, yet the app alone is a way back in: the passkey adds no set.
      await suite.db.session.updateMany({ where: { id: person.sessionId }, data: { secondFactorAt: new Date() } });
      const passkey = await addPasskey(person.jar(), device());
      expect(passkey).not.toHaveProperty("recoveryCodes");
      expect(await suite.db.recoveryCode.count({ where: { userId: person.id } })).toBe(0);
    });
  });

  describe("a passkey at the step-up", () => {
    it("a step-up with a passkey lets a sensitive action through, and the session's amr names it", async () => {
      const person = await personWithPasskey("step-up");
      const jar = await signedInWithPasskey(person);
      await suite.db.session.updateMany({ where: { userId: person.id }, data: { authTime: ELEVEN_MINUTES_AGO(), secondFactorAt: ELEVEN_MINUTES_AGO() } });
      const challenged = await changeEmail(jar, `moved-${person.id}@example.com`);
      expect(challenged.status).toBe(401);
      // The first passkey came with recovery codes, so they are offered beside it.
      expect(await challenged.json()).toMatchObject({ type: STEP_UP_REQUIRED, stepUp: { methods: ["passkey", "recovery-code"] } });
      const options = await stepUpOptions(jar);
      expect(options.status).toBe(200);
      const stepped = await stepUp(jar, { passkey: person.authenticator.get(await options.json()) });
      expect(stepped.status).toBe(200);
      expect(await stepped.json()).toMatchObject({ amr: ["pwd", "swk", "mfa"] });
      expect((await changeEmail(jar, `moved-${person.id}@example.com`)).status).toBe(202);
    });

    it("a step-up challenge issued to another session steps up nothing here", async () => {
      const person = await personWithPasskey("step-up-elsewhere");
      const mine = await signedInWithPasskey(person);
      const theirs = await signedInWithPasskey(person);
      const assertion = person.authenticator.get(await (await stepUpOptions(theirs)).json());
      const response = await stepUp(mine, { passkey: assertion });
      expect(response.status).toBe(401);
      expect(await problemType(response)).toBe(SECOND_FACTOR_INVALID);
    });
  });

  describe("renaming and removing", () => {
    it("the owner renames a passkey; another user's rename and removal of it are 404 and change nothing", async () => {
      const alice = await personWithPasskey("owner");
      const bob = await suite.people.person({ label: "intruder" });
      const bobJar = bob.jar();
      const before = await suite.db.passkey.findUniqueOrThrow({ where: { id: alice.passkeyId } });
      const renamed = await rename(bobJar, alice.passkeyId, "Mine now");
      expect(renamed.status).toBe(404);
      const removed = await remove(bobJar, alice.passkeyId);
      expect(removed.status).toBe(404);
      expect(await suite.db.passkey.findUniqueOrThrow({ where: { id: alice.passkeyId } })).toEqual(before);
      // Control: the owner's own rename passes.
      const own = await rename(alice.jar(), alice.passkeyId, "Phone");
      expect(own.status).toBe(200);
      expect(await own.json()).toMatchObject({ id: alice.passkeyId, name: "Phone" });
      expect(await suite.db.auditEvent.count({ where: { type: "mfa.passkey_renamed", actorId: alice.id } })).toBe(1);
    });

    it("removal needs a second factor proved in the last 10 minutes", async () => {
      const person = await personWithPasskey("remove-stale");
      // The registering session has not proved the factor it just added.
      const response = await remove(person.jar(), person.passkeyId);
      expect(response.status).toBe(401);
      expect(await problemType(response)).toBe(STEP_UP_REQUIRED);
      expect(await suite.db.passkey.count({ where: { id: person.passkeyId } })).toBe(1);
    });

    it("removal ends every other session, is audited and mails the owner", async () => {
      const person = await personWithPasskey("remove");
      const jar = await signedInWithPasskey(person);
      await suite.people.signedIn(person.id);
      expect(await liveSessions(person.id)).toBeGreaterThan(1);
      const response = await remove(jar, person.passkeyId);
      expect(response.status).toBe(204);
      expect(await suite.db.passkey.count({ where: { userId: person.id } })).toBe(0);
      expect(await liveSessions(person.id)).toBe(1);
      expect(await suite.db.auditEvent.count({ where: { type: "mfa.passkey_removed", actorId: person.id } })).toBe(1);
      expect((await suite.mail.only(person.email, NOTICES.removed)).text).toContain("Laptop");
    });
  });
});
