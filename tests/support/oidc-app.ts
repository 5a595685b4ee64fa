/**
 * The app with the generic OIDC provider pointed at a test provider (./oidc-provider.ts), on a
 * fresh database: the route handlers an identity-provider test calls, and the database to check
 * what they did.
 */
import { vi } from "vitest";
import { provisionDatabase, useDatabase, type DatabaseKind, type ProvisionedDatabase } from "./databases";
import { call, CookieJar, type Handler } from "./http";
import { testKeyPair } from "./keys";
import { mailedToken } from "./mailed-links";
import type { BrokerHandler } from "./oidc-flow";
import { TEST_CLIENT_ID, TEST_CLIENT_SECRET, type TestOidcProvider } from "./oidc-provider";

export const OIDC_NAME = "Test Identity Provider";
export const BROKER_SECRET = "integration-broker-secret-0123456789abcdef";
export const PASSWORD = "violet river morning tea";

async function loadApp() {
  const [broker, link, addPassword, register, verifyEmail, login, logout, changePassword, me, client] = await Promise.all([
    import("@/app/api/auth/[...nextauth]/route"),
    import("@/app/api/auth/oauth/link/route"),
    import("@/app/api/auth/oauth/password/route"),
    import("@/app/api/auth/register/route"),
    import("@/app/api/auth/email/verify/route"),
    import("@/app/api/auth/login/route"),
    import("@/app/api/auth/logout/route"),
    import("@/app/api/auth/password/route"),
    import("@/app/api/me/route"),
    import("@/lib/db/client"),
  ]);
  return {
    // The catch-all's params are `{ nextauth: string[] }`, which the generic Handler type cannot say.
    // One entry point for both methods, as the router gives the browser: each has its own contract.
    broker: ((request, context) => (request.method === "POST" ? broker.POST : broker.GET)(request, context)) as BrokerHandler,
    brokerPost: broker.POST as unknown as BrokerHandler,
    describeLink: link.GET as Handler,
    confirmLink: link.POST as Handler,
    addPassword: addPassword.POST as Handler,
    register: register.POST as Handler,
    verifyEmail: verifyEmail.POST as Handler,
    login: login.POST as Handler,
    logout: logout.POST as Handler,
    changePassword: changePassword.POST as Handler,
    me: me.GET as Handler,
    db: await client.getDb(),
    disconnect: client.disconnectDb,
  };
}

export type OAuthApp = Awaited<ReturnType<typeof loadApp>> & { database: ProvisionedDatabase };

/** A migrated database of `kind`, and the app configured for `idp`. */
export async function startOAuthApp(kind: DatabaseKind, idp: TestOidcProvider, env: Record<string, string> = {}): Promise<OAuthApp> {
  const database = await provisionDatabase(kind);
  // eslint-disable-next-line react-hooks/rules-of-hooks -- a test helper named like a hook, not a React hook
  await useDatabase(database);
  const variables: Record<string, string> = {
    JWT_PRIVATE_KEY: testKeyPair("integration").privateKeyPem,
    AUTH_OIDC_ISSUER: idp.issuer,
    AUTH_OIDC_ID: TEST_CLIENT_ID,
    AUTH_OIDC_SECRET: TEST_CLIENT_SECRET,
    AUTH_OIDC_NAME: OIDC_NAME,
    NEXTAUTH_SECRET: BROKER_SECRET,
    // Every sign-up here comes from one (unknown) address; the mail tier per address is not under test.
    RATE_LIMIT_MAIL_IP_MAX: "1000",
    ...env,
  };
  for (const [name, value] of Object.entries(variables)) vi.stubEnv(name, value);
  return { ...(await loadApp()), database };
}

export async function stopOAuthApp(app: OAuthApp): Promise<void> {
  await app.disconnect();
  await app.database.drop();
  vi.unstubAllEnvs();
}

let counter = 0;
/** A fresh identity at the test provider, with a unique subject and email. */
export function uniquePerson(label = "person"): { sub: string; email: string; name: string } {
  counter++;
  const id = `${label}-${counter}-${Date.now().toString(36)}`;
  return { sub: `sub-${id}`, email: `${id}@example.com`, name: `Person ${counter}` };
}

/**
 * Sign up a password account as a person does: sign up (202, no cookie), open the confirmation
 * link from the message (unless `confirmed: false`), sign in. Returns the signed-in jar and id.
 */
export async function registerWithPassword(app: OAuthApp, email: string, options: { confirmed?: boolean } = {}): Promise<{ jar: CookieJar; userId: string }> {
  const jar = new CookieJar();
  const response = await call(app.register, { body: { email, name: "Password User", password: PASSWORD } });
  if (response.status !== 202) throw new Error(`register: ${response.status}`);
  const token = await mailedToken(app.db, email, "verify-email", "/verify-email");
  if (options.confirmed !== false) {
    const verified = await call(app.verifyEmail, { body: { token } });
    if (verified.status !== 200) throw new Error(`confirm: ${verified.status}`);
  }
  const login = await call(app.login, { body: { email, password: PASSWORD }, jar });
  if (login.status !== 200) throw new Error(`login: ${login.status}`);
  const { user } = (await login.json()) as { user: { id: string } };
  return { jar, userId: user.id };
}

/** GET /api/me with `jar`: the signed-in user's id, or null. */
export async function whoAmI(app: OAuthApp, jar: CookieJar): Promise<string | null> {
  const response = await call(app.me, { jar });
  return response.status === 200 ? ((await response.json()) as { id: string }).id : null;
}

/** The audit events of `types` that mention `userId` (as actor or target), oldest first. */
export async function auditOf(app: OAuthApp, where: { type?: string; userId?: string }) {
  return app.db.auditEvent.findMany({
    where: {
      ...(where.type === undefined ? {} : { type: where.type }),
      ...(where.userId === undefined ? {} : { OR: [{ actorId: where.userId }, { targetId: where.userId }] }),
    },
    orderBy: { createdAt: "asc" },
    select: { type: true, actorId: true, targetId: true, details: true },
  });
}
