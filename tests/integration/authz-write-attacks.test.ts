/**
 * Every write endpoint against mass assignment (OWASP API3), prototype pollution and HTTP
 * parameter pollution, on PGlite and Postgres. Each attack is a request that would succeed
 * without its one malicious part (the control proves it); with it, the answer is 400 and every
 * row of every table is as it was.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { databaseKinds } from "../support/databases";
import { call, type Handler } from "../support/http";
import { integrationSuite } from "../support/app";
import { collectionOf, isItemPath, ownedResources, successStatus } from "../support/owned-resources";
import { routeOperations, type RouteOperation, type RouteOperations } from "@/lib/http/discover-routes";
import { basicAuth, changedTables, credentialOf, PASSWORD, uniqueEmail, type Caller, type World } from "../support/authz-world";

interface WriteEndpoint {
  /** `METHOD /path`, as the contracts name it: the handler is found by it. */
  name: string;
  method: "POST" | "PATCH" | "DELETE";
  path(world: World): string;
  params?(world: World): Record<string, string>;
  caller: Caller;
  /** A body that succeeds as it is. */
  valid(world: World): Record<string, unknown>;
  success: number;
  /** A field the endpoint must never take from a client. */
  smuggled: Record<string, unknown>;
  /** Whether the handler parses its query string (and so must refuse a polluted one). */
  readsQuery: boolean;
}

/** The routes whose rule is not plain ownership, each with the field it must never take from a client. */
const HAND_WRITTEN: WriteEndpoint[] = [
  {
    name: "POST /api/auth/register",
    method: "POST",
    path: () => "/api/auth/register",
    caller: "anonymous",
    valid: () => ({ email: uniqueEmail("reg"), name: "Reg", password: PASSWORD }),
    success: 202,
    smuggled: { role: "admin" },
    readsQuery: false,
  },
  {
    name: "POST /api/auth/login",
    method: "POST",
    path: () => "/api/auth/login",
    caller: "anonymous",
    valid: (w) => ({ email: w.userA.email, password: PASSWORD }),
    success: 200,
    smuggled: { role: "admin" },
    readsQuery: false,
  },
  {
    name: "POST /api/auth/step-up",
    method: "POST",
    path: () => "/api/auth/step-up",
    caller: "userA",
    valid: () => ({ password: PASSWORD }),
    success: 200,
    smuggled: { secondFactorAt: "2030-01-01T00:00:00Z" },
    readsQuery: false,
  },
  {
    name: "POST /api/auth/password/forgot",
    method: "POST",
    path: () => "/api/auth/password/forgot",
    caller: "anonymous",
    valid: () => ({ email: uniqueEmail("forgot") }),
    success: 202,
    smuggled: { userId: "someone-else" },
    readsQuery: false,
  },
  {
    name: "POST /api/auth/email",
    method: "POST",
    path: () => "/api/auth/email",
    caller: "userA",
    valid: () => ({ email: uniqueEmail("moved") }),
    success: 202,
    smuggled: { emailVerifiedAt: "2026-01-01T00:00:00Z" },
    readsQuery: false,
  },
  {
    name: "POST /api/auth/password",
    method: "POST",
    path: () => "/api/auth/password",
    caller: "userA",
    valid: () => ({ currentPassword: PASSWORD, newPassword: "a completely different phrase" }),
    success: 204,
    smuggled: { userId: "someone-else" },
    readsQuery: false,
  },
  {
    name: "DELETE /api/me",
    method: "DELETE",
    path: () => "/api/me",
    caller: "userA",
    valid: () => ({ password: PASSWORD }),
    success: 204,
    smuggled: { userId: "someone-else" },
    readsQuery: false,
  },
  {
    name: "POST /api/auth/oauth/password",
    method: "POST",
    path: () => "/api/auth/oauth/password",
    caller: "userA",
    // Every world user already has a password: the control is the endpoint's own 409, past validation.
    valid: () => ({ newPassword: "a completely different phrase" }),
    success: 409,
    smuggled: { passwordHash: "$argon2id$forged" },
    readsQuery: false,
  },
  {
    name: "POST /api/auth/mfa/totp/confirm",
    method: "POST",
    path: () => "/api/auth/mfa/totp/confirm",
    caller: "userA",
    // No world user has started an enrolment: the control is the endpoint's own 409, past validation.
    valid: () => ({ code: "123456" }),
    success: 409,
    smuggled: { userId: "someone-else", confirmedAt: "2026-01-01T00:00:00Z" },
    readsQuery: false,
  },
  {
    name: "POST /api/admin/users",
    method: "POST",
    path: () => "/api/admin/users",
    caller: "admin",
    valid: () => ({ email: uniqueEmail("made"), name: "Made", password: PASSWORD, role: "user" }),
    success: 201,
    smuggled: { disabledAt: null, passwordHash: "x" },
    readsQuery: true,
  },
  {
    name: "PATCH /api/admin/users/{id}",
    method: "PATCH",
    path: (w) => `/api/admin/users/${w.userB.id}`,
    params: (w) => ({ id: w.userB.id }),
    caller: "admin",
    valid: () => ({ role: "admin" }),
    success: 200,
    smuggled: { email: "attacker@example.com" },
    readsQuery: true,
  },
  {
    name: "POST /api/admin/clients",
    method: "POST",
    path: () => "/api/admin/clients",
    caller: "admin",
    valid: () => ({ name: "Job", scopes: ["reports:read"] }),
    success: 201,
    smuggled: { secretHash: "0".repeat(64) },
    readsQuery: true,
  },
  {
    name: "PATCH /api/admin/clients/{id}",
    method: "PATCH",
    path: (w) => `/api/admin/clients/${w.withScope.clientId}`,
    params: (w) => ({ id: w.withScope.clientId }),
    caller: "admin",
    valid: () => ({ disabled: true }),
    success: 200,
    smuggled: { scopes: ["reports:read", "admin"] },
    readsQuery: true,
  },
];

