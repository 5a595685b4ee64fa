/**
 * The pending link's own threats (lib/auth/oauth/pending-link.ts, ./confirm-link.ts): it is a
 * password-guessing oracle like sign-in, a stale one must not work, a used one must not work
 * again, and no other host may plant one. On PGlite and Postgres, with a real OIDC provider.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds } from "../support/databases";
import { call } from "../support/http";
import { auditOf, PASSWORD, registerWithPassword, startOAuthApp, stopOAuthApp, uniquePerson, type OAuthApp } from "../support/oidc-app";
import { CookieJar, signInThroughProvider } from "../support/oidc-flow";
import { TestOidcProvider } from "../support/oidc-provider";

const PENDING = "__Host-palisade-oauth-link";
const STATE = "__Host-next-auth.state";
const WRONG = "not the password at all";

let idp: TestOidcProvider;
beforeAll(async () => {
  idp = await TestOidcProvider.start();
});
afterAll(async () => {
  await idp.stop();
});

describe.each(databaseKinds())("the pending link on %s", (kind) => {
  let app: OAuthApp;

  beforeAll(async () => {
    // One (unknown) address for every request: only the per-account tier should refuse.
    app = await startOAuthApp(kind, idp, { RATE_LIMIT_AUTH_MAX: "1000" });
  });
  afterAll(async () => {
    await stopOAuthApp(app);
  });

  /** A password account, and a browser holding a pending link to it from a provider sign-in. */
  async function pendingLinkFor() {
    const person = uniquePerson();
    const { userId } = await registerWithPassword(app, person.email);
    idp.signInAs({ ...person, emailVerified: true });
    const jar = new CookieJar();
    await signInThroughProvider(app.broker, jar);
    expect(jar.cookies.has(PENDING)).toBe(true);
    return { person, userId, jar };
  }

  it("refuses the 6th wrong password on a link confirmation with 429 and Retry-After, and links nothing", async () => {
    const { userId, jar } = await pendingLinkFor();
    for (let guess = 1; guess <= 5; guess++) expect((await call(app.confirmLink, { body: { password: WRONG }, jar })).status).toBe(401);
    const sixth = await call(app.confirmLink, { body: { password: WRONG }, jar });
    expect(sixth.status).toBe(429);
    expect(Number(sixth.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await call(app.confirmLink, { body: { password: PASSWORD }, jar })).status).toBe(429);
    expect(await app.db.account.count({ where: { userId } })).toBe(0);
    expect(
      (await auditOf(app, { type: "oauth.link_refused", userId })).filter((event) => (event.details as { reason: string }).reason === "wrong_password"),
    ).toHaveLength(5);
  });

  it("refuses a pending-link cookie past its 600-second lifetime, even with the right password", async () => {
    const { sealPendingLink } = await import("@/lib/auth/oauth/pending-link");
    const person = uniquePerson();
    const { userId } = await registerWithPassword(app, person.email);
    const jar = new CookieJar();
    const stale = await sealPendingLink(
      { provider: "oidc", providerAccountId: person.sub, email: person.email, userId },
      // Sealed 606 s ago: expired a second ago, past the verifier's 5 s clock tolerance.
      new Date(Date.now() - 606_000),
    );
    jar.cookies.set(PENDING, stale);
    for (const response of [await call(app.describeLink, { jar }), await call(app.confirmLink, { body: { password: PASSWORD }, jar })]) {
      expect(response.status).toBe(401);
      expect((await response.json()).type).toBe("/problems/link-expired");
    }
    expect(await app.db.account.count({ where: { userId } })).toBe(0);
  });

  it("is single-use: a copy of a pending link that was already confirmed links nothing and signs no one in", async () => {
    const { userId, jar } = await pendingLinkFor();
    const copy = jar.clone();
    const first = await call(app.confirmLink, { body: { password: PASSWORD }, jar });
    expect(first.status).toBe(200);
    // A second browser holding the same cookie (copied from a shared machine) gets nothing.
    for (const response of [await call(app.describeLink, { jar: copy }), await call(app.confirmLink, { body: { password: PASSWORD }, jar: copy })]) {
      expect(response.status).toBe(401);
      expect((await response.json()).type).toBe("/problems/link-expired");
    }
    expect(copy.cookies.has("__Host-palisade-at")).toBe(false);
    expect(await app.db.session.count({ where: { userId, revokedAt: null } })).toBe(1);
  });

  it("lets exactly one of two confirmations racing with one pending link through", async () => {
    const { userId, jar } = await pendingLinkFor();
    const responses = await Promise.all([jar.clone(), jar.clone()].map((copy) => call(app.confirmLink, { body: { password: PASSWORD }, jar: copy })));
    expect(responses.map((response) => response.status).sort()).toEqual([200, 401]);
    expect(await app.db.account.count({ where: { userId } })).toBe(1);
  });

  it("a wrong password does not spend the link: the person can correct a typo", async () => {
    const { userId, jar } = await pendingLinkFor();
    expect((await call(app.confirmLink, { body: { password: WRONG }, jar })).status).toBe(401);
    expect((await call(app.confirmLink, { body: { password: PASSWORD }, jar })).status).toBe(200);
    expect(await app.db.account.count({ where: { userId } })).toBe(1);
  });

  it("linking with the password ends every session opened before it, and says so in the audit log", async () => {
    const { userId, jar } = await pendingLinkFor();
    expect(await app.db.session.count({ where: { userId, revokedAt: null } })).toBe(1); // the registration's
    expect((await call(app.confirmLink, { body: { password: PASSWORD }, jar })).status).toBe(200);
    expect(await app.db.session.count({ where: { userId, revokedAt: null } })).toBe(1); // only the new one
    expect((await auditOf(app, { type: "sessions.ended", userId })).map((event) => event.details)).toEqual([{ reason: "provider_linked", count: 1 }]);
  });

  it("refuses a provider callback carrying a planted second state cookie (login CSRF by cookie tossing), and audits it", async () => {
    idp.signInAs({ ...uniquePerson(), emailVerified: true });
    const jar = new CookieJar();
    const { startSignIn, authorize } = await import("../support/oidc-flow");
    const callbackUrl = await authorize(await startSignIn(app.broker, jar));
    const request = new Request(callbackUrl, { headers: { cookie: `${STATE}=planted-by-a-sibling-host; ${jar.header()}` } });
    const response = await app.broker(request, { params: Promise.resolve({ nextauth: callbackUrl.pathname.split("/").slice(3) }) });
    expect(response.status).toBe(400);
    expect((await response.json()).type).toBe("/problems/cookie-duplicate");
    expect(response.headers.getSetCookie()).toContain(`${STATE}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax`);
    expect(response.headers.getSetCookie().some((cookie) => cookie.startsWith("__Host-palisade-at=") && !cookie.startsWith("__Host-palisade-at=;"))).toBe(
      false,
    );
    const refusals = await app.db.auditEvent.findMany({ where: { type: "cookie.duplicate_refused" }, select: { details: true } });
    expect(refusals.map((event) => event.details)).toContainEqual({ cookies: STATE, path: callbackUrl.pathname });
  });
});
