/**
 * The account-linking rules (docs/decisions/031-account-linking-rules.md), through the real route
 * handlers and a real OpenID Connect provider, on the embedded PGlite and on Postgres. Each rule
 * has its attacker's case: an email match without proof, an unverified address, a borrowed
 * session, an identity that already belongs to someone else.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds } from "../support/databases";
import { call } from "../support/http";
import { auditOf, OIDC_NAME, PASSWORD, registerWithPassword, startOAuthApp, stopOAuthApp, uniquePerson, whoAmI, type OAuthApp } from "../support/oidc-app";
import { APP_ORIGIN, cookieNames, CookieJar, signInThroughProvider } from "../support/oidc-flow";
import { TestOidcProvider } from "../support/oidc-provider";

const ACCESS = "__Host-palisade-at";
const REFRESH = "__Secure-palisade-rt";
const PENDING = "__Host-palisade-oauth-link";
const DESTINATION = `${APP_ORIGIN}/dashboard`;
const outcome = (code: string) => `${APP_ORIGIN}/signin?oauth=${code}`;
/** Where a refused link lands for someone who was signed in: their account page. */
const accountOutcome = (code: string) => `${APP_ORIGIN}/account?oauth=${code}`;

let idp: TestOidcProvider;
beforeAll(async () => {
  idp = await TestOidcProvider.start();
});
afterAll(async () => {
  await idp.stop();
});

