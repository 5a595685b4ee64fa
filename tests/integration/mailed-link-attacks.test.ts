/**
 * The routes a mailed link opens, under the write attacks of authz-write-attacks.test.ts, with a
 * REAL token: mass assignment, prototype pollution and a query the route does not take. Each attack
 * is the control request plus its one malicious part; the answer is a 400 validation problem, and
 * the token survives unspent (it still works afterwards), so a crafted body can neither act nor
 * burn someone's link. On PGlite and Postgres.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "@/lib/db/client";
import type * as EmailTokens from "@/lib/users/email-tokens";
import type { EmailTokenPurpose } from "@/lib/users/email-tokens";
import { databaseKinds, provisionDatabase, useDatabase, type ProvisionedDatabase } from "../support/databases";
import { call, type Handler } from "../support/http";
import { testKeyPair } from "../support/keys";

const PASSWORD = "violet river morning tea";
let counter = 0;
const uniqueEmail = (label: string) => `${label}-${++counter}-${Date.now().toString(36)}@example.com`;

interface LinkRoute {
  name: string;
  purpose: EmailTokenPurpose;
  /** The body besides the token. */
  extra: Record<string, unknown>;
  smuggled: Record<string, unknown>;
}

const ROUTES: LinkRoute[] = [
  { name: "reset", purpose: "RESET_PASSWORD", extra: { newPassword: "a completely different phrase" }, smuggled: { userId: "someone-else" } },
  { name: "verify", purpose: "VERIFY_EMAIL", extra: {}, smuggled: { email: "attacker@example.com" } },
  { name: "confirm", purpose: "CHANGE_EMAIL", extra: {}, smuggled: { email: "attacker@example.com" } },
  { name: "undo", purpose: "UNDO_EMAIL_CHANGE", extra: {}, smuggled: { role: "admin" } },
];

const ATTACKS: [string, (valid: Record<string, unknown>, smuggled: Record<string, unknown>) => string, string][] = [
  ["a smuggled field (mass assignment)", (valid, smuggled) => JSON.stringify({ ...valid, ...smuggled }), ""],
  ["__proto__ at the top (prototype pollution)", (valid) => `{"__proto__":{"role":"admin"},${JSON.stringify(valid).slice(1)}`, ""],
  ["constructor.prototype (prototype pollution)", (valid) => `{"constructor":{"prototype":{"role":"admin"}},${JSON.stringify(valid).slice(1)}`, ""],
  ["an undeclared query parameter", (valid) => JSON.stringify(valid), "?token=x&role=admin"],
];

describe.each(databaseKinds())("mailed-link routes under attack on %s", (kind) => {
  let database: ProvisionedDatabase;
  let db: Db;
  let handlers: Record<string, Handler>;
  let issue: typeof EmailTokens.issueEmailToken;
  let hashEmailToken: typeof EmailTokens.hashEmailToken;

  beforeAll(async () => {
    database = await provisionDatabase(kind);
    await useDatabase(database);
    vi.stubEnv("JWT_PRIVATE_KEY", testKeyPair("integration").privateKeyPem);
    const [reset, verify, confirm, undo, client, tokens] = await Promise.all([
      import("@/app/api/auth/password/reset/route"),
      import("@/app/api/auth/email/verify/route"),
      import("@/app/api/auth/email/confirm/route"),
      import("@/app/api/auth/email/undo/route"),
      import("@/lib/db/client"),
      import("@/lib/users/email-tokens"),
    ]);
    handlers = { reset: reset.POST as Handler, verify: verify.POST as Handler, confirm: confirm.POST as Handler, undo: undo.POST as Handler };
    db = await client.getDb();
    issue = tokens.issueEmailToken;
    hashEmailToken = tokens.hashEmailToken;
  });

  afterAll(async () => {
    const { disconnectDb } = await import("@/lib/db/client");
    await disconnectDb();
    await database.drop();
    vi.unstubAllEnvs();
  });

  /** A user and a real token of `purpose` for them, as the flow that mails it would make. */
  async function realToken(purpose: EmailTokenPurpose): Promise<string> {
    const { hashPassword } = await import("@/lib/auth/password-hash");
    const email = uniqueEmail(purpose.toLowerCase());
    const user = await db.user.create({ data: { email, name: "Link Holder", passwordHash: await hashPassword(PASSWORD) }, select: { id: true } });
    if (purpose === "CHANGE_EMAIL") return issue(db, { userId: user.id, purpose, email: uniqueEmail("new") });
    if (purpose === "UNDO_EMAIL_CHANGE") return issue(db, { userId: user.id, purpose, email: uniqueEmail("old"), previousEmail: email });
    return issue(db, { userId: user.id, purpose, email });
  }

  const send = (route: LinkRoute, body: string, query = "") =>
    call(handlers[route.name] as Handler, {
      method: "POST",
      body,
      url: `http://localhost:3000/api/${route.name}${query}`,
      headers: { "content-type": "application/json" },
    });

  describe.each(ROUTES.map((route) => [route.name, route] as const))("%s", (_name, route) => {
    it.each(ATTACKS.map(([what]) => [what]))("refuses %s with a real token, and the token still works afterwards", async (what) => {
      const [, build, query] = ATTACKS.find(([label]) => label === what)!;
      const token = await realToken(route.purpose);
      const valid = { token, ...route.extra };
      const attacked = await send(route, build(valid, route.smuggled), query);
      expect(attacked.status).toBe(400);
      expect((await attacked.json()) as { code?: string; type: string }).toMatchObject({ type: expect.stringMatching(/validation|forbidden-key/) });
      expect(await db.emailToken.count({ where: { tokenHash: hashEmailToken(token) } })).toBe(1);
      // The control: the same request without its malicious part spends the token.
      expect((await send(route, JSON.stringify(valid))).status).toBe(200);
      expect((await send(route, JSON.stringify(valid))).status).toBe(400);
    });
  });
});
