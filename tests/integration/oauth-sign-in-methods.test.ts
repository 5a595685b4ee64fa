/**
 * Linked identities are visible and removable (lib/auth/oauth/sign-in-methods.ts; ASVS 5.0 7.4.3):
 * a provider linked during a borrowed session must not be a permanent, invisible way in. Through
 * the real route handlers and a real OIDC provider, on PGlite and Postgres.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { databaseKinds } from "../support/databases";
import { call, type Handler } from "../support/http";
import { auditOf, registerWithPassword, startOAuthApp, stopOAuthApp, uniquePerson, whoAmI, type OAuthApp } from "../support/oidc-app";
import { APP_ORIGIN, CookieJar, signInThroughProvider } from "../support/oidc-flow";
import { TestOidcProvider } from "../support/oidc-provider";

let idp: TestOidcProvider;
beforeAll(async () => {
  idp = await TestOidcProvider.start();
});
afterAll(async () => {
  await idp.stop();
});

describe.each(databaseKinds())("sign-in methods on %s", (kind) => {
  let app: OAuthApp;
  let list: Handler;
  let unlink: Handler;

  beforeAll(async () => {
    app = await startOAuthApp(kind, idp);
    const [accounts, account] = await Promise.all([import("@/app/api/auth/oauth/accounts/route"), import("@/app/api/auth/oauth/accounts/[provider]/route")]);
    list = accounts.GET as Handler;
    unlink = account.DELETE as unknown as Handler;
  });
  afterAll(async () => {
    await stopOAuthApp(app);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const remove = (jar: CookieJar, provider = "oidc") => call(unlink, { method: "DELETE", jar, params: { provider } });
  const methodsOf = async (jar: CookieJar) => (await call(list, { jar })).json();

  /** A password account with the test provider linked from its account page; its jar is signed in. */
  async function passwordAccountWithProvider() {
    const person = uniquePerson();
    const { jar, userId } = await registerWithPassword(app, person.email);
    idp.signInAs({ ...person, emailVerified: true });
    const linked = await signInThroughProvider(app.broker, jar, { callbackUrl: `${APP_ORIGIN}/account` });
    expect(linked.headers.get("location")).toBe(`${APP_ORIGIN}/account`);
    return { person, jar, userId };
  }

  /** An account made by a provider sign-in: no password, one provider. */
  async function providerOnlyAccount() {
    const person = uniquePerson();
    idp.signInAs({ ...person, emailVerified: true });
    const jar = new CookieJar();
    await signInThroughProvider(app.broker, jar);
    return { person, jar, userId: (await whoAmI(app, jar))! };
  }

  it("lists the password and each linked provider with when it was linked", async () => {
    const { person, jar } = await passwordAccountWithProvider();
    const methods = await methodsOf(jar);
    expect(methods).toEqual({
      password: true,
      providers: [{ provider: "oidc", name: "Test Identity Provider", email: person.email, linkedAt: expect.any(String), lastSignInAt: null }],
    });
    const { jar: other } = await registerWithPassword(app, uniquePerson().email);
    expect(await methodsOf(other)).toEqual({ password: true, providers: [] });
  });

  it("a removed provider no longer signs in to the account, and the removal ends every other session and is audited", async () => {
    const { person, jar, userId } = await passwordAccountWithProvider();
    // A second device, signed in with the provider: the session a borrowed link would have.
    idp.signInAs({ ...person, emailVerified: true });
    const elsewhere = new CookieJar();
    await signInThroughProvider(app.broker, elsewhere);
    expect(await whoAmI(app, elsewhere)).toBe(userId);

    expect((await remove(jar)).status).toBe(204);
    expect((await methodsOf(jar)).providers).toEqual([]);
    expect(await whoAmI(app, jar)).toBe(userId);
    expect(await whoAmI(app, elsewhere)).toBeNull();
    idp.signInAs({ ...person, emailVerified: true });
    const again = await signInThroughProvider(app.broker, new CookieJar());
    expect(again.headers.get("location")).toBe(`${APP_ORIGIN}/signin?oauth=link-required`);
    expect((await auditOf(app, { type: "oauth.unlinked", userId })).map((event) => event.details)).toEqual([{ provider: "oidc" }]);
    expect((await auditOf(app, { type: "sessions.ended", userId })).map((event) => event.details)).toContainEqual({ reason: "provider_unlinked", count: 1 });
  });

  it("refuses to unlink without a recent sign-in (a borrowed token is not the person), and removes nothing", async () => {
    const { jar } = await passwordAccountWithProvider();
    vi.useFakeTimers({ now: Date.now() + 11 * 60_000, toFake: ["Date"] });
    const response = await remove(jar);
    expect(response.status).toBe(403);
    expect((await response.json()).type).toBe("/problems/reauth-required");
    vi.useRealTimers();
    expect((await methodsOf(jar)).providers).toHaveLength(1);
  });

  it("refuses to remove the only way in to an account, so it cannot be locked out by its own hand", async () => {
    const { jar, userId } = await providerOnlyAccount();
    const response = await remove(jar);
    expect(response.status).toBe(409);
    expect((await response.json()).detail).toMatch(/only way to sign in/);
    expect(await app.db.account.count({ where: { userId } })).toBe(1);
  });

  it("two removals racing on an account without a password leave it one way in, never none", async () => {
    const { jar, userId } = await providerOnlyAccount();
    // A second provider, as a deployment offering GitHub too would have linked it.
    await app.db.account.create({ data: { userId, provider: "github", providerAccountId: `gh-${userId}` }, select: { id: true } });
    const responses = await Promise.all([remove(jar.clone(), "oidc"), remove(jar.clone(), "github")]);
    expect(responses.map((response) => response.status).sort()).toEqual([204, 409]);
    expect(await app.db.account.count({ where: { userId } })).toBe(1);
  });

  it("answers 404 for a provider that is not linked, and 400 for one that does not exist", async () => {
    const { jar } = await registerWithPassword(app, uniquePerson().email);
    expect((await remove(jar, "oidc")).status).toBe(404);
    expect((await remove(jar, "myspace")).status).toBe(400);
  });
});
