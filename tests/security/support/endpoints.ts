/**
 * Every endpoint's inputs, read from its contract (lib/http/contract.ts): the body (JSON or form),
 * the query, the path parameters and, for the cookie-authenticated endpoints, the cookie. The
 * fuzzer and the SSRF probe both walk this list; a test checks it covers every method of every
 * route in the manifest, so a new endpoint cannot go unfuzzed, and there is no second table to
 * forget it in.
 */
import { z } from "zod";
import { ACCESS_COOKIE } from "@/lib/auth/cookie-names";
import { accessLevel } from "@/lib/authz/route-access";
import { routeOperations, type RouteOperation } from "@/lib/http/discover-routes";

export type Caller = "anonymous" | "user" | "admin";

export interface Endpoint {
  /** `METHOD /path/{param}`, as tests/support/response-schemas.ts names them. */
  key: string;
  method: string;
  /** The path with `{name}` placeholders. */
  path: string;
  caller: Caller;
  body?: { kind: "json" | "form"; schema: z.ZodType };
  /** The query schema; absent means the route takes none (and must refuse any). */
  query?: z.ZodType;
  params?: z.ZodType;
  /** The cookie this endpoint reads its credential from, fuzzed as an input of its own. */
  cookie?: string;
}

/** The broker's catch-all, as the segments its reviewed endpoints use (lib/auth/oauth/broker.ts): random segments would only ever meet its 404. */
const BrokerSegments = z.strictObject({ nextauth: z.enum(["csrf", "signin", "signin/github", "callback/oidc", "error", "session", "providers", "_log"]) });

/**
 * Where the fuzzer asks differently than a contract's defaults would: the broker with its real
 * segments (its query is free-form, left to the hostile-query generator), and sign-out-everywhere
 * by a caller with no bearer token whose access cookie is the fuzzed input.
 */
const FUZZ_AS: Record<string, Partial<Endpoint>> = {
  "GET /api/auth/{nextauth}": { params: BrokerSegments, query: undefined },
  "POST /api/auth/{nextauth}": { params: BrokerSegments },
  "POST /api/auth/logout-all": { caller: "anonymous", cookie: ACCESS_COOKIE },
};

/** A service client's routes are fuzzed without its token: the fuzzer holds none. */
function callerOf(operation: RouteOperation): Caller {
  const level = accessLevel(operation.contract);
  return level === "user" || level === "admin" ? level : "anonymous";
}

function endpointOf(operation: RouteOperation): Endpoint {
  const { contract } = operation;
  const key = `${operation.method} ${operation.path}`;
  const endpoint: Endpoint = {
    key,
    method: operation.method,
    path: operation.path,
    caller: callerOf(operation),
    ...(contract.body === undefined ? {} : { body: { kind: contract.body.kind, schema: contract.body.schema } }),
    ...(contract.query === undefined ? {} : { query: contract.query }),
    ...(contract.params === undefined ? {} : { params: contract.params }),
    ...(contract.cookie === undefined ? {} : { cookie: contract.cookie }),
  };
  const merged: Endpoint = { ...endpoint, ...FUZZ_AS[key] };
  // An override of `undefined` removes the input, as if the contract had none.
  for (const name of ["body", "query", "params", "cookie"] as const) if (merged[name] === undefined) delete merged[name];
  return merged;
}

export const ENDPOINTS: readonly Endpoint[] = (await routeOperations()).map(endpointOf);

/** A lone surrogate has no UTF-8 encoding: it travels as U+FFFD, as a browser would send it. */
const wellFormed = (value: string) => value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");

/** `/api/notes/{id}` with `params` filled in, each value URL-encoded (a catch-all keeps its slashes). */
export function fillPath(template: string, params: Record<string, unknown>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) =>
    String(params[name] ?? "x")
      .split("/")
      .map((segment) => encodeURIComponent(wellFormed(segment)))
      .join(name === "nextauth" ? "/" : "%2F"),
  );
}

/** The manifest's route path for an endpoint key's path (`{id}` → `[id]`, the broker's catch-all). */
export function manifestPathOf(endpoint: Endpoint): string {
  return endpoint.path.replace("{nextauth}", "[...nextauth]").replace(/\{(\w+)\}/g, "[$1]");
}