/**
 * The JSON writes of every owner-scoped resource, derived from their contracts
 * (tests/support/owned-resources.ts): user A sends the body example, on an item route naming
 * A's own object, and the field smuggled in is the owner.
 */
function derivedEndpoints(operations: readonly RouteOperation[]): WriteEndpoint[] {
  return ownedResources(operations).flatMap(({ operations: group }) =>
    group.flatMap((operation): WriteEndpoint[] => {
      const { body } = operation.contract;
      if (body?.kind !== "json" || body.readBy === "handler" || operation.method === "GET") return [];
      const item = isItemPath(operation.path);
      const idOf = (world: World) => world.owned[collectionOf(operation.path)] ?? "missing";
      return [
        {
          name: `${operation.method} ${operation.path}`,
          method: operation.method as WriteEndpoint["method"],
          path: (world) => (item ? operation.path.replace("{id}", idOf(world)) : operation.path),
          ...(item ? { params: (world: World) => ({ id: idOf(world) }) } : {}),
          caller: "userA",
          valid: () => ({ ...body.example }),
          success: successStatus(operation),
          smuggled: { ownerId: "someone-else" },
          readsQuery: true,
        },
      ];
    }),
  );
}

// Read here only for the list of endpoints; each suite calls the handlers it imports afresh, bound to its database.
const CONTRACTS = await routeOperations();
const ENDPOINTS: WriteEndpoint[] = [
  ...HAND_WRITTEN,
  ...derivedEndpoints(CONTRACTS).filter((derived) => !HAND_WRITTEN.some((hand) => hand.name === derived.name)),
];

/** Raw JSON texts that put a prototype-polluting key around an otherwise valid body. */
function pollutedBodies(valid: Record<string, unknown>): [string, string][] {
  const inner = JSON.stringify(valid).slice(1, -1);
  const comma = inner === "" ? "" : ",";
  return [
    ["__proto__ at the top", `{"__proto__":{"role":"admin","isAdmin":true}${comma}${inner}}`],
    ["constructor.prototype at the top", `{"constructor":{"prototype":{"role":"admin"}}${comma}${inner}}`],
    ["__proto__ nested in a value", `{${inner}${comma}"meta":{"__proto__":{"role":"admin"}}}`],
  ];
}

