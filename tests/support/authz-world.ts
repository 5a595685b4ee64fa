/**
 * A small, complete world for authorization tests, built straight into the database: two users
 * with a note each, an admin, a disabled user who still holds a live session and token, and two
 * service clients (one granted `reports:read`, one granted nothing). Each caller holds the
 * credential a real one would: people a cookie jar with both auth cookies, services a bearer
 * token, and services also their client secret for the token endpoint.
 *
 * Fixtures go through the app's own functions (createSession, signAccessToken,
 * createServiceClient) so they look exactly like what the app makes, but skip HTTP and argon2
 * (one password hash is made per suite and reused), so a fresh world costs a few milliseconds.
 * The one exception is user A's object of each owner-scoped resource, which only the resource's
 * own create endpoint knows how to make: the world calls it, as user A, with its body example.
 */
import { randomBytes } from "node:crypto";
import { call, CookieJar, type Handler } from "./http";
import { ownedResources, successStatus, type OwnedResource } from "./owned-resources";

export const CALLERS = ["anonymous", "userA", "userB", "admin", "serviceWithScope", "serviceWithoutScope", "disabledUser"] as const;

export type Caller = (typeof CALLERS)[number];

export const CALLER_LABELS: Record<Caller, string> = {
  anonymous: "anonymous",
  userA: "user A",
  userB: "user B",
  admin: "admin",
  serviceWithScope: "service, scoped",
  serviceWithoutScope: "service, unscoped",
  disabledUser: "disabled user",
};

export const PASSWORD = "violet river morning tea";
export const ACCESS_COOKIE = "__Host-palisade-at";
export const REFRESH_COOKIE = "__Secure-palisade-rt";

export interface PersonFixture {
  id: string;
  email: string;
  sessionId: string;
  accessToken: string;
  refreshToken: string;
  /** A fresh jar with this person's cookies; a new one on every call, so calls cannot leak into each other. */
  jar(): CookieJar;
}

export interface ClientFixture {
  clientId: string;
  clientSecret: string;
  accessToken: string;
}

export interface World {
  userA: PersonFixture;
  userB: PersonFixture;
  admin: PersonFixture;
  disabledUser: PersonFixture;
  noteA: string;
  noteB: string;
  /**
   * User A's object of each owner-scoped resource the contracts describe (./owned-resources.ts),
   * by collection path, made through the resource's own create endpoint with its body example;
   * empty unless the world was built with `ownedObjects`.
   */
  owned: Readonly<Record<string, string>>;
  withScope: ClientFixture;
  withoutScope: ClientFixture;
}

/** What a caller sends to prove who it is: cookies for people, a bearer token for services. */
export interface CallerCredential {
  jar?: CookieJar;
  headers: Record<string, string>;
}

export function credentialOf(world: World, caller: Caller): CallerCredential {
  switch (caller) {
    case "anonymous":
      return { headers: {} };
    case "userA":
    case "userB":
    case "admin":
    case "disabledUser":
      return { jar: world[caller].jar(), headers: {} };
    case "serviceWithScope":
      return { headers: { authorization: `Bearer ${world.withScope.accessToken}` } };
    case "serviceWithoutScope":
      return { headers: { authorization: `Bearer ${world.withoutScope.accessToken}` } };
  }
}

/** The client a service caller authenticates as at the token endpoint; null for people and anonymous. */
export function clientOf(world: World, caller: Caller): ClientFixture | null {
  if (caller === "serviceWithScope") return world.withScope;
  if (caller === "serviceWithoutScope") return world.withoutScope;
  return null;
}

