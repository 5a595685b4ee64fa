/**
 * No route without a declared, enforced and tested access level.
 *
 * Reads every app/**\/route.ts as source (importing them would run their side effects) and fails
 * when a module:
 * - declares no `export const access`, or an unknown level;
 * - declares "public" without being on the reviewed list of public routes below;
 * - declares a guarded level, but one of its handlers calls no guard, calls it after touching the
 *   body or the database, or calls a guard whose policy rule grants a different level;
 * - has a handler the authorization matrix (tests/support/authz-matrix.ts) does not cover, or
 *   the matrix disagrees with its declaration (an "admin" route that a plain user gets 200 from).
 * It also checks the edge layer agrees: a route public in its handler must be public at the
 * edge, and a guarded one must need a token there (lib/edge/routes.ts).
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { RULES, type Action } from "@/lib/authz/policy";
import { isRouteAccess, type RouteAccess } from "@/lib/authz/route-access";
import { classifyRoute, requiresToken } from "@/lib/edge/routes";
import { MATRIX, type MatrixRow, type Statuses } from "../support/authz-matrix";
import { CALLERS, type Caller } from "../support/authz-world";

const ROOT = path.resolve(import.meta.dirname, "../..");
const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

/**
 * Every route that answers without an access token, and what authenticates it instead. Adding a
 * line here is a security decision, made in review, like adding one to PUBLIC_ROUTES at the edge.
 */
const PUBLIC_MODULES: Record<string, string> = {
  "app/api/health/route.ts": "liveness probe",
  "app/.well-known/jwks.json/route.ts": "public keys",
  "app/api/auth/register/route.ts": "creates the account",
  "app/api/auth/login/route.ts": "the password authenticates it",
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

interface RouteModule {
  file: string;
  source: string;
  access: string | undefined;
  methods: string[];
  /** Each exported handler's source text, by method. */
  handlers: Map<string, string>;
}

function routeFiles(dir = path.join(ROOT, "app")): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(full);
    return /^route\.(ts|tsx|js|mjs)$/.test(entry.name) ? [path.relative(ROOT, full).split(path.sep).join("/")] : [];
  });
}

function parseModule(file: string): RouteModule {
  const source = readFileSync(path.join(ROOT, file), "utf8");
  const declarations = [...source.matchAll(/^export const access = "([^"]*)";$/gm)];
  const access = declarations.length === 1 ? declarations[0]![1] : undefined;
  const handlers = new Map<string, string>();
  // `export const GET = route(...)` and `export async function GET(...)`: the handler runs to the next export.
  const starts = [...source.matchAll(/^export (?:const|async function|function) (GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)\b/gm)];
  starts.forEach((match) => {
    const end = source.slice(match.index + 1).search(/^export /m);
    handlers.set(match[1]!, end === -1 ? source.slice(match.index) : source.slice(match.index, match.index + 1 + end));
  });
  // `export { handler as GET, handler as POST }`: one handler under several methods; its body is the whole module.
  for (const block of source.matchAll(/^export \{([^}]*)\}/gm)) {
    for (const alias of block[1]!.matchAll(/\bas (\w+)/g)) {
      if ((METHODS as readonly string[]).includes(alias[1]!)) handlers.set(alias[1]!, source);
    }
  }
  return { file, source, access, methods: [...handlers.keys()].sort(), handlers };
}

const MODULES = routeFiles().map(parseModule);

