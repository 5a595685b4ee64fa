/**
 * The access level of a route, read from its contract (lib/http/contract.ts).
 *
 * Threat: a route added without a guard is public by accident, and nothing notices. A route's
 * handler is made by `endpoint(contract, handler)`, whose contract names either a permission of
 * the policy table (and the wrapper runs that guard before anything else) or, in words, what
 * authenticates a public route. The level below is derived from that one declaration, never
 * written a second time: tests/unit/authz-routes.test.ts holds the public ones to a reviewed list
 * and the edge's public table, and the authorization matrix (tests/integration/authz-matrix.test.ts)
 * proves each level against every kind of caller.
 */
import type { Contract } from "../http/contract";
import { RULES } from "./policy";
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

export const ROUTE_ACCESS_LEVELS: readonly RouteAccess[] = ["public", "user", "admin", ...SCOPE_NAMES.map((scope) => `service:${scope}` as const)];

/**
 * The level a contract's access grants: `public`, the scope of a machine rule, `user` for a rule
 * every signed-in person holds, `admin` for an administrators-only rule. A rule that fits none of
 * these (say, admins and one other role) has no level, and is refused here rather than guessed.
 */
export function accessLevel(contract: Pick<Contract, "access">): RouteAccess {
  if ("public" in contract.access) return "public";
  const rule = RULES[contract.access.permission];
  if ("scope" in rule) return `service:${rule.scope}`;
  const roles = [...rule.roles].sort().join(",");
  if (roles === "admin,user") return "user";
  if (roles === "admin") return "admin";
  throw new Error(`${contract.access.permission}: a rule for roles ${roles} has no route access level`);
}