export function basicAuth(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString("base64")}`;
}

export function uniqueEmail(label = "user"): string {
  return `${label}-${randomBytes(6).toString("hex")}@example.com`;
}

/** Load the app modules the world needs; call after `useDatabase`, so they bind to the test database. */
export async function worldKit() {
  const [{ getDb, disconnectDb }, refresh, tokens, clients, passwords] = await Promise.all([
    import("@/lib/db/client"),
    import("@/lib/auth/sessions"),
    import("@/lib/auth/tokens"),
    import("@/lib/service-clients/clients"),
    import("@/lib/auth/password-hash"),
  ]);
  const db = await getDb();
  const passwordHash = await passwords.hashPassword(PASSWORD);
  const meta = { ip: null, userAgent: "authz-world", requestId: "authz-world" };

  async function person(label: string, role: "USER" | "ADMIN", disabled = false): Promise<PersonFixture> {
    const email = uniqueEmail(label);
    // Confirmed addresses: an unconfirmed one could be a squatter's, and may not be made an admin (ADR 045).
    const user = await db.user.create({ data: { email, name: label, passwordHash, role, emailVerifiedAt: new Date() }, select: { id: true } });
    const session = await refresh.createSession(db, user.id, meta);
    // Signed in a moment ago and the password typed again since (a step-up), as adding a first
    // second factor asks (lib/auth/step-up.ts requireEnrolmentProof): the matrix is about who may call.
    await db.session.update({ where: { id: session.sessionId }, data: { createdAt: new Date(Date.now() - 1000) }, select: { id: true } });
    // Disabled after the session exists and without revoking it: the guard must refuse on `disabledAt` alone.
    if (disabled) await db.user.update({ where: { id: user.id }, data: { disabledAt: new Date() } });
    const { token } = await tokens.signAccessToken({ sub: user.id, role: role === "ADMIN" ? "admin" : "user", sid: session.sessionId });
    return {
      id: user.id,
      email,
      sessionId: session.sessionId,
      accessToken: token,
      refreshToken: session.refreshToken,
      jar() {
        const jar = new CookieJar();
        jar.cookies.set(ACCESS_COOKIE, token);
        jar.cookies.set(REFRESH_COOKIE, session.refreshToken);
        return jar;
      },
    };
  }

  async function client(name: string, scopes: "reports:read"[]): Promise<ClientFixture> {
    const created = await clients.createServiceClient(db, { name, scopes, createdById: null }, meta);
    const { clientId } = created.client;
    const scope = scopes.length === 0 ? undefined : scopes.join(" ");
    const { token } = await tokens.signAccessToken({ sub: clientId, role: "service", sid: clientId, ...(scope === undefined ? {} : { scope }) });
    return { clientId, clientSecret: created.clientSecret, accessToken: token };
  }

  async function note(ownerId: string, title: string): Promise<string> {
    return (await db.note.create({ data: { ownerId, title, body: "private" }, select: { id: true } })).id;
  }

  let resources: OwnedResource[] | undefined;
  async function ownedBy(person: PersonFixture): Promise<Record<string, string>> {
    // Found on first use, after the suite has put the database and keys in place, as the handlers need.
    resources ??= ownedResources(await (await import("@/lib/http/discover-routes")).routeOperations());
    const owned: Record<string, string> = {};
    for (const { collection, create } of resources) {
      const response = await call(create.handler as Handler, {
        method: "POST",
        url: `http://localhost:3000${collection}`,
        body: create.contract.body?.example,
        jar: person.jar(),
        headers: { "x-request-id": "authz-world" },
      });
      const made = (await response.json()) as { id?: unknown };
      if (response.status !== successStatus(create) || typeof made.id !== "string") {
        throw new Error(
          `POST ${collection} with its contract's body example answered ${response.status} ${JSON.stringify(made)}: it must make an object with an id`,
        );
      }
      owned[collection] = made.id;
    }
    return owned;
  }

  /** Every application table, so a reset or a snapshot cannot miss one added later. Read once: migrations do not run mid-suite. */
  let tableNames: string[] | undefined;
  async function tables(): Promise<string[]> {
    if (tableNames !== undefined) return tableNames;
    const rows = await db.$queryRawUnsafe<{ name: string }[]>(
      `SELECT tablename::text AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename NOT LIKE '\\_prisma%' ORDER BY tablename`,
    );
    tableNames = rows.map((row) => row.name);
    return tableNames;
  }

  return {
    db,
    disconnect: disconnectDb,

    /** Empty every table. DELETE, not TRUNCATE: on tables this small it is many times faster on Postgres. */
    async reset(): Promise<void> {
      for (const name of await tables()) await db.$executeRawUnsafe(`DELETE FROM "${name}"`);
    },

    /**
     * `ownedObjects`: also make user A's object of each owner-scoped resource (`world.owned`), for
     * the suites whose rows are derived from contracts; other suites count their rows exactly.
     */
    async build(options: { ownedObjects?: boolean } = {}): Promise<World> {
      const [userA, userB, admin, disabledUser] = [
        await person("alice", "USER"),
        await person("bob", "USER"),
        await person("ada", "ADMIN"),
        await person("dora", "USER", true),
      ];
      // A has a password and one linked provider, so removing that provider is A's to do.
      await db.account.create({
        data: { userId: userA.id, provider: "oidc", providerAccountId: `matrix-${userA.id}`, email: userA.email },
        select: { id: true },
      });
      return {
        userA,
        userB,
        admin,
        disabledUser,
        noteA: await note(userA.id, "A's note"),
        noteB: await note(userB.id, "B's note"),
        owned: options.ownedObjects === true ? await ownedBy(userA) : {},
        withScope: await client("reporting job", ["reports:read"]),
        withoutScope: await client("unscoped job", []),
      };
    },

    /** Every row of every table, as canonical JSON text: equal snapshots mean nothing changed. */
    async snapshot(): Promise<Map<string, string[]>> {
      const out = new Map<string, string[]>();
      for (const name of await tables()) {
        const rows = await db.$queryRawUnsafe<{ row: string }[]>(`SELECT row_to_json(t)::text AS row FROM "${name}" t`);
        out.set(name, rows.map((r) => r.row).sort());
      }
      return out;
    },
  };
}

export type WorldKit = Awaited<ReturnType<typeof worldKit>>;

/** The tables whose rows differ between two snapshots. */
export function changedTables(before: Map<string, string[]>, after: Map<string, string[]>): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((name) => JSON.stringify(before.get(name) ?? []) !== JSON.stringify(after.get(name) ?? [])).sort();
}
