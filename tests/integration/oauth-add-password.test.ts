/**
 * Accounts created through a provider have no password, and can add one later
 * (lib/auth/oauth/add-password.ts), but only right after signing in: a session alone, which may be
 * borrowed, must not be able to add a lasting credential. On PGlite and Postgres.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds } from "../support/databases";
import { call, CookieJar } from "../support/http";
import { auditOf, PASSWORD, registerWithPassword, startOAuthApp, stopOAuthApp, uniquePerson, whoAmI, type OAuthApp } from "../support/oidc-app";
import { signInThroughProvider } from "../support/oidc-flow";
import { TestOidcProvider } from "../support/oidc-provider";

const NEW_PASSWORD = "correct horse battery staple again";

let idp: TestOidcProvider;
beforeAll(async () => {
  idp = await TestOidcProvider.start();
});
afterAll(async () => {
  await idp.stop();
});

describe.each(databaseKinds())("adding a password to a provider-only account on %s", (kind) => {
  let app: OAuthApp;

  beforeAll(async () => {
    app = await startOAuthApp(kind, idp);
  });
  afterAll(async () => {
    await stopOAuthApp(app);
  });

  async function providerOnlyUser() {
    const person = uniquePerson();
    idp.signInAs({ ...person, emailVerified: true });
    const jar = new CookieJar();
    await signInThroughProvider(app.broker, jar);
    return { person, jar, userId: (await whoAmI(app, jar))! };
  }

  async function passwordHashOf(userId: string) {
    return (await app.db.user.findUnique({ where: { id: userId }, select: { passwordHash: true } }))?.passwordHash ?? null;
  }

  it("lets a provider-only user add a password right after signing in, ending their other sessions", async () => {
    const { person, jar: older, userId } = await providerOnlyUser();
    const current = new CookieJar();
    await signInThroughProvider(app.broker, current);

    const response = await call(app.addPassword, { body: { newPassword: NEW_PASSWORD }, jar: current });
    expect(response.status).toBe(204);
    expect(await whoAmI(app, current)).toBe(userId);
    expect(await whoAmI(app, older)).toBeNull();
    expect((await call(app.login, { body: { email: person.email, password: NEW_PASSWORD } })).status).toBe(200);
    expect((await auditOf(app, { type: "password.added", userId }))[0]?.details).toEqual({ otherSessionsRevoked: 1 });
  });

  it("refuses to add a password when the sign-in is not recent", async () => {
    const { jar, userId } = await providerOnlyUser();
    await app.db.session.updateMany({
      where: { userId },
      data: { createdAt: new Date(Date.now() - 11 * 60 * 1000), authTime: new Date(Date.now() - 11 * 60 * 1000) },
    });

    const response = await call(app.addPassword, { body: { newPassword: NEW_PASSWORD }, jar });
    expect(response.status).toBe(403);
    expect((await response.json()).type).toBe("/problems/reauth-required");
    expect(await passwordHashOf(userId)).toBeNull();
  });

  it("refuses to add a password to an account that already has one", async () => {
    const { jar, userId } = await registerWithPassword(app, uniquePerson().email);
    const before = await passwordHashOf(userId);
    const response = await call(app.addPassword, { body: { newPassword: NEW_PASSWORD }, jar });
    expect(response.status).toBe(409);
    expect(await passwordHashOf(userId)).toBe(before);
  });

  it("holds a new password to the same policy as any other", async () => {
    const { jar, userId } = await providerOnlyUser();
    for (const newPassword of ["short", "passwordpassword"]) {
      const response = await call(app.addPassword, { body: { newPassword }, jar });
      expect(response.status).toBe(400);
    }
    expect(await passwordHashOf(userId)).toBeNull();
  });

  it("refuses an add-password request without a session", async () => {
    expect((await call(app.addPassword, { body: { newPassword: NEW_PASSWORD } })).status).toBe(401);
  });

  it("the change-password endpoint no longer sets a first password without any proof", async () => {
    const { jar, userId } = await providerOnlyUser();
    await app.db.session.updateMany({
      where: { userId },
      data: { createdAt: new Date(Date.now() - 60 * 60 * 1000), authTime: new Date(Date.now() - 60 * 60 * 1000) },
    });
    const response = await call(app.changePassword, { body: { currentPassword: "anything at all", newPassword: NEW_PASSWORD }, jar });
    expect(response.status).toBe(409);
    expect(await passwordHashOf(userId)).toBeNull();
  });

  it("leaves a password account's change-password flow as it was", async () => {
    const { jar } = await registerWithPassword(app, uniquePerson().email);
    expect((await call(app.changePassword, { body: { currentPassword: "wrong wrong wrong", newPassword: NEW_PASSWORD }, jar })).status).toBe(400);
    expect((await call(app.changePassword, { body: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, jar })).status).toBe(204);
  });
});
