/**
 * No route without a declared, enforced and tested access level.
 *
 * Every handler is made by `endpoint(contract, handler)` (lib/http/endpoint.ts), and the wrapper,
 * not the handler, runs the guard the contract names, before the request is read. So the checks
 * here are over the contracts themselves, found by importing every app/**\/route.ts, and a guard
 * written only in a comment, or called after the body was read, cannot pass. It fails when:
 * - a route module exports a handler that `endpoint()` did not make (it has no contract);
 * - a contract is public without being on the reviewed list of public routes below;
 * - a permission names no rule, or a rule no route level (lib/authz/route-access.ts);
 * - the authorization matrix (tests/support/authz-matrix.ts) misses a handler, or a row's
 *   statuses break the invariants of its handler's level, ownership included;
 * - the edge layer disagrees: a route public in its contract must be public at the edge, and a
 *   guarded one must need a token there (lib/edge/routes.ts).
 */
import { describe, expect, it } from "vitest";
import { RULES } from "@/lib/authz/policy";
import { accessLevel } from "@/lib/authz/route-access";
import { routeOperations, type RouteOperation } from "@/lib/http/discover-routes";
import { classifyRoute, requiresToken } from "@/lib/edge/routes";
import { derivedRows, matrixRows, rowKey, type MatrixRow, type Statuses } from "../support/authz-matrix";
import { CALLERS, type Caller } from "../support/authz-world";

/**
 * Every route that answers without an access token, and what authenticates it instead. Adding a
 * line here is a security decision, made in review, like adding one to PUBLIC_ROUTES at the edge.
 */
const PUBLIC_MODULES: Record<string, string> = {
  "app/api/health/route.ts": "liveness probe",
  "app/.well-known/jwks.json/route.ts": "public keys",
  "app/api/openapi.json/route.ts": "the API description, the same for everyone",
  "app/api/auth/register/route.ts": "creates the account",
  "app/api/auth/login/route.ts": "the password authenticates it",
  "app/api/auth/login/second-factor/route.ts": "the pending sign-in's cookie and the second factor authenticate it",
  "app/api/auth/login/second-factor/passkey/options/route.ts": "the pending sign-in's cookie names the account; it only issues a challenge",
  "app/api/auth/passkeys/authentication/options/route.ts": "issues a challenge bound to a nonce cookie it sets, and nothing else",
  "app/api/auth/passkeys/authentication/route.ts": "the nonce cookie and a user-verified passkey assertion authenticate it",
  "app/api/auth/password/forgot/route.ts": "anyone may ask; the link goes only to the address",
  "app/api/auth/password/reset/route.ts": "the single-use token from the mailed link authenticates it",
  "app/api/auth/email/verify/route.ts": "the single-use token from the mailed link authenticates it",
  "app/api/auth/email/confirm/route.ts": "the single-use token mailed to the new address authenticates it",
  "app/api/auth/email/undo/route.ts": "the single-use token mailed to the old address authenticates it",
  "app/api/auth/refresh/route.ts": "the refresh cookie authenticates it",
  "app/api/auth/logout/route.ts": "the refresh cookie names the session",
  "app/api/oauth/token/route.ts": "the client secret authenticates it",
  "app/api/cron/prune/route.ts": "CRON_SECRET authenticates it; unset, the route is a 404",
  "app/api/auth/[...nextauth]/route.ts": "identity broker: the provider's sign-in authenticates it",
  "app/api/auth/oauth/link/route.ts": "the pending-link cookie and the account's password authenticate it",
};

/**
 * Disagreements with the edge layer that are known and reported, not yet fixed. The test fails
 * when a new one appears, and also when one of these is fixed, so the list only shrinks.
 */
const KNOWN_EDGE_MISMATCHES: string[] = [];

const OPERATIONS = await routeOperations();
const MATRIX = matrixRows(OPERATIONS);
const keyOf = (operation: Pick<RouteOperation, "method" | "path">) => `${operation.method} ${operation.path}`;

describe("every route handler carries a contract with a known access level", () => {
  it("finds the route handlers, and every one was made by endpoint()", () => {
    expect(OPERATIONS.length).toBeGreaterThanOrEqual(MATRIX.length / 2);
    expect(
      OPERATIONS.uncovered.map(keyOf),
      "export each handler as `endpoint(contract, handler)` (lib/http/endpoint.ts), so its guard and parsing are the contract's",
    ).toEqual([]);
  });

  it.each(OPERATIONS.map((operation) => [keyOf(operation), operation] as const))("%s has an access level the policy defines", (_key, operation) => {
    const { access } = operation.contract;
    if ("permission" in access) expect(Object.hasOwn(RULES, access.permission), `${access.permission} is not in lib/authz/policy.ts`).toBe(true);
    else expect(access.public.trim().length, "a public contract says what authenticates it instead").toBeGreaterThan(0);
    expect(() => accessLevel(operation.contract)).not.toThrow();
  });

  it("names every rule of the policy somewhere: a rule no route grants is a permission nobody reviews", () => {
    const named = new Set(OPERATIONS.flatMap((operation) => ("permission" in operation.contract.access ? [operation.contract.access.permission] : [])));
    expect(Object.keys(RULES).filter((action) => !named.has(action as keyof typeof RULES))).toEqual([]);
  });

  it("is public exactly where a reviewed decision says so", () => {
    const publicModules = new Set(OPERATIONS.filter((operation) => accessLevel(operation.contract) === "public").map((operation) => operation.module));
    expect([...publicModules].sort(), "a public route is a security decision: add it to PUBLIC_MODULES in review").toEqual(Object.keys(PUBLIC_MODULES).sort());
  });
});