describe.each(databaseKinds())("account linking rules on %s", (kind) => {
  let app: OAuthApp;

  beforeAll(async () => {
    app = await startOAuthApp(kind, idp);
  });
  afterAll(async () => {
    await stopOAuthApp(app);
  });

  /** A provider sign-in as `person` in `jar` (a fresh browser unless given). */
  async function providerSignIn(person: { sub: string; email?: string; name?: string; emailVerified?: unknown }, jar = new CookieJar()) {
    idp.signInAs({ emailVerified: true, ...person });
    const response = await signInThroughProvider(app.broker, jar);
    return { response, jar, location: response.headers.get("location"), cookies: cookieNames(response) };
  }

  async function accountsOf(userId: string) {
    return app.db.account.findMany({ where: { userId }, select: { provider: true, providerAccountId: true } });
  }

  async function sessionsOf(userId: string) {
    return app.db.session.count({ where: { userId, revokedAt: null } });
  }

  describe("first and return sign-in", () => {
    it("creates a user without a password on a first sign-in with a verified email, links the provider and opens a session", async () => {
      const person = uniquePerson();
      const { response, jar, location, cookies } = await providerSignIn(person);

      expect(response.status).toBe(302);
      expect(location).toBe(DESTINATION);
      expect(cookies.set).toEqual(expect.arrayContaining([ACCESS, REFRESH]));
      const user = await app.db.user.findUnique({ where: { email: person.email }, select: { id: true, name: true, passwordHash: true, role: true } });
      expect(user).toMatchObject({ name: person.name, passwordHash: null, role: "USER" });
      expect(await accountsOf(user!.id)).toEqual([{ provider: "oidc", providerAccountId: person.sub }]);
      expect(await whoAmI(app, jar)).toBe(user!.id);
      expect((await auditOf(app, { userId: user!.id })).map((event) => event.type)).toEqual(["user.registered", "oauth.linked", "oauth.signed_in"]);
    });

    it("signs a returning provider account in to the same user, with a new session and no new user", async () => {
      const person = uniquePerson();
      const first = await providerSignIn(person);
      const userId = (await whoAmI(app, first.jar))!;

      // A changed email at the provider does not move the identity: the subject is what counts.
      const again = await providerSignIn({ ...person, email: uniquePerson().email });
      expect(again.location).toBe(DESTINATION);
      expect(await whoAmI(app, again.jar)).toBe(userId);
      expect(await app.db.user.count({ where: { email: person.email } })).toBe(1);
      expect(await sessionsOf(userId)).toBe(2);
      const signedIn = await auditOf(app, { type: "oauth.signed_in", userId });
      expect(signedIn.map((event) => event.details)).toEqual([
        { provider: "oidc", created: true },
        { provider: "oidc", created: false },
      ]);
    });

    it("creates exactly one user, and signs every browser in, when a new person's callbacks arrive at once", async () => {
      // Several rounds, so the interleavings that matter (one insert waiting on another, a lookup
      // between another request's two lookups) actually occur.
      for (let round = 0; round < 5; round++) {
        const person = uniquePerson();
        idp.signInAs({ ...person, emailVerified: true });
        const responses = await Promise.all([1, 2, 3].map(() => signInThroughProvider(app.broker, new CookieJar())));
        expect(responses.map((response) => response.headers.get("location"))).toEqual([DESTINATION, DESTINATION, DESTINATION]);
        expect(await app.db.user.count({ where: { email: person.email } })).toBe(1);
        expect(await app.db.account.count({ where: { provider: "oidc", providerAccountId: person.sub } })).toBe(1);
      }
    });
  });

  describe("an existing email without proof of ownership", () => {
    it("refuses to link a password account by email alone: no session, no link, a pending link to confirm", async () => {
      const person = uniquePerson();
      const { userId } = await registerWithPassword(app, person.email);

      const { response, location, cookies, jar } = await providerSignIn(person);
      expect(response.status).toBe(302);
      expect(location).toBe(outcome("link-required"));
      expect(cookies.set).not.toContain(ACCESS);
      expect(cookies.set).not.toContain(REFRESH);
      expect(cookies.set).toContain(PENDING);
      expect(await whoAmI(app, jar)).toBeNull();
      expect(await accountsOf(userId)).toEqual([]);
      expect(await sessionsOf(userId)).toBe(1); // the registration's own
      expect((await auditOf(app, { type: "oauth.link_refused", userId })).map((event) => event.details)).toEqual([
        { provider: "oidc", reason: "proof_required" },
      ]);
    });

    it("links and signs in only with the account's password, and the provider then signs in directly", async () => {
      const person = uniquePerson();
      const { userId } = await registerWithPassword(app, person.email);
      const { jar } = await providerSignIn(person);

      const pending = await call(app.describeLink, { jar });
      expect(await pending.json()).toEqual({ provider: { id: "oidc", name: OIDC_NAME }, email: person.email });

      const wrong = await call(app.confirmLink, { body: { password: "not the password at all" }, jar });
      expect(wrong.status).toBe(401);
      expect(cookieNames(wrong).set).toEqual([]);
      expect(await accountsOf(userId)).toEqual([]);

      const right = await call(app.confirmLink, { body: { password: PASSWORD }, jar });
      expect(right.status).toBe(200);
      expect(cookieNames(right)).toEqual({ set: [ACCESS, REFRESH], cleared: [PENDING] });
      expect(await whoAmI(app, jar)).toBe(userId);
      expect(await accountsOf(userId)).toEqual([{ provider: "oidc", providerAccountId: person.sub }]);
      const refusals = await auditOf(app, { type: "oauth.link_refused", userId });
      expect(refusals.map((event) => (event.details as { reason: string }).reason)).toEqual(["proof_required", "wrong_password"]);
      expect((await auditOf(app, { type: "oauth.linked", userId })).map((event) => event.details)).toEqual([{ provider: "oidc", proof: "password" }]);

      const later = await providerSignIn(person);
      expect(later.location).toBe(DESTINATION);
      expect(await whoAmI(app, later.jar)).toBe(userId);
    });

    it("refuses a password confirmation without a pending link, or with a forged or altered one", async () => {
      const person = uniquePerson();
      const { userId } = await registerWithPassword(app, person.email);
      const { jar } = await providerSignIn(person);
      const genuine = jar.cookies.get(PENDING)!;

      const none = await call(app.confirmLink, { body: { password: PASSWORD } });
      const altered = jar.clone();
      // Flip one character of the ciphertext: AES-GCM's tag no longer matches.
      const parts = genuine.split(".");
      parts[3] = (parts[3]!.startsWith("A") ? "B" : "A") + parts[3]!.slice(1);
      altered.cookies.set(PENDING, parts.join("."));
      const forged = jar.clone();
      forged.cookies.set(PENDING, "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA");

      for (const response of [
        none,
        await call(app.confirmLink, { body: { password: PASSWORD }, jar: altered }),
        await call(app.confirmLink, { body: { password: PASSWORD }, jar: forged }),
      ]) {
        expect(response.status).toBe(401);
        expect((await response.json()).type).toBe("/problems/link-expired");
      }
      expect(await accountsOf(userId)).toEqual([]);
    });

    it("tells an account without a password to sign in the way it did before, and offers no password confirmation", async () => {
      const person = uniquePerson();
      const first = await providerSignIn(person);
      const userId = (await whoAmI(app, first.jar))!;

      // The same verified email from a different identity at the provider.
      const other = await providerSignIn({ ...person, sub: uniquePerson().sub });
      expect(other.location).toBe(outcome("link-requires-sign-in"));
      expect(other.cookies.set).toEqual([]);
      expect(await accountsOf(userId)).toHaveLength(1);
    });
  });

  describe("unverified email addresses", () => {
    it.each([
      ["email_verified false", false],
      ['email_verified as the string "true"', "true"],
      ["email_verified as 1", 1],
      ["no email_verified claim", undefined],
    ])("never creates an account on an unverified address (%s)", async (_label, emailVerified) => {
      const person = uniquePerson();
      idp.signInAs({ sub: person.sub, email: person.email, name: person.name, ...(emailVerified === undefined ? {} : { emailVerified }) });
      const jar = new CookieJar();
      const response = await signInThroughProvider(app.broker, jar);
      expect(response.headers.get("location")).toBe(outcome("email-unverified"));
      expect(cookieNames(response).set).toEqual([]);
      expect(await app.db.user.count({ where: { email: person.email } })).toBe(0);
      expect(await app.db.account.count({ where: { providerAccountId: person.sub } })).toBe(0);
    });

    it("never matches an existing account on an unverified address, and does not reveal that it exists", async () => {
      const person = uniquePerson();
      const { userId } = await registerWithPassword(app, person.email);
      const { location, cookies } = await providerSignIn({ ...person, emailVerified: false });
      // The same answer as for an unknown address: nothing says an account exists.
      expect(location).toBe(outcome("email-unverified"));
      expect(cookies.set).toEqual([]);
      expect(await accountsOf(userId)).toEqual([]);
    });

    it("refuses a provider account with no email at all", async () => {
      const person = uniquePerson();
      idp.signInAs({ sub: person.sub });
      const response = await signInThroughProvider(app.broker, new CookieJar());
      expect(response.headers.get("location")).toBe(outcome("email-unverified"));
      expect(await app.db.account.count({ where: { providerAccountId: person.sub } })).toBe(0);
      const refusal = await app.db.auditEvent.findFirst({
        where: { type: "oauth.sign_in_refused" },
        orderBy: { createdAt: "desc" },
        select: { details: true },
      });
      expect(refusal?.details).toEqual({ provider: "oidc", reason: "email_unverified" });
    });
  });

  describe("linking while signed in", () => {
    it("links a provider account to the signed-in user after a recent sign-in, and keeps their session", async () => {
      const { jar, userId } = await registerWithPassword(app, uniquePerson().email);
      // A different address at the provider is fine: the signed-in person is the proof.
      const person = uniquePerson();
      const { location, cookies } = await providerSignIn(person, jar);

      expect(location).toBe(DESTINATION);
      expect(cookies.set).not.toContain(ACCESS); // the existing session simply continues
      expect(await whoAmI(app, jar)).toBe(userId);
      expect(await accountsOf(userId)).toEqual([{ provider: "oidc", providerAccountId: person.sub }]);
      expect(await sessionsOf(userId)).toBe(1);
      expect((await auditOf(app, { type: "oauth.linked", userId })).map((event) => event.details)).toEqual([{ provider: "oidc", proof: "signed-in" }]);

      const fresh = await providerSignIn(person);
      expect(await whoAmI(app, fresh.jar)).toBe(userId);
    });

    it("tells the account's address when a provider is connected to it", async () => {
      const email = uniquePerson().email;
      const { jar } = await registerWithPassword(app, email);
      await providerSignIn(uniquePerson(), jar);
      // The sign-up's own confirmation link is the other message this address has had.
      const notices = await app.db.mailMessage.findMany({
        where: { to: email, template: { not: "verify-email" } },
        select: { template: true, subject: true, text: true },
      });
      expect(notices).toEqual([
        {
          template: "sign-in-method-changed",
          subject: `${OIDC_NAME} can now sign in to your Palisade account`,
          text: expect.stringContaining("it can now sign you in"),
        },
      ]);
    });

    it("refuses to link when the session was not opened recently: a borrowed token cannot add a lasting credential", async () => {
      const { jar, userId } = await registerWithPassword(app, uniquePerson().email);
      await app.db.session.updateMany({
        where: { userId },
        data: { createdAt: new Date(Date.now() - 11 * 60 * 1000), authTime: new Date(Date.now() - 11 * 60 * 1000) },
      });

      const { location } = await providerSignIn(uniquePerson(), jar);
      expect(location).toBe(accountOutcome("reauth-required"));
      expect(await accountsOf(userId)).toEqual([]);
      expect((await auditOf(app, { type: "oauth.link_refused", userId }))[0]?.details).toEqual({ provider: "oidc", reason: "sign_in_not_recent" });
    });

    it("refuses to move a provider account that belongs to another user, and does not switch the browser to them", async () => {
      const owner = uniquePerson();
      const ownerId = (await whoAmI(app, (await providerSignIn(owner)).jar))!;
      const { jar, userId } = await registerWithPassword(app, uniquePerson().email);

      const { location, cookies } = await providerSignIn(owner, jar);
      expect(location).toBe(accountOutcome("linked-to-another-account"));
      expect(cookies.set).toEqual([]);
      expect(await whoAmI(app, jar)).toBe(userId);
      expect(await accountsOf(ownerId)).toHaveLength(1);
      expect(await accountsOf(userId)).toEqual([]);
    });

    it("refuses a second account at the same provider for one user", async () => {
      const { jar, userId } = await registerWithPassword(app, uniquePerson().email);
      const first = uniquePerson();
      await providerSignIn(first, jar);
      const { location } = await providerSignIn(uniquePerson(), jar);
      expect(location).toBe(accountOutcome("provider-already-linked"));
      expect(await accountsOf(userId)).toEqual([{ provider: "oidc", providerAccountId: first.sub }]);
    });

    it("refuses to link an identity whose email the provider did not verify, even for a signed-in user", async () => {
      const { jar, userId } = await registerWithPassword(app, uniquePerson().email);
      const { location } = await providerSignIn({ ...uniquePerson(), emailVerified: false }, jar);
      expect(location).toBe(accountOutcome("email-unverified"));
      expect(await accountsOf(userId)).toEqual([]);
    });
  });

  it("refuses a disabled user's provider sign-in with the generic answer", async () => {
    const person = uniquePerson();
    const userId = (await whoAmI(app, (await providerSignIn(person)).jar))!;
    await app.db.user.update({ where: { id: userId }, data: { disabledAt: new Date() } });

    const { location, cookies } = await providerSignIn(person);
    expect(location).toBe(outcome("sign-in-failed"));
    expect(cookies.set).toEqual([]);
    expect((await auditOf(app, { type: "oauth.sign_in_refused", userId }))[0]?.details).toEqual({ provider: "oidc", reason: "account_disabled" });
  });
});
