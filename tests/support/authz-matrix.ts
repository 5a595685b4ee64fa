/**
 * The authorization matrix: every route in the HTTP contract × every kind of caller, with the
 * status each caller must get. It is data, read three ways:
 * - tests/integration/authz-matrix.test.ts sends every cell's request on both databases and
 *   checks the status, the response's exact shape, and that a refused call changed nothing;
 * - tests/unit/authz-routes.test.ts checks it has one row per handler, and that each row's
 *   statuses keep the invariants of the access level the handler's contract declares;
 * - scripts/authz-table.ts renders it into docs/authorization.md (tests/unit/authz-table.test.ts
 *   fails when the committed page is stale).
 * A row's request is the one a legitimate caller of that route would send; each caller sends it
 * with its own credential (see ./authz-world.ts), so the only thing that varies along a row is who asks.
 * The rows of an owner-scoped resource (./owned-resources.ts) are derived from its contracts, so a
 * new resource is covered the moment its routes exist; every other row is written by hand.
 */
import type { RouteOperation } from "@/lib/http/discover-routes";
import type { CallOptions } from "./http";
import { basicAuth, clientOf, uniqueEmail, PASSWORD, type Caller, type World } from "./authz-world";
import { collectionOf, isItemPath, ownedResources, successStatus } from "./owned-resources";
import { PASSKEY_ASSERTION_EXAMPLE, PASSKEY_ATTESTATION_EXAMPLE } from "@/lib/auth/mfa/passkey-public";

export type Method = "GET" | "POST" | "PATCH" | "DELETE";

/** Statuses in CALLERS order: anonymous, user A, user B, admin, service with scope, service without, disabled user. */
export type Statuses = readonly [number, number, number, number, number, number, number];

export type MatrixRequest = Omit<CallOptions, "jar">;

export interface MatrixRow {
  method: Method;
  /** The path as the contract and the OpenAPI document write it; the route, its module and its access level come from there. */
  path: string;
  /**
   * Whose object the request names, on a route whose rule is about one's own (lib/authz/policy.ts):
   * `userA` when it names user A's object, so everyone else, the admin included, must get the 404
   * of an object that does not exist; `own` when each caller asks for their own. Required on such
   * a route with a path parameter (tests/unit/authz-routes.test.ts), so the ownership invariant
   * cannot be skipped by leaving it out.
   */
  targets?: "userA" | "own";
  /**
   * On a list of owned objects: the id of user A's object, which user A's answer must contain and
   * no one else's may. A list whose query forgets the owner still answers 200; this catches it.
   */
  onlyUserASees?(world: World): string;
  /** What every caller asks for, in words, for the generated page. */
  asks: string;
  expect: Statuses;
  /** Tables a *refused* call is allowed to change, and why. Everything else must be untouched. */
  refusedWrites?: Partial<Record<Caller, { tables: string[]; why: string }>>;
  request(world: World, caller: Caller): MatrixRequest;
}

const ORIGIN = "http://localhost:3000";

/** A token of the right shape that no message ever carried: the mailed-link routes must refuse it. */
const UNMAILED_TOKEN = "Xo3bY0ac5vJm1kQ2pRrT8wZ4nL6yF9hE0gD7sA1uCqB";

function get(path: string, params?: Record<string, string>): MatrixRequest {
  return { method: "GET", url: `${ORIGIN}${path}`, ...(params === undefined ? {} : { params }) };
}

function send(method: Method, path: string, body?: unknown, params?: Record<string, string>): MatrixRequest {
  return { method, url: `${ORIGIN}${path}`, ...(body === undefined ? {} : { body }), ...(params === undefined ? {} : { params }) };
}

/**
 * The rows written by hand: every route whose rule is not plain ownership of an object, each with
 * the request that reaches it and the statuses its semantics give. An owner-scoped resource's
 * rows are derived instead (derivedRows below); a hand row for one of its routes replaces the derived.
 */
