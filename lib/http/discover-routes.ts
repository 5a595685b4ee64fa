/**
 * Every route handler in app/, found by walking the file system and importing each route module,
 * with the contract `endpoint()` attached to it (./contract.ts).
 *
 * Discovery rather than a table: a route added without being listed anywhere is still found, so
 * the OpenAPI document (scripts/openapi.ts) and the tests that walk contracts cannot miss it. A
 * handler exported without a contract is returned too, as `uncovered`, so a test can require
 * that there are none.
 *
 * Node only, and it runs the route modules' imports: call it from scripts (under
 * `tsx --conditions=react-server`, so "server-only" resolves to its empty export) and tests, never
 * from the app.
 */
import { readdir } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { HTTP_METHODS, isContractHandler, type Contract, type ContractHandler, type HttpMethod } from "./contract";

export interface RouteOperation {
  method: HttpMethod;
  /** The OpenAPI path: `/api/notes/{id}`. */
  path: string;
  /** The route module, relative to the repository root: `app/api/notes/[id]/route.ts`. */
  module: string;
  contract: Contract;
  /** The handler itself, as the router calls it: tests call it directly, without the edge. */
  handler: ContractHandler;
}

/** An exported handler `endpoint()` did not make: it has no contract to document or test. */
export type UncoveredHandler = Omit<RouteOperation, "contract" | "handler">;

export type RouteOperations = RouteOperation[] & { readonly uncovered: readonly UncoveredHandler[] };

/**
 * npm runs every script and test runner from the project's root. Not the module's own URL: the
 * end-to-end runner loads modules as CommonJS, where there is none (tests/support/app-instance.ts).
 */
const ROOT = process.cwd();
const ROUTE_FILE = /^route\.(ts|tsx|js|mjs)$/;

/**
 * The handlers that carry a contract, sorted by path and method; `.uncovered` lists those that
 * do not. `root` is the repository.
 */
export async function routeOperations(root: string = ROOT): Promise<RouteOperations> {
  const operations: RouteOperation[] = [];
  const uncovered: UncoveredHandler[] = [];
  for (const file of await routeModules(root)) {
    const urlPath = openApiPath(file);
    const exports = (await import(pathToFileURL(path.join(root, file)).href)) as Record<string, unknown>;
    for (const method of HTTP_METHODS) {
      const handler = exports[method];
      if (handler === undefined) continue;
      if (isContractHandler(handler)) operations.push({ method, path: urlPath, module: file, contract: handler.contract, handler });
      else uncovered.push({ method, path: urlPath, module: file });
    }
  }
  return Object.assign(operations.sort(byPathAndMethod), { uncovered: uncovered.sort(byPathAndMethod) });
}

/** Every route module under app/, repository-relative with `/` separators, sorted. */
export async function routeModules(root: string = ROOT): Promise<string[]> {
  const entries = await readdir(path.join(root, "app"), { recursive: true, withFileTypes: true });
  return (
    entries
      .filter((entry) => entry.isFile() && ROUTE_FILE.test(entry.name))
      .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join("/"))
      // A folder starting with `_` is private in the App Router: nothing in it is routed.
      .filter((file) => !file.split("/").some((segment) => segment.startsWith("_")))
      .sort()
  );
}

/**
 * The URL path of a route module, as OpenAPI writes it: route groups `(x)` and parallel-route
 * slots `@x` are not part of the URL, and each dynamic segment (`[id]`, `[...nextauth]`,
 * `[[...slug]]`) is a `{name}` parameter.
 */
export function openApiPath(file: string): string {
  const segments = file
    .split("/")
    .slice(1, -1)
    .filter((segment) => !/^\(.*\)$/.test(segment) && !segment.startsWith("@"))
    .map((segment) => segment.replace(/^\[{1,2}(?:\.\.\.)?([^\]]+)\]{1,2}$/, "{$1}"));
  return `/${segments.join("/")}`;
}

const ORDER: readonly string[] = HTTP_METHODS;

function byPathAndMethod(a: { path: string; method: string }, b: { path: string; method: string }): number {
  if (a.path !== b.path) return a.path < b.path ? -1 : 1;
  return ORDER.indexOf(a.method) - ORDER.indexOf(b.method);
}
