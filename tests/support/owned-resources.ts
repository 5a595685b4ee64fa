/**
 * The owner-scoped resources the contracts describe, found rather than listed: every operation
 * whose permission is an `object: "owner"` rule (lib/authz/policy.ts), grouped by collection.
 * A resource is a collection path (`/api/notes`) with a create (`POST`, whose body example makes
 * an object) and item operations at `{collection}/{id}`.
 *
 * The authorization matrix (./authz-matrix.ts) and the write-attack suite
 * (tests/integration/authz-write-attacks.test.ts) derive their rows for such a resource from
 * this, so adding one to the app adds its authorization tests with it: a route that forgets the
 * owner in its query answers user B with user A's object, and the derived row fails on it.
 * A resource that does not fit the shape is an error that says what is missing, not a resource
 * that goes untested.
 */
import { RULES } from "@/lib/authz/policy";
import type { RouteOperation } from "@/lib/http/discover-routes";

export interface OwnedResource {
  /** The collection's path, `/api/notes`. */
  collection: string;
  /** `POST {collection}`: the world makes user A's object with its body example. */
  create: RouteOperation;
  /** Every operation of the resource, the create included. */
  operations: RouteOperation[];
}

const ITEM = /\/\{id\}$/;

export function isOwnerScoped(operation: Pick<RouteOperation, "contract">): boolean {
  const { access } = operation.contract;
  if (!("permission" in access)) return false;
  const rule = RULES[access.permission];
  return "object" in rule && rule.object === "owner";
}

export function isItemPath(path: string): boolean {
  return ITEM.test(path);
}

export function collectionOf(path: string): string {
  return path.replace(ITEM, "");
}

/** The status an operation answers on success: the lowest 2xx its contract declares. */
export function successStatus(operation: Pick<RouteOperation, "method" | "path" | "contract">): number {
  const status = Object.keys(operation.contract.responses)
    .map(Number)
    .filter((code) => code >= 200 && code < 300)
    .sort((a, b) => a - b)[0];
  if (status === undefined) throw new Error(`${operation.method} ${operation.path}: its contract declares no 2xx response`);
  return status;
}

export function ownedResources(operations: readonly RouteOperation[]): OwnedResource[] {
  const byCollection = new Map<string, RouteOperation[]>();
  for (const operation of operations.filter(isOwnerScoped)) {
    const where = `${operation.method} ${operation.path}`;
    const rest = collectionOf(operation.path);
    if (rest.includes("{")) {
      throw new Error(`${where}: an owner-scoped route is a collection or \`{collection}/{id}\`; give this one a hand-written matrix row's shape first`);
    }
    byCollection.set(rest, [...(byCollection.get(rest) ?? []), operation]);
  }
  return [...byCollection].map(([collection, group]) => {
    const create = group.find((operation) => operation.method === "POST" && operation.path === collection);
    if (create === undefined || create.contract.body?.kind !== "json") {
      throw new Error(`${collection}: an owner-scoped resource needs \`POST ${collection}\` with a JSON body, so the tests can make user A's object`);
    }
    return { collection, create, operations: group };
  });
}