// Column order:                       anon  A    B    admin svc+ svc- disabled
export const HAND_ROWS: readonly MatrixRow[] = [
  {
    method: "GET",
    path: "/api/health",
    asks: "liveness and a database round trip",
    expect: [200, 200, 200, 200, 200, 200, 200],
    request: () => get("/api/health"),
  },
  {
    method: "GET",
    path: "/.well-known/jwks.json",
    asks: "the public signing keys",
    expect: [200, 200, 200, 200, 200, 200, 200],
    request: () => get("/.well-known/jwks.json"),
  },
  {
    method: "GET",
    path: "/api/openapi.json",
    asks: "the OpenAPI description of the API",
    expect: [200, 200, 200, 200, 200, 200, 200],
    request: () => get("/api/openapi.json"),
  },
  {
    method: "GET",
    path: "/api/cron/prune",
    // Public at the edge, yet no caller's own credential runs it: only CRON_SECRET does
    // (tests/integration/prune.test.ts sends the secret and gets 200).
    asks: "the scheduled retention prune, with the caller's own credential instead of CRON_SECRET",
    expect: [401, 401, 401, 401, 401, 401, 401],
    request: () => get("/api/cron/prune"),
  },
  {
    method: "POST",
    path: "/api/auth/register",
    asks: "a new account with a fresh email (accepted alike for every address: the account is made after the answer)",
    expect: [202, 202, 202, 202, 202, 202, 202],
    request: () => send("POST", "/api/auth/register", { email: uniqueEmail("new"), name: "New Person", password: PASSWORD }),
  },
  {
    method: "POST",
    path: "/api/auth/password/forgot",
    asks: "a reset link for a fresh address (accepted alike for every address)",
    expect: [202, 202, 202, 202, 202, 202, 202],
    request: () => send("POST", "/api/auth/password/forgot", { email: uniqueEmail("forgot") }),
  },
  {
    method: "POST",
    path: "/api/auth/password/reset",
    asks: "to reset a password with a link no one was mailed (the token is the credential: 400 for everyone)",
    expect: [400, 400, 400, 400, 400, 400, 400],
    request: () => send("POST", "/api/auth/password/reset", { token: UNMAILED_TOKEN, newPassword: "a completely different phrase" }),
  },
  {
    method: "POST",
    path: "/api/auth/email/verify",
    asks: "to confirm an address with a link no one was mailed (400 for everyone)",
    expect: [400, 400, 400, 400, 400, 400, 400],
    request: () => send("POST", "/api/auth/email/verify", { token: UNMAILED_TOKEN }),
  },
  {
    method: "POST",
    path: "/api/auth/email/confirm",
    asks: "to confirm a new address with a link no one was mailed (400 for everyone)",
    expect: [400, 400, 400, 400, 400, 400, 400],
    request: () => send("POST", "/api/auth/email/confirm", { token: UNMAILED_TOKEN }),
  },
  {
    method: "POST",
    path: "/api/auth/email/undo",
    asks: "to undo an address change with a link no one was mailed (400 for everyone)",
    expect: [400, 400, 400, 400, 400, 400, 400],
    request: () => send("POST", "/api/auth/email/undo", { token: UNMAILED_TOKEN }),
  },
  {
    method: "POST",
    path: "/api/auth/email",
    asks: "to move the caller's own account to a fresh address, just after signing in (a link goes to the new address)",
    expect: [401, 202, 202, 202, 401, 401, 401],
    request: () => send("POST", "/api/auth/email", { email: uniqueEmail("moved") }),
  },
  {
    method: "POST",
    path: "/api/auth/email/verify/resend",
    asks: "a new confirmation link for the caller's own address (every caller here has confirmed it: 409)",
    expect: [401, 409, 409, 409, 401, 401, 401],
    request: () => send("POST", "/api/auth/email/verify/resend"),
  },
  {
    method: "POST",
    path: "/api/auth/login",
    asks: "to sign in as user A with the right password",
    expect: [200, 200, 200, 200, 200, 200, 200],
    request: (world) => send("POST", "/api/auth/login", { email: world.userA.email, password: PASSWORD }),
  },
  {
    method: "POST",
    path: "/api/auth/login/second-factor",
    asks: "to finish a sign-in with a code, with no sign-in waiting for one (the pending cookie is the credential: 401 for everyone)",
    expect: [401, 401, 401, 401, 401, 401, 401],
    request: () => send("POST", "/api/auth/login/second-factor", { code: "123456" }),
  },
  {
    method: "POST",
    path: "/api/auth/login/second-factor/passkey/options",
    asks: "a passkey challenge for a second step, with no sign-in waiting for one (the pending cookie is the credential: 401 for everyone)",
    expect: [401, 401, 401, 401, 401, 401, 401],
    request: () => send("POST", "/api/auth/login/second-factor/passkey/options"),
  },
  {
    method: "POST",
    path: "/api/auth/passkeys/authentication/options",
    asks: "a challenge for a passwordless passkey sign-in (public: it only issues a challenge, bound to the nonce cookie it sets)",
    expect: [200, 200, 200, 200, 200, 200, 200],
    request: () => send("POST", "/api/auth/passkeys/authentication/options"),
  },
  {
    method: "POST",
    path: "/api/auth/passkeys/authentication",
    asks: "a passwordless sign-in with an assertion no authenticator signed and no nonce cookie (the nonce and the signature are the credential: 401 for everyone)",
    expect: [401, 401, 401, 401, 401, 401, 401],
    request: () => send("POST", "/api/auth/passkeys/authentication", { response: PASSKEY_ASSERTION_EXAMPLE }),
  },
  {
    method: "POST",
    path: "/api/auth/step-up/passkey/options",
    asks: "a passkey challenge for a step-up in the caller's own session (no caller here has a passkey: 409)",
    expect: [401, 409, 409, 409, 401, 401, 401],
    request: () => send("POST", "/api/auth/step-up/passkey/options"),
  },
  {
    method: "POST",
    path: "/api/auth/step-up",
    asks: "to confirm it is the caller again with their password (no second factor here)",
    expect: [401, 200, 200, 200, 401, 401, 401],
    request: () => send("POST", "/api/auth/step-up", { password: PASSWORD }),
  },
  {
    method: "POST",
    path: "/api/auth/refresh",
    asks: "to rotate the caller's own refresh cookie",
    expect: [401, 200, 200, 200, 401, 401, 401],
    refusedWrites: {
      disabledUser: { tables: ["Session"], why: "the refused refresh revokes the disabled user's session (reason user_disabled)" },
    },
    request: () => send("POST", "/api/auth/refresh"),
  },
  {
    method: "POST",
    path: "/api/auth/logout",
    asks: "to end the session the caller's refresh cookie names",
    expect: [204, 204, 204, 204, 204, 204, 204],
    request: () => send("POST", "/api/auth/logout"),
  },
  {
    method: "POST",
    path: "/api/auth/logout-all",
    asks: "to end every session of the caller",
    expect: [401, 204, 204, 204, 401, 401, 401],
    request: () => send("POST", "/api/auth/logout-all"),
  },
  {
    method: "POST",
    path: "/api/auth/password",
    asks: "to change the caller's own password",
    expect: [401, 204, 204, 204, 401, 401, 401],
    request: () => send("POST", "/api/auth/password", { currentPassword: PASSWORD, newPassword: "a completely different phrase" }),
  },
  {
    method: "GET",
    path: "/api/auth/sessions",
    asks: "the caller's own sessions",
    expect: [401, 200, 200, 200, 401, 401, 401],
    request: () => get("/api/auth/sessions"),
  },
  {
    method: "DELETE",
    path: "/api/auth/sessions/{id}",
    targets: "userA",
    asks: "to revoke **user A's** session",
    expect: [401, 204, 404, 404, 401, 401, 401],
    request: (world) => send("DELETE", `/api/auth/sessions/${world.userA.sessionId}`, undefined, { id: world.userA.sessionId }),
  },
  {
    method: "GET",
    path: "/api/me",
    asks: "the caller's own account",
    expect: [401, 200, 200, 200, 401, 401, 401],
    request: () => get("/api/me"),
  },
  {
    method: "DELETE",
    path: "/api/me",
    asks: "to delete the caller's own account, confirming the password (the only admin may not: 409)",
    expect: [401, 204, 204, 409, 401, 401, 401],
    request: () => send("DELETE", "/api/me", { password: PASSWORD }),
  },
  {
    method: "GET",
    path: "/api/auth/oauth/accounts",
    asks: "the caller's own sign-in methods",
    expect: [401, 200, 200, 200, 401, 401, 401],
    request: () => get("/api/auth/oauth/accounts"),
  },
  {
    method: "DELETE",
    path: "/api/auth/oauth/accounts/{provider}",
    targets: "own",
    asks: "to remove the provider linked to the caller's own account (only **user A** has one; others: 404)",
    expect: [401, 204, 404, 404, 401, 401, 401],
    request: () => send("DELETE", "/api/auth/oauth/accounts/oidc", undefined, { provider: "oidc" }),
  },
  {
    method: "POST",
    path: "/api/auth/oauth/password",
    asks: "to add a first password (every caller here already has one: 409)",
    expect: [401, 409, 409, 409, 401, 401, 401],
    request: () => send("POST", "/api/auth/oauth/password", { newPassword: "a completely different phrase" }),
  },
  {
    method: "GET",
    path: "/api/auth/mfa",
    asks: "the caller's own second factors",
    expect: [401, 200, 200, 200, 401, 401, 401],
    request: () => get("/api/auth/mfa"),
  },
  {
    method: "POST",
    path: "/api/auth/mfa/totp",
    asks: "to start setting up an authenticator app on the caller's own account, just after signing in",
    expect: [401, 201, 201, 201, 401, 401, 401],
    request: () => send("POST", "/api/auth/mfa/totp"),
  },
  {
    method: "POST",
    path: "/api/auth/mfa/totp/confirm",
    asks: "to confirm an authenticator app (no caller here started setting one up: 409)",
    expect: [401, 409, 409, 409, 401, 401, 401],
    request: () => send("POST", "/api/auth/mfa/totp/confirm", { code: "123456" }),
  },
  {
    method: "DELETE",
    path: "/api/auth/mfa/totp",
    asks: "to remove the caller's own authenticator app (no caller here has one: 409)",
    expect: [401, 409, 409, 409, 401, 401, 401],
    request: () => send("DELETE", "/api/auth/mfa/totp"),
  },
  {
    method: "POST",
    path: "/api/auth/mfa/recovery-codes",
    asks: "a new set of recovery codes for the caller's own account (no caller here has a second factor: 409)",
    expect: [401, 409, 409, 409, 401, 401, 401],
    request: () => send("POST", "/api/auth/mfa/recovery-codes"),
  },
  {
    method: "POST",
    path: "/api/auth/passkeys/registration/options",
    asks: "a challenge to add a passkey to the caller's own account, just after signing in",
    expect: [401, 200, 200, 200, 401, 401, 401],
    request: () => send("POST", "/api/auth/passkeys/registration/options"),
  },
  {
    method: "POST",
    path: "/api/auth/passkeys/registration",
    asks: "to add a passkey with a response no authenticator signed over a challenge of the caller's (400 past the guards)",
    expect: [401, 400, 400, 400, 401, 401, 401],
    request: () => send("POST", "/api/auth/passkeys/registration", { response: PASSKEY_ATTESTATION_EXAMPLE, name: "Matrix key" }),
  },
  {
    method: "PATCH",
    // No world user has a passkey (one would give user A a second factor and change every other
    // row of A's); ownership is proved in tests/integration/passkey-routes.test.ts, where B's
    // rename and removal of A's passkey get 404 and change nothing.
    path: "/api/auth/passkeys/{id}",
    targets: "own",
    asks: "to rename a passkey named by a malformed id (400 past the guards, before any lookup)",
    expect: [401, 400, 400, 400, 401, 401, 401],
    request: () => send("PATCH", "/api/auth/passkeys/not-a-passkey", { name: "Renamed" }, { id: "not-a-passkey" }),
  },
  {
    method: "DELETE",
    path: "/api/auth/passkeys/{id}",
    targets: "own",
    asks: "to remove a passkey named by a malformed id (400 past the guards, before any lookup)",
    expect: [401, 400, 400, 400, 401, 401, 401],
    request: () => send("DELETE", "/api/auth/passkeys/not-a-passkey", undefined, { id: "not-a-passkey" }),
  },
  {
    method: "GET",
    path: "/api/auth/oauth/link",
    asks: "the pending provider link (no one holds a pending-link cookie: 401)",
    expect: [401, 401, 401, 401, 401, 401, 401],
    request: () => get("/api/auth/oauth/link"),
  },
  {
    method: "POST",
    path: "/api/auth/oauth/link",
    asks: "to confirm a pending provider link (no pending-link cookie: 401)",
    expect: [401, 401, 401, 401, 401, 401, 401],
    request: () => send("POST", "/api/auth/oauth/link", { password: PASSWORD }),
  },
  {
    method: "GET",
    path: "/api/auth/{nextauth}",
    asks: "the identity broker's CSRF token (`/api/auth/csrf`)",
    expect: [200, 200, 200, 200, 200, 200, 200],
    // The catch-all's params are a list of segments; the shared CallOptions type knows only strings.
    request: () => ({ method: "GET", url: `${ORIGIN}/api/auth/csrf`, params: { nextauth: ["csrf"] } as unknown as Record<string, string> }),
  },
  {
    method: "POST",
    path: "/api/auth/{nextauth}",
    asks: "to start a sign-in with a provider that is not configured (404)",
    expect: [404, 404, 404, 404, 404, 404, 404],
    request: () => ({
      method: "POST",
      url: `${ORIGIN}/api/auth/signin/github`,
      params: { nextauth: ["signin", "github"] } as unknown as Record<string, string>,
      body: "csrfToken=x",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    }),
  },
  {
    method: "GET",
    path: "/api/admin/users",
    asks: "every account",
    expect: [401, 403, 403, 200, 403, 403, 401],
    request: () => get("/api/admin/users?sort=email&limit=10"),
  },
  {
    method: "POST",
    path: "/api/admin/users",
    asks: "to create an admin account",
    expect: [401, 403, 403, 201, 403, 403, 401],
    request: () => send("POST", "/api/admin/users", { email: uniqueEmail("made"), name: "Made By Admin", password: PASSWORD, role: "admin" }),
  },
  {
    method: "PATCH",
    path: "/api/admin/users/{id}",
    asks: "to make **user B** an admin",
    expect: [401, 403, 403, 200, 403, 403, 401],
    request: (world) => send("PATCH", `/api/admin/users/${world.userB.id}`, { role: "admin" }, { id: world.userB.id }),
  },
  {
    method: "GET",
    path: "/api/admin/audit",
    asks: "the security event log",
    expect: [401, 403, 403, 200, 403, 403, 401],
    request: () => get("/api/admin/audit?type=client.created"),
  },
  {
    method: "GET",
    path: "/api/admin/clients",
    asks: "every service client",
    expect: [401, 403, 403, 200, 403, 403, 401],
    request: () => get("/api/admin/clients"),
  },
  {
    method: "POST",
    path: "/api/admin/clients",
    asks: "to create a service client",
    expect: [401, 403, 403, 201, 403, 403, 401],
    request: () => send("POST", "/api/admin/clients", { name: "Another job", scopes: ["reports:read"] }),
  },
  {
    method: "PATCH",
    path: "/api/admin/clients/{id}",
    asks: "to disable the unscoped client",
    expect: [401, 403, 403, 200, 403, 403, 401],
    request: (world) => send("PATCH", `/api/admin/clients/${world.withoutScope.clientId}`, { disabled: true }, { id: world.withoutScope.clientId }),
  },
  {
    method: "POST",
    path: "/api/oauth/token",
    asks: "a `reports:read` token, with its own client secret (services) or none (everyone else)",
    expect: [401, 401, 401, 401, 200, 400, 401],
    request: (world, caller) => {
      const client = clientOf(world, caller);
      return {
        method: "POST",
        url: `${ORIGIN}/api/oauth/token`,
        body: "grant_type=client_credentials&scope=reports%3Aread",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          // A service authenticates with its secret here; its bearer token means nothing to this endpoint.
          ...(client === null ? {} : { authorization: basicAuth(client.clientId, client.clientSecret) }),
        },
      };
    },
  },
  {
    method: "GET",
    path: "/api/reports/notes",
    asks: "aggregate note counts",
    expect: [401, 403, 403, 403, 200, 403, 401],
    request: () => get("/api/reports/notes"),
  },
];

