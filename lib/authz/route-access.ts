/**
 * The access level every route module declares with `export const access = "…"`.
 *
 * Threat: a route added without a guard is public by accident, and nothing notices. Every
 * `app/**\/route.ts` therefore states its level in one line, and tests/unit/authz-routes.test.ts
 * refuses a module that declares none, declares an unknown level, or declares a guarded level
 * without calling a guard. The authorization matrix (tests/integration/authz-matrix.test.ts) then
 * proves each declaration against every kind of caller. The declaration is documentation that is
 * checked; the guard call inside the handler is what enforces it.
 */
import { SCOPE_NAMES, type Scope } from "./scopes";

export type RouteAccess =
  /** No access token needed: the route authenticates some other way, or serves public data. */
  | "public"
  /** A signed-in person (user or admin); owned objects are scoped to the caller. */
  | "user"
  /** An administrator. */
  | "admin"
  /** A service client whose token carries the scope. */
  | `service:${Scope}`;

export const ROUTE_ACCESS_LEVELS: readonly RouteAccess[] = [
  "public",
  "user",
  "admin",
  ...SCOPE_NAMES.map((scope) => `service:${scope}` as const),
];

export function isRouteAccess(value: unknown): value is RouteAccess {
  return typeof value === "string" && (ROUTE_ACCESS_LEVELS as readonly string[]).includes(value);
}
