/**
 * The authorization matrix, run: every route in the contract × every kind of caller
 * (tests/support/authz-matrix.ts), through the real route handlers, on the embedded PGlite and
 * on the real Postgres. Each cell gets a fresh world, and:
 * - the status must be the one the matrix states;
 * - the body must match its route's exact schema, or be problem+json (RFC 6749 JSON on the token
 *   endpoint) carrying the request ID, so no refusal and no success leaks a field;
 * - a refused call (4xx) must leave every row of every table as it was, except for a write the
 *   matrix names and explains.
 * The handlers are called directly, without the edge middleware: every check here is the
 * handler's own (CVE-2025-29927).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { databaseKinds, provisionDatabase, useDatabase, type ProvisionedDatabase } from "../support/databases";
import { call, type Handler } from "../support/http";
import { testKeyPair } from "../support/keys";
import { CALLERS, changedTables, credentialOf, worldKit, type WorldKit } from "../support/authz-world";
import { matrixRows, rowKey, type MatrixRow } from "../support/authz-matrix";
import { assertExactShape } from "../support/response-schemas";
import { routeOperations, type RouteOperations } from "@/lib/http/discover-routes";

function handlerOf(operations: RouteOperations, row: MatrixRow): Handler {
  const operation = operations.find((candidate) => candidate.method === row.method && candidate.path === row.path);
  if (operation === undefined) throw new Error(`${rowKey(row)}: no such handler`);
  return operation.handler as Handler;
}

// The contracts are read here only to know the rows; each suite imports the handlers afresh, bound to its database.
const cells = matrixRows(await routeOperations()).flatMap((row) => CALLERS.map((caller, index) => ({ row, caller, status: row.expect[index] as number })));

describe.each(databaseKinds())("authorization matrix on %s", (kind) => {
  let database: ProvisionedDatabase;
  let kit: WorldKit;
  let operations: RouteOperations;

  beforeAll(async () => {
    database = await provisionDatabase(kind);
    await useDatabase(database);
    vi.stubEnv("JWT_PRIVATE_KEY", testKeyPair("integration").privateKeyPem);
    // Configured, so the cron route answers as it does in a deployment (401) instead of not existing (404).
    vi.stubEnv("CRON_SECRET", "matrix-cron-secret-that-no-caller-presents");
    // Every cell comes from one (unknown) address: the mail tier per address is not what the matrix tests.
    vi.stubEnv("RATE_LIMIT_MAIL_IP_MAX", "1000000");
    kit = await worldKit();
    // Imported after the database and the keys are in place: the handlers read both when loaded.
    operations = await routeOperations();
  });

  afterAll(async () => {
    await kit.disconnect();
    await database.drop();
    vi.unstubAllEnvs();
  });

  it.each(cells.map((cell) => [rowKey(cell.row), cell.caller, cell.status, cell] as const))("%s as %s → %i", async (key, caller, status, { row }) => {
    await kit.reset();
    const world = await kit.build({ ownedObjects: true });
    const credential = credentialOf(world, caller);
    const request = row.request(world, caller);
    // Only a refusal has to leave the database as it was; a success may write.
    const refused = status >= 400;
    const before = refused ? await kit.snapshot() : null;

    const response = await call(handlerOf(operations, row), {
      ...request,
      ...(credential.jar === undefined ? {} : { jar: credential.jar }),
      headers: { ...credential.headers, ...request.headers, "x-request-id": `matrix-${caller}` },
    });

    const leaked = row.targets === "userA" && caller !== "userA" && response.status < 300;
    expect(
      response.status,
      leaked
        ? `${key}: ${caller} reached user A's object; put the owner in the query (\`where: { id, ...ownerScope(actor) }\`, lib/authz/policy.ts)`
        : `${key} as ${caller}`,
    ).toBe(status);
    await assertExactShape(key, response);
    if (row.onlyUserASees !== undefined && response.ok) {
      const shown = (await response.clone().text()).includes(row.onlyUserASees(world));
      expect(
        shown,
        caller === "userA"
          ? `${key}: user A's list lacks user A's own object`
          : `${key}: ${caller}'s list shows user A's object; scope the query to the caller's own (ownerScope(actor), lib/authz/policy.ts)`,
      ).toBe(caller === "userA");
    }
    if (response.headers.get("content-type") === "application/problem+json") {
      expect((await response.clone().json()).requestId).toBe(`matrix-${caller}`);
    }
    if (before !== null) {
      const allowed = row.refusedWrites?.[caller]?.tables ?? [];
      expect(changedTables(before, await kit.snapshot()), "a refused call changed the database").toEqual(allowed);
    }
  });
});