describe("the authorization matrix covers every handler and agrees with each contract", () => {
  const byKey = new Map(OPERATIONS.map((operation) => [keyOf(operation), operation]));

  it("has exactly one row per handler", () => {
    const rows = MATRIX.map(rowKey);
    expect(new Set(rows).size, "duplicate matrix rows").toBe(rows.length);
    const missing = OPERATIONS.map(keyOf).filter((key) => !rows.includes(key));
    expect(missing, "a route whose rule is not plain ownership needs a hand-written row in HAND_ROWS (tests/support/authz-matrix.ts)").toEqual([]);
    expect([...rows].sort()).toEqual(OPERATIONS.map(keyOf).sort());
  });

  it("derives for the notes exactly the statuses their hand-written rows stated before", () => {
    const derived = Object.fromEntries(derivedRows(OPERATIONS).map((row) => [rowKey(row), { expect: row.expect, targets: row.targets }]));
    expect(derived).toMatchObject({
      "GET /api/notes": { expect: [401, 200, 200, 200, 403, 403, 401] },
      "POST /api/notes": { expect: [401, 201, 201, 201, 403, 403, 401] },
      "GET /api/notes/{id}": { targets: "userA", expect: [401, 200, 404, 404, 403, 403, 401] },
      "PATCH /api/notes/{id}": { targets: "userA", expect: [401, 200, 404, 404, 403, 403, 401] },
      "DELETE /api/notes/{id}": { targets: "userA", expect: [401, 204, 404, 404, 403, 403, 401] },
    });
  });

  const byCaller = (row: MatrixRow) => Object.fromEntries(CALLERS.map((caller, i) => [caller, row.expect[i]])) as Record<Caller, number>;
  const ok = (status: number) => status >= 200 && status < 300;
  // Past the authorization checks: the request may still fail for its own reasons (a 409, a 400).
  const admitted = (status: number) => ![401, 403, 404].includes(status);

  /** What each level means for the callers, as the matrix must show it. */
  const INVARIANTS: Record<string, (s: Record<Caller, number>, row: MatrixRow) => string[]> = {
    user: (s, row) => [
      s.anonymous === 401 ? "" : "anonymous must get 401",
      s.disabledUser === 401 ? "" : "a disabled user must get 401",
      admitted(s.userA) ? "" : "user A must be let in (every row's object is A's or the caller's own)",
      // Object level: A's object is, to anyone else, an object that does not exist.
      row.targets !== "userA" || (s.userB === 404 && s.admin === 404) ? "" : "another user, and the admin, must get 404 for user A's object",
      admitted(s.userB) || s.userB === 404 ? "" : "user B must be let in to their own, or get 404 for A's",
      // Least privilege: on a person's route, being an admin adds nothing over being another user.
      // The one difference allowed is a refusal: the last admin may not delete their own account (409).
      s.admin === s.userB || s.admin === 409 ? "" : "the admin must get exactly what user B gets (or 409)",
      [401, 403].includes(s.serviceWithScope) && [401, 403].includes(s.serviceWithoutScope) ? "" : "services must be refused",
    ],
    admin: (s) => [
      s.anonymous === 401 && s.disabledUser === 401 ? "" : "anonymous and disabled users must get 401",
      s.userA === 403 && s.userB === 403 ? "" : "plain users must get 403",
      ok(s.admin) ? "" : "the admin must succeed",
      s.serviceWithScope === 403 && s.serviceWithoutScope === 403 ? "" : "services must get 403",
    ],
    service: (s) => [
      s.anonymous === 401 && s.disabledUser === 401 ? "" : "anonymous and disabled users must get 401",
      [s.userA, s.userB, s.admin].every((x) => x === 403) ? "" : "people, admins included, must get 403",
      ok(s.serviceWithScope) ? "" : "a client with the scope must succeed",
      s.serviceWithoutScope === 403 ? "" : "a client without the scope must get 403",
    ],
    // A public route authenticates its own way (a password, a cookie, a client secret), never by role.
    public: (s) => [Object.values(s).includes(403) ? "no public route refuses by role (403)" : ""],
  };

  it.each(MATRIX.map((row) => [rowKey(row), row] as const))("%s", (key, row) => {
    const operation = byKey.get(key);
    expect(operation, `${key} has no handler`).toBeDefined();
    const level = accessLevel(operation!.contract);
    const broken = INVARIANTS[level.startsWith("service:") ? "service" : level]!(byCaller(row), row).filter((message) => message !== "");
    expect(broken, `${key} (${level})`).toEqual([]);
    for (const status of row.expect as Statuses) expect([200, 201, 202, 204, 400, 401, 403, 404, 409]).toContain(status);
  });

  it.each(MATRIX.map((row) => [rowKey(row), row] as const))("%s says whose object it names, where the rule is about one's own", (key, row) => {
    const { access, params } = byKey.get(key)!.contract;
    const rule = "permission" in access ? RULES[access.permission] : null;
    const ownOnly = rule !== null && "object" in rule && rule.object !== undefined;
    if (ownOnly && params !== undefined) expect(row.targets, `${key}: set targets ("userA" or "own") on its matrix row`).toBeDefined();
  });
});

describe("the edge layer agrees with the contracts", () => {
  it("treats exactly the contracts' public routes as public, and the rest as needing a token", () => {
    const mismatches = OPERATIONS.filter((operation) => !operation.module.includes("[...")) // a catch-all has no single path to classify
      .flatMap((operation) => {
        const pathname = operation.path.replace(/\{[^}]+\}/g, "c0ffee0000000000000000000");
        const publicAtEdge = !requiresToken(classifyRoute(pathname));
        return publicAtEdge === (accessLevel(operation.contract) === "public") ? [] : [pathname];
      });
    expect([...new Set(mismatches)].sort()).toEqual([...KNOWN_EDGE_MISMATCHES].sort());
  });
});