/** The access level a guard call enforces, per the policy. */
function levelOfGuard(call: string): RouteAccess | "unknown" {
  if (/^requireUser\(/.test(call)) return "user";
  const role = /^requireRole\(request, "(\w+)"\)/.exec(call);
  if (role !== null) return role[1] === "admin" ? "admin" : "unknown";
  const permission = /^requirePermission\(request, "([\w:]+)"\)/.exec(call);
  if (permission === null || !Object.hasOwn(RULES, permission[1]!)) return "unknown";
  const rule = RULES[permission[1] as Action];
  if ("scope" in rule) return `service:${rule.scope}`;
  if (rule.roles.includes("user")) return "user";
  return rule.roles.length === 1 && rule.roles[0] === "admin" ? "admin" : "unknown";
}

const GUARD_CALL = /\b(requireUser\([^)]*\)|requireRole\([^)]*\)|requirePermission\([^)]*\))/;
const FIRST_WORK = /\b(getDb\(|readJson\(|readForm\(|parseInput\(|parseQuery\()/;

describe("every route module declares its access level", () => {
  it("finds the route modules", () => {
    expect(MODULES.length).toBeGreaterThanOrEqual(MATRIX.length / 3);
  });

  it.each(MODULES.map((m) => [m.file, m] as const))("%s declares exactly one known access level", (_file, route) => {
    expect(route.access, `${route.file}: add one line, export const access = "public" | "user" | "admin" | "service:<scope>";`).toBeDefined();
    expect(isRouteAccess(route.access), `${route.file}: unknown access level "${route.access}"`).toBe(true);
  });

  it.each(MODULES.map((m) => [m.file, m] as const))("%s is public only if reviewed as public", (_file, route) => {
    if (route.access === "public") expect(Object.keys(PUBLIC_MODULES), `${route.file} is not on the reviewed public list`).toContain(route.file);
    else expect(Object.keys(PUBLIC_MODULES)).not.toContain(route.file);
  });

  it.each(MODULES.filter((m) => m.access !== "public").map((m) => [m.file, m] as const))(
    "%s guards every handler before any other work, with a guard of its declared level",
    (_file, route) => {
      expect(route.methods.length).toBeGreaterThan(0);
      for (const [method, body] of route.handlers) {
        const guard = GUARD_CALL.exec(body);
        expect(guard, `${route.file} ${method}: no guard call`).not.toBeNull();
        const work = FIRST_WORK.exec(body);
        if (work !== null) expect(guard!.index, `${route.file} ${method}: ${work[1]} runs before the guard`).toBeLessThan(work.index);
        expect(levelOfGuard(guard![1]!), `${route.file} ${method}: ${guard![1]} does not enforce "${route.access}"`).toBe(route.access);
      }
    },
  );
});

describe("the authorization matrix covers every handler and agrees with each declaration", () => {
  it("has exactly one row per exported handler", () => {
    const handlers = MODULES.flatMap((m) => m.methods.map((method) => `${method} ${m.file}`)).sort();
    const rows = MATRIX.map((row) => `${row.method} ${row.module}`);
    expect(new Set(rows).size, "duplicate matrix rows").toBe(rows.length);
    expect(rows.sort()).toEqual(handlers);
  });

  const byCaller = (row: MatrixRow) => Object.fromEntries(CALLERS.map((caller, i) => [caller, row.expect[i]])) as Record<Caller, number>;
  const ok = (status: number) => status >= 200 && status < 300;
  // Past the authorization checks: the request may still fail for its own reasons (a 409, a 400).
  const admitted = (status: number) => ![401, 403, 404].includes(status);

  /** What each level means for the callers, as the matrix must show it. */
  const INVARIANTS: Record<string, (s: Record<Caller, number>) => string[]> = {
    user: (s) => [
      s.anonymous === 401 ? "" : "anonymous must get 401",
      s.disabledUser === 401 ? "" : "a disabled user must get 401",
      admitted(s.userA) ? "" : "user A must be let in (every row's object is A's or the caller's own)",
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

  it.each(MATRIX.map((row) => [`${row.method} ${row.path}`, row] as const))("%s", (_key, row) => {
    const routeModule = MODULES.find((m) => m.file === row.module);
    expect(routeModule, `${row.module} does not exist`).toBeDefined();
    expect(row.access, "the matrix row and the module disagree on the access level").toBe(routeModule!.access);
    const level = row.access.startsWith("service:") ? "service" : row.access;
    const broken = INVARIANTS[level]!(byCaller(row)).filter((message) => message !== "");
    expect(broken, `${row.method} ${row.path} (${row.access})`).toEqual([]);
    for (const status of row.expect as Statuses) expect([200, 201, 204, 400, 401, 403, 404, 409]).toContain(status);
  });
});

describe("the edge layer agrees with the handlers", () => {
  it("treats exactly the handlers' public routes as public, and the rest as needing a token", () => {
    const mismatches = MODULES.filter((m) => !m.file.includes("[...")) // a catch-all has no single path to classify
      .flatMap((m) => {
        const pathname = "/" + m.file.replace(/^app\//, "").replace(/\/route\.\w+$/, "").replace(/\[[^\]]+\]/g, "c0ffee0000000000000000000");
        const route = classifyRoute(pathname.replace(/\/\([^)]+\)/g, ""));
        const publicAtEdge = !requiresToken(route);
        return publicAtEdge === (m.access === "public") ? [] : [pathname];
      });
    expect(mismatches.sort()).toEqual([...KNOWN_EDGE_MISMATCHES].sort());
  });
});
