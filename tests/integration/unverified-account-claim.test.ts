/**
 * What an unproved address is worth (lib/auth/oauth/linking.ts, lib/admin/users.ts), through the
 * real route handlers, a real OpenID Connect provider and a real SMTP server, on PGlite and
 * Postgres. The attacker is a squatter who signed up first with someone else's address
 * ("pre-account takeover"): when the address's owner arrives through a provider that vouches for
 * it, the squatter must keep no way in. Until the address is proved, the account may not add a
 * provider or become an admin. A verified account is not claimable: the old linking rules hold.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds } from "../support/databases";
import { call, type Handler } from "../support/http";
import { linkToken, peopleKit, SUBJECTS, type PeopleKit } from "../support/mail-flows";
import { auditOf, PASSWORD, startOAuthApp, stopOAuthApp, uniquePerson, whoAmI, type OAuthApp } from "../support/oidc-app";
import { APP_ORIGIN, cookieNames, CookieJar, signInThroughProvider } from "../support/oidc-flow";
import { TestOidcProvider } from "../support/oidc-provider";
import { startSmtpPeer, type SmtpPeer } from "../support/smtp-peer";

const ACCESS = "__Host-palisade-at";
const REFRESH = "__Secure-palisade-rt";
const PENDING = "__Host-palisade-oauth-link";
const DESTINATION = `${APP_ORIGIN}/dashboard`;
const outcome = (code: string) => `${APP_ORIGIN}/signin?oauth=${code}`;
const accountOutcome = (code: string) => `${APP_ORIGIN}/account?oauth=${code}`;

let idp: TestOidcProvider;
let peer: SmtpPeer;
beforeAll(async () => {
  [idp, peer] = await Promise.all([TestOidcProvider.start(), startSmtpPeer()]);
});
afterAll(async () => {
  await Promise.all([idp.stop(), peer.close()]);
});

describe.each(databaseKinds())("unverified accounts on %s", (kind) => {
  let app: OAuthApp;
  let people: PeopleKit;
  let settle: () => Promise<void>;
  let refresh: Handler;
  let verifyEmail: Handler;
  let updateUser: Handler;

  beforeAll(async () => {
    app = await startOAuthApp(kind, idp, {
      SMTP_URL: peer.url,
      MAIL_FROM: "Palisade <no-reply@palisade.test>",
      RATE_LIMIT_MAIL_IP_MAX: "10000",
      RATE_LIMIT_AUTH_MAX: "10000",
    });
    people = await peopleKit(app.db);
    settle = (await import("@/lib/http/after-response")).settleAfterResponse;
    refresh = (await import("@/app/api/auth/refresh/route")).POST as unknown as Handler;
    verifyEmail = (await import("@/app/api/auth/email/verify/route")).POST as unknown as Handler;
    updateUser = (await import("@/app/api/admin/users/[id]/route")).PATCH as unknown as Handler;
  });
  afterAll(async () => {
    await settle();
    await stopOAuthApp(app);
  });

  async function providerSignIn(person: { sub: string; email?: string; name?: string; emailVerified?: unknown }, jar = new CookieJar()) {
    idp.signInAs({ emailVerified: true, ...person });
    const response = await signInThroughProvider(app.broker, jar);
    return { response, jar, location: response.headers.get("location"), cookies: cookieNames(response) };
  }

  const login = (email: string, password = PASSWORD, jar = new CookieJar()) => call(app.login, { method: "POST", body: { email, password }, jar });
  const accountsOf = (userId: string) => app.db.account.findMany({ where: { userId }, select: { provider: true, providerAccountId: true } });
  const mailTo = async (address: string) => {
    await settle();
    await expect
      .poll(async () => (await app.db.mailMessage.findMany({ where: { to: address }, select: { status: true } })).map((row) => row.status), { timeout: 10_000 })
      .not.toContain("QUEUED");
    return peer.messages.filter((message) => message.to.includes(address));
  };

  /** The squatter signs up with the victim's address through the sign-up route, and signs in with their password. */
  async function squat(victimEmail: string) {
    expect((await call(app.register, { method: "POST", body: { email: victimEmail, name: "Squatter", password: PASSWORD } })).status).toBe(202);
    await settle();
    const { id } = await app.db.user.findUniqueOrThrow({ where: { email: victimEmail }, select: { id: true } });
    const jar = new CookieJar();
    expect((await login(victimEmail, PASSWORD, jar)).status).toBe(200);
    return { userId: id, jar };
  }

  describe("a squatter's account meets its address's owner", () => {
    it("the owner's verified provider sign-in takes the account: signed in, the squatter's password, sessions and other links gone, audited and mailed", async () => {
      const victim = uniquePerson("victim");
      const squatter = await squat(victim.email);
      // A way in the squatter holds besides the password (a provider linked before ADR 045, say).
      await app.db.account.create({ data: { userId: squatter.userId, provider: "github", providerAccountId: `squatter-${squatter.userId}` } });
      const verifyLink = linkToken(
        (await mailTo(victim.email)).find((message) => message.subject === SUBJECTS.verify)!,
        "/verify-email",
      );

      const { response, jar, location, cookies } = await providerSignIn(victim);
      expect(response.status).toBe(302);
      expect(location).toBe(DESTINATION);
      expect(cookies.set).toEqual(expect.arrayContaining([ACCESS, REFRESH]));
      expect(await whoAmI(app, jar)).toBe(squatter.userId);

      const user = await app.db.user.findUniqueOrThrow({ where: { id: squatter.userId }, select: { passwordHash: true, emailVerifiedAt: true } });
      expect(user.passwordHash).toBeNull();
      expect(user.emailVerifiedAt).not.toBeNull();
      expect((await login(victim.email, PASSWORD)).status).toBe(401);
      // The squatter's browser is out: its refresh token and its access token both fail.
      expect((await call(refresh, { method: "POST", jar: squatter.jar })).status).toBe(401);
      expect(await whoAmI(app, squatter.jar)).toBeNull();
      expect(await accountsOf(squatter.userId)).toEqual([{ provider: "oidc", providerAccountId: victim.sub }]);
      // Links mailed before the claim are dead too.
      expect((await call(verifyEmail, { method: "POST", body: { token: verifyLink } })).status).toBe(400);

      expect((await auditOf(app, { type: "account.unverified_password_removed", userId: squatter.userId })).map((event) => event.details)).toEqual([
        { provider: "oidc", sessionsRevoked: 1, providersUnlinked: 1 },
      ]);
      expect((await mailTo(victim.email)).map((message) => message.subject)).toContain(SUBJECTS.claimed);
    });

    it("the owner then signs in with the provider directly, and the squatter's password still does not work", async () => {
      const victim = uniquePerson("victim-again");
      const squatter = await squat(victim.email);
      await providerSignIn(victim);
      const again = await providerSignIn(victim);
      expect(again.location).toBe(DESTINATION);
      expect(await whoAmI(app, again.jar)).toBe(squatter.userId);
      expect((await login(victim.email, PASSWORD)).status).toBe(401);
    });

    it("a provider that does not vouch for the address claims nothing: the account and its password stay as they were", async () => {
      const victim = uniquePerson("unvouched");
      const squatter = await squat(victim.email);
      const { location, cookies } = await providerSignIn({ ...victim, emailVerified: false });
      expect(location).toBe(outcome("email-unverified"));
      expect(cookies.set).toEqual([]);
      expect(await accountsOf(squatter.userId)).toEqual([]);
      expect(await whoAmI(app, squatter.jar)).toBe(squatter.userId);
      expect((await login(victim.email, PASSWORD)).status).toBe(200);
      expect(await auditOf(app, { type: "account.unverified_password_removed", userId: squatter.userId })).toEqual([]);
    });

    it("a verified password account is not claimable: the same provider sign-in still gets the link-required refusal, and nothing changes", async () => {
      const owner = uniquePerson("verified-owner");
      const person = await people.person({ label: "verified" });
      await app.db.user.update({ where: { id: person.id }, data: { email: owner.email } });

      const { location, cookies, jar } = await providerSignIn(owner);
      expect(location).toBe(outcome("link-required"));
      expect(cookies.set).not.toContain(ACCESS);
      expect(cookies.set).toContain(PENDING);
      expect(await whoAmI(app, jar)).toBeNull();
      expect(await accountsOf(person.id)).toEqual([]);
      const user = await app.db.user.findUniqueOrThrow({ where: { id: person.id }, select: { passwordHash: true } });
      expect(user.passwordHash).not.toBeNull();
      expect(await whoAmI(app, person.jar())).toBe(person.id);
      expect((await login(owner.email, PASSWORD)).status).toBe(200);
      expect((await auditOf(app, { type: "oauth.link_refused", userId: person.id })).map((event) => event.details)).toEqual([
        { provider: "oidc", reason: "proof_required" },
      ]);
    });
  });

  describe("what an unverified account may not do", () => {
    it("cannot connect a provider, even right after signing in; once the address is proved, it can", async () => {
      const squatter = await squat(uniquePerson("linker").email);
      const identity = uniquePerson("linker-idp");

      const refused = await providerSignIn(identity, squatter.jar);
      expect(refused.location).toBe(accountOutcome("account-unverified"));
      expect(refused.cookies.set).toEqual([]);
      expect(await accountsOf(squatter.userId)).toEqual([]);
      expect((await auditOf(app, { type: "oauth.link_refused", userId: squatter.userId })).map((event) => event.details)).toEqual([
        { provider: "oidc", reason: "account_unverified" },
      ]);

      // The control: the same request from the same session links once the address is proved.
      await app.db.user.update({ where: { id: squatter.userId }, data: { emailVerifiedAt: new Date() } });
      const linked = await providerSignIn(identity, squatter.jar);
      expect(linked.location).toBe(DESTINATION);
      expect(await accountsOf(squatter.userId)).toEqual([{ provider: "oidc", providerAccountId: identity.sub }]);
    });

    it("cannot be made an admin: 409 email-unverified, the role unchanged; a verified account can", async () => {
      const admin = await people.person({ label: "admin", role: "ADMIN" });
      const unverified = await people.person({ label: "unproved", verified: false });
      const verified = await people.person({ label: "proved" });
      const promote = (id: string) => call(updateUser, { method: "PATCH", params: { id }, body: { role: "admin" }, jar: admin.jar() });

      const refused = await promote(unverified.id);
      expect(refused.status).toBe(409);
      expect(((await refused.json()) as { type: string }).type).toBe("/problems/email-unverified");
      expect((await app.db.user.findUniqueOrThrow({ where: { id: unverified.id }, select: { role: true } })).role).toBe("USER");
      expect(await whoAmI(app, unverified.jar())).toBe(unverified.id);
      expect(await auditOf(app, { type: "role.changed", userId: unverified.id })).toEqual([]);

      const promoted = await promote(verified.id);
      expect(promoted.status).toBe(200);
      expect(await promoted.json()).toMatchObject({ id: verified.id, role: "admin" });
    });
  });
});
