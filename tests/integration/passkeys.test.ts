/**
 * Passkeys (lib/auth/mfa/passkey*.ts) against their attacker, on PGlite and Postgres, with a real
 * software authenticator (tests/support/soft-authenticator.ts) and the real verifier: nothing of
 * @simplewebauthn is mocked. A challenge that is stale, replayed, raced or carried into another
 * session, purpose or account; another user's passkey, or a key that merely claims its id; no
 * user verification; a phishing origin or RP ID; a counter that goes back; a credential id
 * registered twice; and one user renaming or removing another's passkey. No route is wired yet
 * (docs/decisions/047-second-factor-sign-in-and-step-up.md); these call the functions the routes
 * will call. Every refusal has a control beside it that passes with only the attacked property
 * changed, so a refusal for some other reason cannot make a test pass.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as Passkeys from "@/lib/auth/mfa/passkeys";
import type * as Management from "@/lib/auth/mfa/passkey-management";
import type * as RecoveryCodes from "@/lib/auth/mfa/recovery-codes";
import type { Db } from "@/lib/db/client";
import { databaseKinds, provisionDatabase, useDatabase, type ProvisionedDatabase } from "../support/databases";
import { SoftAuthenticator, type AssertionTamper, type RegistrationTamper, type SoftAuthenticatorOptions } from "../support/soft-authenticator";

/** Not port 3000, so a test would see an origin rebuilt from the RP ID instead of read from APP_URL. */
const APP_URL = "http://localhost:4310";
const RP_ID = "localhost";
const TTL_MS = 5 * 60_000;

let counter = 0;
const uniqueEmail = (label: string) => `${label}-${++counter}-${Date.now().toString(36)}@example.com`;
const binding = (label: string) => `${label}-${randomBytes(12).toString("base64url")}`;
const b64url = (text: string) => Buffer.from(text).toString("base64url");