describe.each(databaseKinds())("write endpoints under attack on %s", (kind) => {
  // Every request here comes from one (unknown) address; the mail tier per address is not under test.
  const suite = integrationSuite(kind, { RATE_LIMIT_MAIL_IP_MAX: "1000000" });
  let world: World;
  let operations: RouteOperations;

  beforeEach(async () => {
    await suite.kit.reset();
    world = await suite.kit.build({ ownedObjects: true });
    operations ??= await routeOperations();
  });

  function handlerOf(endpoint: WriteEndpoint): Handler {
    const operation = operations.find((candidate) => `${candidate.method} ${candidate.path}` === endpoint.name);
    if (operation === undefined) throw new Error(`${endpoint.name}: no such handler`);
    return operation.handler as Handler;
  }

  async function send(endpoint: WriteEndpoint, body: unknown, query = "") {
    const credential = credentialOf(world, endpoint.caller);
    return call(handlerOf(endpoint), {
      method: endpoint.method,
      body,
      url: `http://localhost:3000${endpoint.path(world)}${query}`,
      ...(endpoint.params === undefined ? {} : { params: endpoint.params(world) }),
      ...(credential.jar === undefined ? {} : { jar: credential.jar }),
      headers: { ...credential.headers, "content-type": "application/json" },
    });
  }

  async function expectRefusedAndUnchanged(attempt: () => Promise<Response>) {
    const before = await suite.kit.snapshot();
    const response = await attempt();
    expect(response.status, await response.clone().text()).toBe(400);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(changedTables(before, await suite.kit.snapshot())).toEqual([]);
    // Nothing reached the shared prototype either.
    expect((Object.prototype as Record<string, unknown>).role).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).isAdmin).toBeUndefined();
  }

  describe.each(ENDPOINTS.map((endpoint) => [endpoint.name, endpoint] as const))("%s", (_name, endpoint) => {
    it("control: the unmodified request gets past validation", async () => {
      expect((await send(endpoint, endpoint.valid(world))).status).toBe(endpoint.success);
    });

    it(`refuses a smuggled ${Object.keys(endpoint.smuggled).join(", ")} (mass assignment) and changes nothing`, async () => {
      await expectRefusedAndUnchanged(() => send(endpoint, { ...endpoint.valid(world), ...endpoint.smuggled }));
    });

    it.each(pollutedBodies({}).map(([what]) => [what]))("refuses %s (prototype pollution) and changes nothing", async (what) => {
      const body = pollutedBodies(endpoint.valid(world)).find(([label]) => label === what)![1];
      await expectRefusedAndUnchanged(() => send(endpoint, body));
    });

    // The auth routes never read their query string, so there is no parameter there to pollute.
    if (endpoint.readsQuery) {
      it("refuses a repeated or unexpected query parameter (parameter pollution) and changes nothing", async () => {
        await expectRefusedAndUnchanged(() => send(endpoint, endpoint.valid(world), "?ownerId=a&ownerId=b"));
        await expectRefusedAndUnchanged(() => send(endpoint, endpoint.valid(world), "?role=admin"));
      });
    }
  });

  describe("POST /api/oauth/token (a form, per RFC 6749)", () => {
    const form = (body: string) =>
      call(suite.routes.token, {
        method: "POST",
        body,
        url: "http://localhost:3000/api/oauth/token",
        headers: { "content-type": "application/x-www-form-urlencoded", authorization: basicAuth(world.withScope.clientId, world.withScope.clientSecret) },
      });

    it("control: the unmodified request gets a token", async () => {
      expect((await form("grant_type=client_credentials")).status).toBe(200);
    });

    it.each([
      ["a repeated grant_type (parameter pollution)", "grant_type=client_credentials&grant_type=password"],
      ["a repeated scope (parameter pollution)", "grant_type=client_credentials&scope=reports%3Aread&scope=admin"],
      ["a __proto__ parameter (prototype pollution)", "grant_type=client_credentials&__proto__%5Brole%5D=admin&__proto__=x"],
      ["a constructor parameter (prototype pollution)", "grant_type=client_credentials&constructor=x"],
    ])("refuses %s with 400 and changes nothing", async (_what, body) => {
      const before = await suite.kit.snapshot();
      const response = await form(body);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: "invalid_request" });
      expect(changedTables(before, await suite.kit.snapshot())).toEqual([]);
    });
  });
});

/** JSON write endpoints this file cannot drive to the body check, and why. */
const MAILED_TOKEN =
  "its credential is a single-use token only a message carries; a well-formed unmailed one is a 400 like the attacks, so the control could not tell them apart. tests/integration/mailed-link-attacks.test.ts sends the attacks with a real token and proves it survives them unspent";
const OUT_OF_REACH: Record<string, string> = {
  "POST /api/auth/password/reset": MAILED_TOKEN,
  "POST /api/auth/email/verify": MAILED_TOKEN,
  "POST /api/auth/email/confirm": MAILED_TOKEN,
  "POST /api/auth/email/undo": MAILED_TOKEN,
  "POST /api/auth/oauth/link":
    "needs the sealed pending-link cookie that only a provider sign-in sets; without it the handler answers 401 before reading the body",
  "POST /api/auth/passkeys/registration":
    "needs a response an authenticator signed over a challenge issued to the caller's session; a well-formed unsigned one is a 400 like the attacks. tests/integration/passkey-routes.test.ts drives it with a software authenticator",
  "PATCH /api/auth/passkeys/{id}":
    "needs a passkey of the caller's, and no world user has one (it would give user A a second factor); tests/integration/passkey-routes.test.ts renames through it and proves another user's rename changes nothing",
  "POST /api/auth/passkeys/authentication":
    "needs the nonce cookie its options set and an assertion a registered passkey signed over that challenge; without them every request is the same 401, attack or not, so the control could not tell them apart. tests/integration/passkey-routes.test.ts drives it with a software authenticator",
  "POST /api/auth/login/second-factor":
    "needs the pending sign-in cookie that only a right first factor sets, and a code of the account's authenticator; tests/integration/second-factor-sign-in.test.ts drives it",
};

// Keeps the list honest: a JSON write endpoint that is neither owner-scoped nor written here fails this.
describe("the attack table", () => {
  it("covers every handler whose contract takes a JSON body", () => {
    const jsonWrites = CONTRACTS.filter((operation) => operation.contract.body?.kind === "json").map((operation) => `${operation.method} ${operation.path}`);
    const covered = [...ENDPOINTS.map((endpoint) => endpoint.name), ...Object.keys(OUT_OF_REACH)];
    expect(
      jsonWrites.filter((key) => !covered.includes(key)),
      "add these to HAND_WRITTEN with the field each must refuse",
    ).toEqual([]);
  });
});
