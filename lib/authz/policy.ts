/**
 * The authorization policy: who may do what to which resource, in one table.
 *
 * Threats: broken function-level authorization (a plain user reaching an admin function, OWASP
 * API Security Top 10 2023 API5) and broken object-level authorization (a user reaching someone
 * else's object by changing an id, API1, the most common API flaw). The defence has two layers,
 * both read from POLICY below:
 * - function level: `permits(actor, action)` is checked by the guard the handler's contract names,
 *   before the request is read (`endpoint()` in lib/http/endpoint.ts, `requireCaller` in
 *   lib/auth/guards.ts); a refusal is a 403 that never says which permission was missing;
 * - object level: `can(actor, action, resource)` states the ownership rule, and `ownerScope`
 *   is the same rule as a query filter. Handlers never fetch an object and compare its owner
 *   afterwards: the owner is part of the `where` clause (lib/notes/notes.ts), so another user's
 *   object is simply not found, a 404 indistinguishable from one that never existed.
 * Roles follow least privilege: `admin` manages accounts, roles, service clients and the audit
 * log, but has no rule that reaches another user's notes; a service client holds only the scopes
 * it was granted. Anything not in the table is refused (docs/decisions/020-authorization-model.md).
 */
import type { Scope } from "./scopes";

/** The roles a person can hold. A user row with any other role matches no rule and can do nothing. */
export type UserRole = "user" | "admin";

/** A signed-in person, as the guard found them: live session, enabled account, role from the database. */
export interface UserActor {
  kind: "user";
  id: string;
  role: UserRole;
  sessionId: string;
}

/** A service client holding a client-credentials token; `scopes` are those still granted to it. */
export interface ServiceActor {
  kind: "service";
  clientId: string;
  scopes: readonly Scope[];
}

export type Actor = UserActor | ServiceActor;

/** A rule for people: which roles, and whether the object must be the actor's own. */
export interface RoleRule {
  roles: readonly UserRole[];
  /** `owner`: the resource's `ownerId` is the actor. `self`: the resource is the actor's own account. */
  object?: "owner" | "self";
  description: string;
}

/** A rule for machines: the one scope the client must hold. */
export interface ScopeRule {
  scope: Scope;
  description: string;
}

export const POLICY = {
  "note:list": { roles: ["user", "admin"], object: "owner", description: "List one's own notes" },
  "note:create": { roles: ["user", "admin"], object: "owner", description: "Create a note owned by oneself" },
  "note:read": { roles: ["user", "admin"], object: "owner", description: "Read one of one's own notes" },
  "note:update": { roles: ["user", "admin"], object: "owner", description: "Change one of one's own notes" },
  "note:delete": { roles: ["user", "admin"], object: "owner", description: "Delete one of one's own notes" },
  // One's own account (app/api/me, app/api/auth/*): a person only, never a service, and every query
  // is keyed by the caller's own id (requireCaller in lib/auth/guards.ts).
  "account:read": { roles: ["user", "admin"], object: "self", description: "Read one's own account and sessions" },
  "account:update": {
    roles: ["user", "admin"],
    object: "self",
    description: "Change one's own password and sign-in methods, end one's own sessions, delete one's own account",
  },
  "user:list": { roles: ["admin"], description: "List every account" },
  "user:create": { roles: ["admin"], description: "Create an account with any role" },
  "user:update": { roles: ["admin"], description: "Change an account's role, disable or enable it" },
  "audit:read": { roles: ["admin"], description: "Read the security event log" },
  "client:list": { roles: ["admin"], description: "List service clients (never their secrets)" },
  "client:create": { roles: ["admin"], description: "Create a service client and see its secret once" },
  "client:update": { roles: ["admin"], description: "Disable or enable a service client" },
  "report:read": { scope: "reports:read", description: "Read aggregate note statistics" },
} as const satisfies Record<string, RoleRule | ScopeRule>;

export type Action = keyof typeof POLICY;

/** The same table, each rule widened to its general shape, for code that reads rules generically. */
export const RULES: Readonly<Record<Action, RoleRule | ScopeRule>> = POLICY;

export const ACTIONS = Object.keys(POLICY) as Action[];

type RuleOf<A extends Action> = (typeof POLICY)[A];

/** An object with an owner, as `can` needs it: only the owner's id matters. */
export interface OwnedResource {
  ownerId: string;
}

/** An account, as `can` needs it for the `self` rules. */
export interface AccountResource {
  userId: string;
}

/** What `can` takes after the action: an owned object, an account, or nothing for a function-level rule. */
export type ResourceArgs<A extends Action> =
  RuleOf<A> extends { object: "owner" } ? [resource: OwnedResource] : RuleOf<A> extends { object: "self" } ? [resource: AccountResource] : [];

/** The kind of actor an action can ever be granted to: people for role rules, machines for scope rules. */
export type ActorFor<A extends Action> = RuleOf<A> extends { scope: Scope } ? ServiceActor : UserActor;

/**
 * Function level: may this actor perform this kind of action at all? True for a person whose role
 * the rule lists, or a service client holding the rule's scope; false for everything else,
 * including a person holding a role no rule mentions.
 */
export function permits<A extends Action>(actor: Actor, action: A): actor is Actor & ActorFor<A> {
  const rule = RULES[action];
  if ("scope" in rule) return actor.kind === "service" && actor.scopes.includes(rule.scope);
  return actor.kind === "user" && (rule.roles as readonly string[]).includes(actor.role);
}

/**
 * Object level: may this actor perform this action on this resource? `permits`, and then the
 * ownership rule. The data layer enforces the same rule inside its queries (`ownerScope`); this
 * form states it for reading and for the policy tests.
 */
export function can<A extends Action>(actor: Actor, action: A, ...resource: ResourceArgs<A>): boolean {
  if (!permits(actor, action)) return false;
  const rule = RULES[action];
  if (!("object" in rule) || rule.object === undefined) return true;
  // A role rule matched, so the actor is a person; the resource's shape follows from the rule.
  const person = actor as UserActor;
  const [target] = resource as [OwnedResource | AccountResource | undefined];
  if (target === undefined) return false;
  return rule.object === "owner" ? (target as OwnedResource).ownerId === person.id : (target as AccountResource).userId === person.id;
}

declare const ownerScopeBrand: unique symbol;

/**
 * The ownership rule as a query filter: `where: { id, ...ownerScope(actor) }`. Branded, so a data
 * function that takes an OwnerScope cannot be handed `{ ownerId: idFromTheRequest }`: the owner
 * always comes from the authenticated actor.
 */
export type OwnerScope = { readonly ownerId: string } & { readonly [ownerScopeBrand]: true };

export function ownerScope(actor: UserActor): OwnerScope {
  return { ownerId: actor.id } as OwnerScope;
}