describe.each(databaseKinds())("passkeys on %s", (kind) => {
  let database: ProvisionedDatabase;
  let db: Db;
  let passkeys: typeof Passkeys;
  let management: typeof Management;
  let codes: typeof RecoveryCodes;

  beforeAll(async () => {
    database = await provisionDatabase(kind);
    await useDatabase(database);
    vi.stubEnv("APP_URL", APP_URL);
    const [client, ceremonies, manage, recoveryCodes] = await Promise.all([
      import("@/lib/db/client"),
      import("@/lib/auth/mfa/passkeys"),
      import("@/lib/auth/mfa/passkey-management"),
      import("@/lib/auth/mfa/recovery-codes"),
    ]);
    db = await client.getDb();
    passkeys = ceremonies;
    management = manage;
    codes = recoveryCodes;
  });

  afterAll(async () => {
    const { disconnectDb } = await import("@/lib/db/client");
    await disconnectDb();
    await database.drop();
    vi.unstubAllEnvs();
  });

  async function newUser(label: string): Promise<string> {
    const user = await db.user.create({ data: { email: uniqueEmail(label), name: `Passkey ${label}` }, select: { id: true } });
    return user.id;
  }

  const authenticator = (options: Partial<SoftAuthenticatorOptions> = {}) => new SoftAuthenticator({ origin: APP_URL, ...options });

  async function registrationOptions(userId: string, sessionId: string, now?: Date) {
    const started = await passkeys.startPasskeyRegistration(db, { userId, sessionId }, now);
    if (!started.ok) throw new Error(`registration refused: ${started.reason}`);
    return started.options;
  }

  /** A user with one passkey on `device`, registered in a session of their own. */
  async function registeredUser(label: string, device = authenticator()) {
    const userId = await newUser(label);
    const sessionId = binding("session");
    const response = device.create(await registrationOptions(userId, sessionId));
    const finished = await passkeys.finishPasskeyRegistration(db, { userId, sessionId, response, name: label });
    if (!finished.ok) throw new Error(`registration failed: ${finished.reason}`);
    return { userId, sessionId, device, passkeyId: finished.passkey.id, credentialId: response.id };
  }

  type Scope = Passkeys.PasskeyAuthenticationScope;

  async function authenticationOptions(scope: Scope, now?: Date) {
    const started = await passkeys.startPasskeyAuthentication(db, scope, now);
    if (!started.ok) throw new Error(`authentication refused: ${started.reason}`);
    return started.options;
  }

  /** Start a ceremony for `scope`, let `device` answer (tampered as asked) and finish it. */
  async function prove(scope: Scope, device: SoftAuthenticator, tamper: AssertionTamper = {}) {
    const response = device.get(await authenticationOptions(scope), tamper);
    return passkeys.finishPasskeyAuthentication(db, { ...scope, response });
  }

  describe("registration and authentication", () => {
    it("registers a passkey with options that demand user verification, and proves it as a second factor, for a step-up and for a passwordless sign-in", async () => {
      const userId = await newUser("happy");
      const sessionId = binding("session");
      const options = await registrationOptions(userId, sessionId);
      expect(options.rp).toEqual({ id: RP_ID, name: "Palisade" });
      expect(options.user.id).toBe(b64url(userId));
      expect(options.authenticatorSelection).toMatchObject({ residentKey: "required", requireResidentKey: true, userVerification: "required" });
      expect(options.attestation).toBe("none");
      expect(options.pubKeyCredParams.map((param) => param.alg)).toEqual([-7, -257]);
      expect(options.timeout).toBe(TTL_MS);
      expect(options.excludeCredentials).toEqual([]);
      expect(Buffer.from(options.challenge, "base64url")).toHaveLength(32);

      // Only a hash of the challenge is stored, for this purpose, user and session, for 5 minutes.
      const challengeRows = await db.passkeyChallenge.findMany({ where: { boundTo: sessionId } });
      expect(challengeRows).toHaveLength(1);
      const [row] = challengeRows;
      expect(row).toMatchObject({ purpose: "registration", userId });
      expect(row?.id).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(challengeRows)).not.toContain(options.challenge);
      expect(JSON.stringify(challengeRows)).not.toContain(Buffer.from(options.challenge, "base64url").toString("hex"));
      expect((row?.expiresAt.getTime() ?? 0) - (row?.createdAt.getTime() ?? 0)).toBe(TTL_MS);

      const device = authenticator({ transports: ["internal", "hybrid", "carrier-pigeon"] });
      const response = device.create(options);
      const finished = await passkeys.finishPasskeyRegistration(db, { userId, sessionId, response, name: "  Work laptop  " });
      if (!finished.ok) throw new Error(finished.reason);
      expect(finished.passkey).toMatchObject({ name: "Work laptop", deviceType: "multiDevice", backedUp: true, lastUsedAt: null });
      const stored = await db.passkey.findUniqueOrThrow({ where: { id: finished.passkey.id } });
      expect(stored).toMatchObject({ userId, credentialId: response.id, counter: 0, transports: ["hybrid", "internal"] });
      expect(stored.publicKey).toMatch(/^[\w-]{40,}$/);
      expect(await db.passkeyChallenge.count({ where: { boundTo: sessionId } })).toBe(0);

      // The next registration lists it, so the same authenticator is not registered twice.
      const again = await registrationOptions(userId, sessionId);
      expect(again.excludeCredentials?.map((credential) => credential.id)).toEqual([response.id]);
      expect(() => device.create(again)).toThrow(/InvalidStateError/);

      const pendingSignIn = binding("pending");
      const secondFactor = await authenticationOptions({ purpose: "second-factor", userId, boundTo: pendingSignIn });
      expect(secondFactor.userVerification).toBe("required");
      expect(secondFactor.rpId).toBe(RP_ID);
      expect(secondFactor.allowCredentials?.map((credential) => credential.id)).toEqual([response.id]);
      const used = new Date();
      const proved = await passkeys.finishPasskeyAuthentication(
        db,
        { purpose: "second-factor", userId, boundTo: pendingSignIn, response: device.get(secondFactor) },
        used,
      );
      expect(proved).toEqual({ ok: true, userId, passkeyId: stored.id, userVerified: true, deviceType: "multiDevice" });
      expect((await db.passkey.findUniqueOrThrow({ where: { id: stored.id } })).lastUsedAt).toEqual(used);

      expect(await prove({ purpose: "step-up", userId, boundTo: sessionId }, device)).toMatchObject({ ok: true, userId });

      const passwordless = await authenticationOptions({ purpose: "sign-in", boundTo: binding("nonce") });
      expect(passwordless.allowCredentials).toEqual([]);
      expect(passwordless.userVerification).toBe("required");
      expect(await prove({ purpose: "sign-in", boundTo: binding("nonce") }, device)).toMatchObject({ ok: true, userId, passkeyId: stored.id });
    });

    it("offers no passkey ceremony as a second factor to an account without a passkey, and stores no challenge for it", async () => {
      const userId = await newUser("none");
      const boundTo = binding("pending");
      expect(await passkeys.startPasskeyAuthentication(db, { purpose: "second-factor", userId, boundTo })).toEqual({ ok: false, reason: "no-passkey" });
      expect(await db.passkeyChallenge.count({ where: { boundTo } })).toBe(0);
    });

    it("refuses a name it could not show, without spending the challenge", async () => {
      const userId = await newUser("named");
      const sessionId = binding("session");
      const response = authenticator().create(await registrationOptions(userId, sessionId));
      for (const name of ["", "   ", "x".repeat(65), "line\nbreak"]) {
        expect(await passkeys.finishPasskeyRegistration(db, { userId, sessionId, response, name })).toEqual({ ok: false, reason: "invalid-name" });
      }
      expect(await passkeys.finishPasskeyRegistration(db, { userId, sessionId, response, name: "Phone" })).toMatchObject({ ok: true });
    });
  });

  describe("challenges", () => {
    it("refuses a registration finished five minutes after it started, and accepts the same one a millisecond sooner", async () => {
      const userId = await newUser("stale-registration");
      const sessionId = binding("session");
      const started = new Date();
      const response = authenticator().create(await registrationOptions(userId, sessionId, started));
      const input = { userId, sessionId, response, name: "Stale" };
      expect(await passkeys.finishPasskeyRegistration(db, input, new Date(started.getTime() + TTL_MS))).toEqual({ ok: false, reason: "challenge-expired" });
      expect(await passkeys.finishPasskeyRegistration(db, input, new Date(started.getTime() + TTL_MS - 1))).toMatchObject({ ok: true });
    });

    it("refuses an assertion on a stale challenge, and accepts the same one a millisecond sooner", async () => {
      const { userId, device } = await registeredUser("stale-assertion");
      const scope: Scope = { purpose: "second-factor", userId, boundTo: binding("pending") };
      const started = new Date();
      const response = device.get(await authenticationOptions(scope, started));
      expect(await passkeys.finishPasskeyAuthentication(db, { ...scope, response }, new Date(started.getTime() + TTL_MS))).toEqual({
        ok: false,
        reason: "challenge-expired",
      });
      expect(await passkeys.finishPasskeyAuthentication(db, { ...scope, response }, new Date(started.getTime() + TTL_MS - 1))).toMatchObject({ ok: true });
    });

    it("refuses a replayed assertion and a replayed registration: a challenge is used once", async () => {
      const { userId, device } = await registeredUser("replay");
      const scope: Scope = { purpose: "step-up", userId, boundTo: binding("session") };
      const response = device.get(await authenticationOptions(scope));
      expect(await passkeys.finishPasskeyAuthentication(db, { ...scope, response })).toMatchObject({ ok: true });
      expect(await passkeys.finishPasskeyAuthentication(db, { ...scope, response })).toEqual({ ok: false, reason: "challenge-expired" });

      const sessionId = binding("session");
      const registration = authenticator().create(await registrationOptions(userId, sessionId));
      expect(await passkeys.finishPasskeyRegistration(db, { userId, sessionId, response: registration, name: "Once" })).toMatchObject({ ok: true });
      expect(await passkeys.finishPasskeyRegistration(db, { userId, sessionId, response: registration, name: "Twice" })).toEqual({
        ok: false,
        reason: "challenge-expired",
      });
      expect(await db.passkey.count({ where: { userId } })).toBe(2);
    });

    it("lets exactly one of five racing finishes with one assertion pass", async () => {
      const { userId, device } = await registeredUser("race");
      const scope: Scope = { purpose: "second-factor", userId, boundTo: binding("pending") };
      const response = device.get(await authenticationOptions(scope));
      const results = await Promise.all(Array.from({ length: 5 }, () => passkeys.finishPasskeyAuthentication(db, { ...scope, response })));
      expect(results.filter((result) => result.ok)).toHaveLength(1);
      expect(results.filter((result) => !result.ok)).toEqual(Array.from({ length: 4 }, () => ({ ok: false, reason: "challenge-expired" })));
    });

    it("lets exactly one of five racing finishes with one registration store a passkey", async () => {
      const userId = await newUser("registration-race");
      const sessionId = binding("session");
      const response = authenticator().create(await registrationOptions(userId, sessionId));
      const results = await Promise.all(Array.from({ length: 5 }, () => passkeys.finishPasskeyRegistration(db, { userId, sessionId, response, name: "Race" })));
      expect(results.filter((result) => result.ok)).toHaveLength(1);
      expect(await db.passkey.count({ where: { userId } })).toBe(1);
    });

    it("spends the challenge on a failed attempt: the right answer cannot follow a wrong one", async () => {
      const { userId, device } = await registeredUser("spent-on-failure");
      const scope: Scope = { purpose: "step-up", userId, boundTo: binding("session") };
      const options = await authenticationOptions(scope);
      expect(await passkeys.finishPasskeyAuthentication(db, { ...scope, response: device.get(options, { userVerified: false }) })).toEqual({
        ok: false,
        reason: "invalid",
      });
      expect(await passkeys.finishPasskeyAuthentication(db, { ...scope, response: device.get(options) })).toEqual({ ok: false, reason: "challenge-expired" });
    });

    it("refuses a registration challenge finished in another session or for another account", async () => {
      const userId = await newUser("bound-registration");
      const otherUser = await newUser("bound-registration-other");
      const sessionId = binding("session");
      const response = authenticator().create(await registrationOptions(userId, sessionId));
      // The attacker's session, with the victim's ceremony; then the attacker's account, in the victim's session.
      expect(await passkeys.finishPasskeyRegistration(db, { userId, sessionId: binding("session"), response, name: "Stolen" })).toEqual({
        ok: false,
        reason: "challenge-expired",
      });
      expect(await passkeys.finishPasskeyRegistration(db, { userId: otherUser, sessionId, response, name: "Stolen" })).toEqual({
        ok: false,
        reason: "challenge-expired",
      });
      expect(await db.passkey.count({ where: { userId: otherUser } })).toBe(0);
      // Untouched by both: its own session and account still finish it.
      expect(await passkeys.finishPasskeyRegistration(db, { userId, sessionId, response, name: "Mine" })).toMatchObject({ ok: true });
    });

    it("refuses an assertion on a challenge bound to another pending sign-in, another purpose or another account", async () => {
      const { userId, device } = await registeredUser("bound-assertion");
      const other = await registeredUser("bound-assertion-other");
      const pendingSignIn = binding("pending");
      const scope: Scope = { purpose: "second-factor", userId, boundTo: pendingSignIn };
      const response = device.get(await authenticationOptions(scope));
      const elsewhere: Scope[] = [
        { purpose: "second-factor", userId, boundTo: binding("pending") },
        { purpose: "step-up", userId, boundTo: pendingSignIn },
        { purpose: "sign-in", boundTo: pendingSignIn },
        { purpose: "second-factor", userId: other.userId, boundTo: pendingSignIn },
      ];
      for (const wrong of elsewhere) {
        expect(await passkeys.finishPasskeyAuthentication(db, { ...wrong, response })).toEqual({ ok: false, reason: "challenge-expired" });
      }
      expect(await passkeys.finishPasskeyAuthentication(db, { ...scope, response })).toMatchObject({ ok: true, userId });

      // A passwordless sign-in's challenge, anonymous, cannot finish a second step for an account.
      const nonce = binding("nonce");
      const anonymous = device.get(await authenticationOptions({ purpose: "sign-in", boundTo: nonce }));
      expect(await passkeys.finishPasskeyAuthentication(db, { purpose: "second-factor", userId, boundTo: nonce, response: anonymous })).toEqual({
        ok: false,
        reason: "challenge-expired",
      });
      expect(await passkeys.finishPasskeyAuthentication(db, { purpose: "sign-in", boundTo: nonce, response: anonymous })).toMatchObject({ ok: true, userId });
    });
  });

  describe("whose passkey", () => {
    it("refuses Bob's passkey as Alice's second factor, though Bob's signature is valid", async () => {
      const alice = await registeredUser("alice");
      const bob = await registeredUser("bob");
      const scope: Scope = { purpose: "second-factor", userId: alice.userId, boundTo: binding("pending") };
      const options = await authenticationOptions(scope);
      // Bob's client ignores the allow list (which names only Alice's passkey) and answers anyway.
      const bobsAnswer = bob.device.get({ ...options, allowCredentials: [] });
      expect(await passkeys.finishPasskeyAuthentication(db, { ...scope, response: bobsAnswer })).toEqual({ ok: false, reason: "unknown-credential" });
      // The control: Alice's own passkey on a fresh challenge; Bob's counts for Bob, never for Alice.
      expect(await prove(scope, alice.device)).toMatchObject({ ok: true, userId: alice.userId });
      expect(await prove({ purpose: "second-factor", userId: bob.userId, boundTo: binding("pending") }, bob.device)).toMatchObject({
        ok: true,
        userId: bob.userId,
      });
    });

    it("refuses a key that claims Alice's credential id but is not hers", async () => {
      const alice = await registeredUser("claimed");
      const mallory = await registeredUser("mallory");
      const scope: Scope = { purpose: "second-factor", userId: alice.userId, boundTo: binding("pending") };
      const options = await authenticationOptions(scope);
      const forged = mallory.device.get({ ...options, allowCredentials: [] }, { claimCredentialId: alice.credentialId, userHandle: b64url(alice.userId) });
      expect(await passkeys.finishPasskeyAuthentication(db, { ...scope, response: forged })).toEqual({ ok: false, reason: "invalid" });
      const counters = await db.passkey.findUniqueOrThrow({ where: { id: alice.passkeyId }, select: { lastUsedAt: true } });
      expect(counters.lastUsedAt).toBeNull();
    });

    it("signs Bob in with Bob's passkey, and refuses it when its user handle names Alice", async () => {
      const alice = await registeredUser("handle-alice");
      const bob = await registeredUser("handle-bob");
      expect(await prove({ purpose: "sign-in", boundTo: binding("nonce") }, bob.device)).toMatchObject({ ok: true, userId: bob.userId });
      expect(await prove({ purpose: "sign-in", boundTo: binding("nonce") }, bob.device, { userHandle: b64url(alice.userId) })).toEqual({
        ok: false,
        reason: "unknown-credential",
      });
      expect(await prove({ purpose: "sign-in", boundTo: binding("nonce") }, bob.device, { userHandle: null })).toEqual({
        ok: false,
        reason: "unknown-credential",
      });
    });

    it("refuses to register a credential id that is already registered, and leaves the owner's key alone", async () => {
      const alice = await registeredUser("original");
      const mallory = await newUser("copycat");
      const sessionId = binding("session");
      const before = await db.passkey.findUniqueOrThrow({ where: { id: alice.passkeyId }, select: { publicKey: true, userId: true } });
      const copy = authenticator().create(await registrationOptions(mallory, sessionId), {
        credentialId: new Uint8Array(Buffer.from(alice.credentialId, "base64url")),
      });
      expect(await passkeys.finishPasskeyRegistration(db, { userId: mallory, sessionId, response: copy, name: "Copy" })).toEqual({
        ok: false,
        reason: "duplicate",
      });
      expect(await db.passkey.findUniqueOrThrow({ where: { id: alice.passkeyId }, select: { publicKey: true, userId: true } })).toEqual(before);
      expect(await db.passkey.count({ where: { userId: mallory } })).toBe(0);
    });

    it("refuses a registration whose reported credential id is not the one the authenticator signed", async () => {
      const userId = await newUser("mismatch");
      const sessionId = binding("session");
      const response = authenticator().create(await registrationOptions(userId, sessionId), { claimCredentialId: b64url("another-credential-id") });
      expect(await passkeys.finishPasskeyRegistration(db, { userId, sessionId, response, name: "Mismatch" })).toEqual({ ok: false, reason: "invalid" });
      expect(await db.passkey.count({ where: { userId } })).toBe(0);
    });
  });

  describe("user verification", () => {
    it("refuses a registration whose authenticator did not verify the user", async () => {
      const userId = await newUser("uv-registration");
      const sessionId = binding("session");
      const unverified = authenticator().create(await registrationOptions(userId, sessionId), { userVerified: false });
      expect(await passkeys.finishPasskeyRegistration(db, { userId, sessionId, response: unverified, name: "No PIN" })).toEqual({
        ok: false,
        reason: "invalid",
      });
      expect(await db.passkey.count({ where: { userId } })).toBe(0);
      const verified = authenticator().create(await registrationOptions(userId, sessionId));
      expect(await passkeys.finishPasskeyRegistration(db, { userId, sessionId, response: verified, name: "PIN" })).toMatchObject({ ok: true });
    });

    it.each(["second-factor", "step-up", "sign-in"] as const)("refuses a %s assertion made without user verification", async (purpose) => {
      const { userId, device } = await registeredUser(`uv-${purpose}`);
      const scope: Scope = purpose === "sign-in" ? { purpose, boundTo: binding("nonce") } : { purpose, userId, boundTo: binding("bound") };
      expect(await prove(scope, device, { userVerified: false })).toEqual({ ok: false, reason: "invalid" });
      expect(await prove(scope, device)).toMatchObject({ ok: true, userId });
    });
  });

  describe("phishing", () => {
    const attacks: [string, RegistrationTamper & AssertionTamper][] = [
      ["another site's origin", { origin: "https://palisade-login.example" }],
      ["another site's origin and RP ID, as a relaying proxy would", { origin: "https://palisade-login.example", rpId: "palisade-login.example" }],
      ["our host on another port", { origin: "http://localhost:4311" }],
      ["our host over another scheme", { origin: "https://localhost:4310" }],
      ["another RP ID", { rpId: "example.com" }],
    ];

    it.each(attacks)("refuses a registration made on %s", async (_name, tamper) => {
      const userId = await newUser("phished-registration");
      const sessionId = binding("session");
      const phished = authenticator().create(await registrationOptions(userId, sessionId), tamper);
      expect(await passkeys.finishPasskeyRegistration(db, { userId, sessionId, response: phished, name: "Phished" })).toEqual({
        ok: false,
        reason: "invalid",
      });
      expect(await db.passkey.count({ where: { userId } })).toBe(0);
      const genuine = authenticator().create(await registrationOptions(userId, sessionId));
      expect(await passkeys.finishPasskeyRegistration(db, { userId, sessionId, response: genuine, name: "Genuine" })).toMatchObject({ ok: true });
    });

    it.each(attacks)("refuses an assertion made on %s", async (_name, tamper) => {
      const { userId, device } = await registeredUser("phished-assertion");
      const scope: Scope = { purpose: "second-factor", userId, boundTo: binding("pending") };
      expect(await prove(scope, device, tamper)).toEqual({ ok: false, reason: "invalid" });
      expect(await prove(scope, device)).toMatchObject({ ok: true, userId });
    });

    it("refuses a registration answer offered as an assertion, and an assertion's type at registration", async () => {
      const { userId, device } = await registeredUser("ceremony-type");
      expect(await prove({ purpose: "step-up", userId, boundTo: binding("session") }, device, { type: "webauthn.create" })).toEqual({
        ok: false,
        reason: "invalid",
      });
      const sessionId = binding("session");
      const wrongType = authenticator().create(await registrationOptions(userId, sessionId), { type: "webauthn.get" });
      expect(await passkeys.finishPasskeyRegistration(db, { userId, sessionId, response: wrongType, name: "Type" })).toEqual({ ok: false, reason: "invalid" });
    });
  });

  describe("keys and counters", () => {
    it("refuses a key of an algorithm it did not offer (EdDSA)", async () => {
      const userId = await newUser("eddsa");
      const sessionId = binding("session");
      const response = authenticator({ algorithm: "EdDSA" }).create(await registrationOptions(userId, sessionId));
      expect(await passkeys.finishPasskeyRegistration(db, { userId, sessionId, response, name: "Ed25519" })).toEqual({ ok: false, reason: "invalid" });
      expect(await db.passkey.count({ where: { userId } })).toBe(0);
    });

    it("refuses a signature counter that did not grow, and keeps the highest one seen", async () => {
      const { userId, device, passkeyId } = await registeredUser("counter", authenticator({ initialCounter: 5, synced: false }));
      const stored = () => db.passkey.findUniqueOrThrow({ where: { id: passkeyId }, select: { counter: true, deviceType: true } });
      expect(await stored()).toEqual({ counter: 5, deviceType: "singleDevice" });
      const scope = (): Scope => ({ purpose: "second-factor", userId, boundTo: binding("pending") });
      expect(await prove(scope(), device)).toMatchObject({ ok: true, deviceType: "singleDevice" });
      expect((await stored()).counter).toBe(6);
      // A clone that kept the old counter: equal, lower, and back at zero.
      for (const cloned of [6, 2, 0]) expect(await prove(scope(), device, { counter: cloned })).toEqual({ ok: false, reason: "counter-regression" });
      expect((await stored()).counter).toBe(6);
      expect(await prove(scope(), device, { counter: 7 })).toMatchObject({ ok: true });
      expect((await stored()).counter).toBe(7);
    });

    it("lets exactly one of two racing assertions with the same counter pass", async () => {
      const { userId, device, passkeyId } = await registeredUser("counter-race", authenticator({ initialCounter: 1 }));
      const scopes: Scope[] = [0, 1].map(() => ({ purpose: "step-up", userId, boundTo: binding("session") }));
      const responses = await Promise.all(scopes.map(async (scope) => device.get(await authenticationOptions(scope), { counter: 10 })));
      const results = await Promise.all(scopes.map((scope, index) => passkeys.finishPasskeyAuthentication(db, { ...scope, response: responses[index] })));
      expect(results.filter((result) => result.ok)).toHaveLength(1);
      expect(results.filter((result) => !result.ok)).toEqual([{ ok: false, reason: "counter-regression" }]);
      expect((await db.passkey.findUniqueOrThrow({ where: { id: passkeyId }, select: { counter: true } })).counter).toBe(10);
    });

    it("accepts a counter that stays at zero, as synced passkeys report it", async () => {
      const { userId, device, passkeyId } = await registeredUser("zero-counter");
      for (let use = 0; use < 3; use++) expect(await prove({ purpose: "step-up", userId, boundTo: binding("session") }, device)).toMatchObject({ ok: true });
      expect((await db.passkey.findUniqueOrThrow({ where: { id: passkeyId }, select: { counter: true } })).counter).toBe(0);
    });
  });

  describe("managing passkeys", () => {
    it("never renames, removes or lists another user's passkey", async () => {
      const alice = await registeredUser("owner-alice");
      const bob = await registeredUser("owner-bob");
      expect(await management.renamePasskey(db, { userId: alice.userId, passkeyId: bob.passkeyId, name: "Mine now" })).toEqual({
        ok: false,
        reason: "not-found",
      });
      expect(await management.removePasskey(db, { userId: alice.userId, passkeyId: bob.passkeyId })).toEqual({ removed: false, recoveryCodesDeleted: 0 });
      expect(await management.listPasskeys(db, bob.userId)).toEqual([expect.objectContaining({ id: bob.passkeyId, name: "owner-bob" })]);
      expect((await management.listPasskeys(db, alice.userId)).map((passkey) => passkey.id)).toEqual([alice.passkeyId]);
      // The control: the owner can do both.
      expect(await management.renamePasskey(db, { userId: bob.userId, passkeyId: bob.passkeyId, name: " Bob's key " })).toMatchObject({
        ok: true,
        passkey: { id: bob.passkeyId, name: "Bob's key" },
      });
      expect(await management.renamePasskey(db, { userId: bob.userId, passkeyId: bob.passkeyId, name: "\u0000" })).toEqual({
        ok: false,
        reason: "invalid-name",
      });
      expect(await management.hasPasskey(db, bob.userId)).toBe(true);
      expect(await management.removePasskey(db, { userId: bob.userId, passkeyId: bob.passkeyId })).toEqual({ removed: true, recoveryCodesDeleted: 0 });
      expect(await management.hasPasskey(db, bob.userId)).toBe(false);
      expect(await management.hasPasskey(db, alice.userId)).toBe(true);
      // A removed passkey proves nothing any more.
      const scope: Scope = { purpose: "sign-in", boundTo: binding("nonce") };
      const options = await authenticationOptions(scope);
      expect(await passkeys.finishPasskeyAuthentication(db, { ...scope, response: bob.device.get(options) })).toEqual({
        ok: false,
        reason: "unknown-credential",
      });
    });

    it("deletes the recovery codes with the last second factor, and keeps them while another remains", async () => {
      const { userId, passkeyId } = await registeredUser("codes");
      const sessionId = binding("session");
      const second = await passkeys.finishPasskeyRegistration(db, {
        userId,
        sessionId,
        response: authenticator().create(await registrationOptions(userId, sessionId)),
        name: "Spare",
      });
      if (!second.ok) throw new Error(second.reason);
      await codes.replaceRecoveryCodes(db, userId);
      expect(await management.removePasskey(db, { userId, passkeyId })).toEqual({ removed: true, recoveryCodesDeleted: 0 });
      expect(await codes.remainingRecoveryCodes(db, userId)).toBe(codes.RECOVERY_CODE_COUNT);
      expect(await management.removePasskey(db, { userId, passkeyId: second.passkey.id })).toEqual({
        removed: true,
        recoveryCodesDeleted: codes.RECOVERY_CODE_COUNT,
      });

      // A confirmed TOTP factor is another second factor: the codes stay with it.
      const withTotp = await registeredUser("codes-totp");
      await db.totpFactor.create({ data: { userId: withTotp.userId, encryptedSecret: "v1.sealed", confirmedAt: new Date() } });
      await codes.replaceRecoveryCodes(db, withTotp.userId);
      expect(await management.removePasskey(db, { userId: withTotp.userId, passkeyId: withTotp.passkeyId })).toEqual({
        removed: true,
        recoveryCodesDeleted: 0,
      });
    });

    it("deletes an account's passkeys and challenges with the account", async () => {
      const { userId } = await registeredUser("cascade");
      await authenticationOptions({ purpose: "step-up", userId, boundTo: binding("session") });
      await db.user.delete({ where: { id: userId } });
      expect(await db.passkey.count({ where: { userId } })).toBe(0);
      expect(await db.passkeyChallenge.count({ where: { userId } })).toBe(0);
    });
  });
});
