/**
 * The document's operations as the page lays them out: in path order, grouped by tag or, since
 * this API's generator writes none, by the path's first segment under /api (`/api/notes`).
 */
import type { ApiDocument, ApiOperation } from "./document";

/** The methods an OpenAPI path item can hold, in the order the page lists them. */
const METHODS = ["get", "put", "post", "patch", "delete", "options", "head", "trace"] as const;

export interface OperationEntry {
  /** Upper case, as it goes on the wire. */
  method: string;
  path: string;
  operation: ApiOperation;
}

export interface OperationGroup {
  /** The group heading's id; operationIds start with a method, so `group-` cannot collide. */
  id: string;
  title: string;
  operations: OperationEntry[];
}

export function operationsOf(document: ApiDocument): OperationEntry[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.flatMap((method) => {
      const operation = item[method];
      return operation === undefined ? [] : [{ method: method.toUpperCase(), path, operation }];
    }),
  );
}

function groupTitle({ path, operation }: OperationEntry): string {
  const tag = operation.tags?.[0];
  if (tag !== undefined) return tag;
  const [first, second] = path.split("/").filter((segment) => segment !== "");
  if (first === undefined) return "/";
  return first === "api" && second !== undefined ? `/api/${second}` : `/${first}`;
}

/** Groups in order of first appearance, except that paths outside /api (`/.well-known`) go last. */
export function groupOperations(entries: readonly OperationEntry[]): OperationGroup[] {
  const groups = new Map<string, OperationGroup>();
  for (const entry of entries) {
    const title = groupTitle(entry);
    let group = groups.get(title);
    if (group === undefined) {
      group = { id: `group-${title.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "") || "root"}`, title, operations: [] };
      groups.set(title, group);
    }
    group.operations.push(entry);
  }
  const all = [...groups.values()];
  const underApi = (group: OperationGroup) => group.title.startsWith("/api/");
  return [...all.filter(underApi), ...all.filter((group) => !underApi(group))];
}

export function findOperation(entries: readonly OperationEntry[], method: string, path: string): OperationEntry | undefined {
  return entries.find((entry) => entry.method === method && entry.path === path);
}