/**
 * The rows of one owner-scoped resource, from its contracts: what the ownership rule means for
 * each caller. Anonymous and disabled callers get 401 and services 403 (the rule is for people);
 * on the collection every person succeeds with their own; on an item, which names user A's object,
 * user A succeeds and everyone else, the admin included, gets the 404 of an object that does not exist.
 */
export function derivedRows(operations: readonly RouteOperation[]): MatrixRow[] {
  return ownedResources(operations).flatMap(({ collection, operations: group }) =>
    group.map((operation): MatrixRow => {
      const ok = successStatus(operation);
      const method = operation.method as Method;
      const example = operation.contract.body?.example;
      if (!isItemPath(operation.path)) {
        return {
          method,
          path: operation.path,
          asks: `${operation.contract.summary} (each caller their own)`,
          expect: [401, ok, ok, ok, 403, 403, 401],
          ...(method === "GET" ? { onlyUserASees: (world: World) => world.owned[collection] ?? "missing" } : {}),
          request: () => send(method, operation.path, example),
        };
      }
      return {
        method,
        path: operation.path,
        targets: "userA",
        asks: `${operation.contract.summary}, naming **user A's**`,
        expect: [401, ok, 404, 404, 403, 403, 401],
        request: (world) => {
          const id = world.owned[collectionOf(operation.path)];
          if (id === undefined) throw new Error(`the world made no object for ${collection}`);
          return send(method, operation.path.replace("{id}", id), example, { id });
        },
      };
    }),
  );
}

/** Every row: the hand-written ones, and the derived rows of each owner-scoped resource a hand row does not replace. */
export function matrixRows(operations: readonly RouteOperation[]): MatrixRow[] {
  const written = new Set(HAND_ROWS.map(rowKey));
  return [...HAND_ROWS, ...derivedRows(operations).filter((row) => !written.has(rowKey(row)))];
}

export function rowKey(row: Pick<MatrixRow, "method" | "path">): string {
  return `${row.method} ${row.path}`;
}
