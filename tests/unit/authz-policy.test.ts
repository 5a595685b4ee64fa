/**
 * The policy (lib/authz/policy.ts) as an actor × action × resource table. Every row names the
 * actors allowed; every other actor must be refused, so adding a grant to POLICY without adding
 * it here fails, and so does losing one.
 */
import { describe, expect, it } from "vitest";
import {
  ACTIONS,
  can,
  ownerScope,
  permits,
  RULES,
  type AccountResource,
  type Action,
  type Actor,
  type OwnedResource,
  type UserActor,
} from "@/lib/authz/policy";

const alice: UserActor = { kind: "user", id: "alice", role: "user", sessionId: "s-alice" };
const bob: UserActor = { kind: "user", id: "bob", role: "user", sessionId: "s-bob" };
const ada: UserActor = { kind: "user", id: "ada", role: "admin", sessionId: "s-ada" };
// A person holding a role no rule names (the schema allows none now; a future role, or a row edited
// by hand, could): the policy grants such a person nothing. Cast, because the type rightly forbids it.
const oddRole: UserActor = { kind: "user", id: "odd", role: "service" as UserActor["role"], sessionId: "s-odd" };
const reporter: Actor = { kind: "service", clientId: "reporter", scopes: ["reports:read"] };
const unscoped: Actor = { kind: "service", clientId: "unscoped", scopes: [] };
// A service client whose id happens to equal a user's id still owns nothing.
const lookalike: Actor = { kind: "service", clientId: "alice", scopes: ["reports:read"] };

const ACTORS = { alice, bob, ada, oddRole, reporter, unscoped, lookalike } as const;
type ActorName = keyof typeof ACTORS;

const note = (ownerId: string): OwnedResource => ({ ownerId });
const account = (userId: string): AccountResource => ({ userId });

interface Row {
  action: Action;
  resource?: OwnedResource | AccountResource;
  label: string;
  allowed: ActorName[];
}

const OWNER_ACTIONS = ACTIONS.filter((action) => {
  const rule = RULES[action];
  return "object" in rule && rule.object === "owner";
});

const TABLE: Row[] = [
  // Owned objects (the notes, and any resource added with an `object: "owner"` rule): the owner, and
  // only the owner. Being an admin grants nothing over someone else's object.
  ...OWNER_ACTIONS.flatMap((action): Row[] => [
    { action, resource: note("alice"), label: "alice's", allowed: ["alice"] },
    { action, resource: note("bob"), label: "bob's", allowed: ["bob"] },
    { action, resource: note("ada"), label: "ada's", allowed: ["ada"] },
  ]),
  // Accounts: one's own.
  ...(["account:read", "account:update"] as const).flatMap((action): Row[] => [
    { action, resource: account("alice"), label: "alice's", allowed: ["alice"] },
    { action, resource: account("ada"), label: "ada's", allowed: ["ada"] },
  ]),
  // Administration: admins only; no scope reaches it.
  ...(["user:list", "user:create", "user:update", "audit:read", "client:list", "client:create", "client:update"] as const).map((action): Row => ({
    action,
    label: "-",
    allowed: ["ada"],
  })),
  // The reporting scope: clients holding it, and no person, not even an admin.
  { action: "report:read", label: "-", allowed: ["reporter", "lookalike"] },
];

describe("authorization policy: actor × action × resource", () => {
  const cases = TABLE.flatMap((row) =>
    (Object.keys(ACTORS) as ActorName[]).map((name) => [row.action, row.label, name, row.allowed.includes(name), row] as const),
  );

  // The table mixes actions whose resource types differ; the typed signature is exercised by the app's own code.
  const check = can as (actor: Actor, action: Action, resource?: OwnedResource | AccountResource) => boolean;

  it.each(cases)("%s on %s resource as %s → %s", (_action, _label, name, allowed, row) => {
    expect(check(ACTORS[name], row.action, row.resource)).toBe(allowed);
  });

  it("covers every action in the policy", () => {
    expect(new Set(TABLE.map((row) => row.action))).toEqual(new Set(ACTIONS));
    expect(OWNER_ACTIONS).toEqual(expect.arrayContaining(["note:list", "note:create", "note:read", "note:update", "note:delete"]));
  });

  it("never grants an admin another user's note, for any note action", () => {
    for (const action of ACTIONS.filter((a) => a.startsWith("note:"))) {
      expect(can(ada, action as "note:read", note("alice")), action).toBe(false);
    }
  });

  it("refuses an owned action when no resource is given, instead of treating it as a function-level check", () => {
    // The types require the resource; a caller that casts its way past them still gets no.
    expect(check(alice, "note:read")).toBe(false);
    expect(check(alice, "account:read")).toBe(false);
  });

  it("lets a service client do only what its scopes name, and a person nothing a scope grants", () => {
    for (const action of ACTIONS) {
      const rule = RULES[action];
      const scope = "scope" in rule ? rule.scope : undefined;
      expect(permits(reporter, action), action).toBe(scope === "reports:read");
      expect(permits(unscoped, action), action).toBe(false);
      if (scope !== undefined) expect(permits(ada, action), action).toBe(false);
    }
  });

  it("ownerScope filters exactly the notes can() allows, for every person", () => {
    for (const actor of [alice, bob, ada, oddRole]) {
      for (const owner of ["alice", "bob", "ada", "odd"]) {
        const inScope = ownerScope(actor).ownerId === owner;
        const allowed = can(actor, "note:read", note(owner));
        // Same answer, except that a role no rule grants is refused before any query runs.
        expect(allowed, `${actor.id} → ${owner}'s note`).toBe(inScope && permits(actor, "note:read"));
      }
    }
  });
});
