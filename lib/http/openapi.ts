/**
 * The OpenAPI 3.1 document, generated from the endpoint contracts (./contract.ts).
 *
 * The document is another reading of the data the wrapper enforces (./endpoint.ts), so it cannot
 * describe a route one way while the route behaves another: every schema is the contract's own
 * zod schema, converted by zod itself (requests as the client sends them, `io: "input"`;
 * responses as the server sends them, `io: "output"`), and every problem status is one
 * `allowedProblems` lets the handler answer. The edge layer answers some requests before any
 * handler runs (rate limits, CSRF, body size, duplicate cookies, the token gate); those answers
 * are read from the tables the middleware itself reads (lib/edge/routes.ts,
 * lib/edge/rate-limit/policy.ts), so a client finds every status it can be sent documented.
 *
 * Pure and with no server dependency: scripts/openapi.ts writes docs/openapi.json with it, and
 * tests/unit/openapi-document.test.ts fails when the committed file is not what it produces.
 * Nothing here reads the environment or the clock, so the document is the same on every machine
 * and cannot carry a secret or a deployment's configuration.
 */
import { z } from "zod";
import packageJson from "../../package.json";
import { ACCESS_COOKIE } from "../auth/cookie-names";
import { RULES, type Action } from "../authz/policy";
import { SCOPES } from "../authz/scopes";
import { EDGE_BODY_LIMIT_BYTES } from "../edge/body-size";
import { UNSAFE_METHODS } from "../edge/csrf";
import { edgeTiers, FAIL_MODES, TIER_NAMES, type TierName, type TierPolicies } from "../edge/rate-limit/policy";
import { classifyRoute, requiresToken } from "../edge/routes";
import { allowedProblems, HTTP_METHODS, type Contract } from "./contract";
import { ERROR_CODES, type ErrorCode } from "./errors";
import { PROBLEM_CONTENT_TYPE } from "./problem";

export type JsonSchema = z.core.JSONSchema.BaseSchema;

/** One handler to document: its method, its OpenAPI path (`/api/notes/{id}`) and its contract. */
export interface OpenApiOperationInput {
  readonly method: string;
  readonly path: string;
  readonly contract: Contract;
}

/** The subset of the OpenAPI 3.1 object model this generator writes. */
export interface OpenApiDocument {
  openapi: "3.1.0";
  info: { title: string; version: string; description: string; license: { name: string; identifier: string } };
  servers: { url: string }[];
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: {
    schemas: Record<string, JsonSchema>;
    headers: Record<string, OpenApiHeader>;
    securitySchemes: Record<string, Record<string, unknown>>;
  };
}

export interface OpenApiOperation {
  operationId: string;
  summary: string;
  description: string;
  security: Record<string, string[]>[];
  parameters?: OpenApiParameter[];
  requestBody?: { required: true; content: Record<string, { schema: JsonSchema; example: Readonly<Record<string, unknown>> }> };
  responses: Record<string, OpenApiResponse>;
  /** The contract's access, as data: what the tests and other tools read instead of the prose. */
  "x-access": { public: string } | { permission: Action };
}

export interface OpenApiParameter {
  name: string;
  in: "path" | "query" | "cookie";
  required: boolean;
  description?: string;
  style?: "form";
  explode?: boolean;
  schema: JsonSchema;
}

export interface OpenApiResponse {
  description: string;
  headers?: Record<string, OpenApiHeader | { $ref: string }>;
  content?: Record<string, { schema?: JsonSchema }>;
  /** Every problem code this status can carry, for tools: the description says the same in words. */
  "x-problem-codes"?: ErrorCode[];
}

export interface OpenApiHeader {
  description: string;
  required?: boolean;
  schema: JsonSchema;
}

const PROBLEM_REF = "#/components/schemas/Problem";

/**
 * RFC 9457 problem details as every error of this API is sent (./problem.ts). The same shape as
 * ProblemSchema in tests/support/response-schemas.ts, which parses every error the tests see; the
 * unit test compares the two.
 */
export const ProblemSchema = z.strictObject({
  type: z
    .string()
    .regex(/^\/problems\/[a-z-]+$/)
    .describe("`/problems/<slug>`, the error code in lower case without `ERR_`: `ERR_NOT_FOUND` is `/problems/not-found`."),
  title: z.string().describe("The code's fixed title, the same for every occurrence."),
  status: z.number().int().min(400).max(599),
  detail: z.string().optional().describe("A safe explanation of this occurrence."),
  requestId: z.string().min(1).describe("The `X-Request-ID` of the request: quote it when reporting a problem."),
  errors: z.record(z.string(), z.array(z.string())).optional().describe("On a validation problem: each invalid field's path and its messages."),
  "violated-policies": z
    .array(z.enum(TIER_NAMES))
    .min(1)
    .optional()
    .describe("On a rate-limit refusal: the tiers that refused, and nothing about whose limit it was."),
  stepUp: z
    .strictObject({ methods: z.array(z.enum(["totp", "recovery-code", "passkey", "password"])), maxAge: z.number().int() })
    .optional()
    .describe(
      "On a step-up challenge (`/problems/step-up-required`): the proofs `POST /api/auth/step-up` accepts for this account (none: sign in again), and how recent, in seconds, the proof must be.",
    ),
});

const HEADERS: Record<string, OpenApiHeader> = {
  "Retry-After": { description: "Seconds until the request may be retried.", schema: { type: "integer", minimum: 0 } },
  RateLimit: {
    description: 'What is left of each counted tier and when more arrives, e.g. `"global";r=97;t=840` (draft-ietf-httpapi-ratelimit-headers).',
    schema: { type: "string" },
  },
  "RateLimit-Policy": {
    description: 'Each counted tier\'s quota and window, e.g. `"global";q=3000;w=900` (draft-ietf-httpapi-ratelimit-headers).',
    schema: { type: "string" },
  },
  "WWW-Authenticate": { description: "The RFC 6750 bearer challenge.", schema: { type: "string" } },
};

const headerRef = (name: keyof typeof HEADERS) => ({ $ref: `#/components/headers/${name}` });

const SECURITY_SCHEMES = {
  cookie: {
    type: "apiKey",
    in: "cookie",
    name: ACCESS_COOKIE,
    description: "The access token, in the cookie that signing in sets (a browser sends it itself).",
  },
  bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "The access token, as `Authorization: Bearer <token>`." },
  clientCredentials: {
    type: "oauth2",
    description: "A service client's token, from the client-credentials grant, sent as `Authorization: Bearer <token>`.",
    flows: { clientCredentials: { tokenUrl: "/api/oauth/token", scopes: { ...SCOPES } } },
  },
} as const;

const DESCRIPTION = [
  "The API of Palisade, generated from each route handler's contract (lib/http/contract.ts).",
  "",
  "- Every error is `application/problem+json` (RFC 9457; the `Problem` schema) with a stable code, listed on each response.",
  "- Request bodies and queries are strict: an unknown field or query parameter, or a repeated one, is a 400.",
  "- Every response carries `X-Request-ID`; counted requests also carry `RateLimit` and `RateLimit-Policy`.",
  "- The edge layer can answer before the handler: rate limits (429), CSRF refusals of cross-site state changes (403, 415), oversized bodies (413), duplicate security cookies (400) and, on protected routes, a missing or invalid access token (401). Each operation lists those it can get.",
].join("\n");

/** Build the document. Operations may come in any order; the output is sorted, so it is stable. */
export function openApiDocument(operations: readonly OpenApiOperationInput[]): OpenApiDocument {
  const components = new SchemaComponents();
  const paths: Record<string, Record<string, OpenApiOperation>> = {};
  const operationIds = new Map<string, string>();
  for (const op of [...operations].sort(byPathAndMethod)) {
    const method = op.method.toUpperCase();
    const operation = buildOperation(method, op.path, op.contract, components);
    const previous = operationIds.get(operation.operationId);
    if (previous !== undefined) throw new Error(`${method} ${op.path} and ${previous} would share the operationId ${operation.operationId}`);
    operationIds.set(operation.operationId, `${method} ${op.path}`);
    const item = (paths[op.path] ??= {});
    const key = method.toLowerCase();
    if (item[key] !== undefined) throw new Error(`${method} ${op.path} is documented twice`);
    item[key] = operation;
  }
  const { value: finished, schemas } = components.finish(paths);
  return {
    openapi: "3.1.0",
    info: {
      title: "Palisade",
      version: packageJson.version,
      description: DESCRIPTION,
      license: { name: packageJson.license, identifier: packageJson.license },
    },
    servers: [{ url: "/" }],
    paths: finished,
    components: { schemas, headers: HEADERS, securitySchemes: SECURITY_SCHEMES },
  };
}

/** The committed file's exact text: two-space JSON and a final newline. */
export function renderOpenApiDocument(document: OpenApiDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

const METHOD_ORDER: readonly string[] = HTTP_METHODS;

function byPathAndMethod(a: OpenApiOperationInput, b: OpenApiOperationInput): number {
  if (a.path !== b.path) return a.path < b.path ? -1 : 1;
  return METHOD_ORDER.indexOf(a.method.toUpperCase()) - METHOD_ORDER.indexOf(b.method.toUpperCase());
}

function buildOperation(method: string, path: string, contract: Contract, components: SchemaComponents): OpenApiOperation {
  const where = `${method} ${path}`;
  const parameters: OpenApiParameter[] = [...pathParameters(path, contract, components, where), ...queryParameters(contract, components, where)];
  if (contract.cookie !== undefined) {
    parameters.push({
      name: contract.cookie,
      in: "cookie",
      required: false,
      description: "The credential this route reads instead of an access token.",
      schema: { type: "string" },
    });
  }
  const body = contract.body;
  const edge = edgeCauses(method, path);
  return {
    operationId: operationId(method, path),
    summary: contract.summary,
    description: [contract.description, accessDescription(contract.access)].filter((part) => part !== undefined).join("\n\n"),
    security: security(contract.access),
    ...(parameters.length === 0 ? {} : { parameters }),
    ...(body === undefined
      ? {}
      : {
          requestBody: {
            required: true as const,
            content: {
              [body.kind === "json" ? "application/json" : "application/x-www-form-urlencoded"]: {
                schema: components.convert(body.schema, "input"),
                example: body.example,
              },
            },
          },
        }),
    responses: responses(contract, edge, components),
    // Data only: a public route's `authenticate` check is code, and its reason says what it checks.
    "x-access": "public" in contract.access ? { public: contract.access.public } : { permission: contract.access.permission },
  };
}

/** `GET /api/notes/{id}` → `getApiNotesById`: stable for as long as the route keeps its path. */
export function operationId(method: string, path: string): string {
  const words = path
    .split("/")
    .filter((segment) => segment !== "")
    .flatMap((segment) => {
      const param = /^\{(.+)\}$/.exec(segment);
      const parts = (param?.[1] ?? segment).split(/[^A-Za-z0-9]+/).filter((part) => part !== "");
      return param === null ? parts : ["by", ...parts];
    });
  return method.toLowerCase() + words.map((word) => word[0]!.toUpperCase() + word.slice(1)).join("");
}

function accessDescription(access: Contract["access"]): string {
  if ("public" in access) return `Public (no access token): ${access.public}`;
  const rule = RULES[access.permission];
  return "scope" in rule
    ? `Requires permission \`${access.permission}\` (${rule.description}): a service client's token with the \`${rule.scope}\` scope.`
    : `Requires permission \`${access.permission}\` (${rule.description}): a signed-in ${rule.roles.join(" or ")}.`;
}

function security(access: Contract["access"]): Record<string, string[]>[] {
  if ("public" in access) return [];
  const rule = RULES[access.permission];
  return "scope" in rule ? [{ clientCredentials: [rule.scope] }] : [{ cookie: [] }, { bearer: [] }];
}

function pathParameters(path: string, contract: Contract, components: SchemaComponents, where: string): OpenApiParameter[] {
  const names = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!);
  const members =
    contract.params === undefined ? new Map<string, Member>() : objectMembers(components.convert(contract.params, "input"), components, `${where} params`);
  for (const name of members.keys()) {
    if (!names.includes(name)) throw new Error(`${where}: the contract declares a path parameter \`${name}\` the path does not have`);
  }
  // A dynamic route whose contract does not (yet) declare its params still has them: OpenAPI
  // requires every templated name to be described.
  return names.map((name) => {
    const member = members.get(name) ?? { schema: { type: "string" }, required: true };
    return parameter(name, "path", member.schema, true);
  });
}

function queryParameters(contract: Contract, components: SchemaComponents, where: string): OpenApiParameter[] {
  if (contract.query === undefined) return [];
  const schema = components.resolve(components.convert(contract.query, "input"));
  const members = objectMembers(schema, components, `${where} query`);
  const named = [...members].map(([name, member]) => parameter(name, "query", member.schema, member.required));
  if (schema.additionalProperties === undefined || schema.additionalProperties === false) return named;
  // A query the handler reads key by key (the identity broker's, which the provider chooses):
  // OpenAPI's way to say "any further parameters" is one exploded object parameter.
  const { properties: _named, required: _required, ...open } = schema;
  return [
    ...named,
    {
      name: "parameters",
      in: "query",
      required: false,
      style: "form",
      explode: true,
      description: "Further query parameters, each read by the handler itself.",
      schema: open,
    },
  ];
}

function parameter(name: string, location: "path" | "query", schema: JsonSchema, required: boolean): OpenApiParameter {
  // A catch-all's value is its segments, but on the wire it is one string with slashes in it.
  if (location === "path" && schema.type === "array") {
    return { name, in: location, required, description: "One or more path segments, separated by `/` (a catch-all route).", schema: { type: "string" } };
  }
  return {
    name,
    in: location,
    required,
    ...(typeof schema.description === "string" ? { description: schema.description } : {}),
    schema,
  };
}

interface Member {
  schema: JsonSchema;
  required: boolean;
}

/** The properties of an object schema, for parameters: a query or params schema must be one object. */
function objectMembers(schema: JsonSchema, components: SchemaComponents, where: string): Map<string, Member> {
  const object = components.resolve(schema);
  if (object.type !== "object") {
    throw new Error(`${where}: declare it as one z.object (wrapping it in a transform or pipe is fine) so each member can be documented`);
  }
  const required = new Set(object.required ?? []);
  return new Map(
    Object.entries(object.properties ?? {}).map(([name, member]) => [
      name,
      { schema: typeof member === "boolean" ? {} : member, required: required.has(name) },
    ]),
  );
}

interface EdgeCause {
  code: ErrorCode;
  why: string;
}

/** A stand-in for the configured tiers: which tiers count a route is policy; their numbers are configuration. */
const TIER_STUBS = Object.fromEntries(TIER_NAMES.map((name) => [name, { name, limit: 1, windowSeconds: 1, failMode: FAIL_MODES[name] }])) as TierPolicies;

/** What the middleware (middleware.ts) can answer for this method and path before the handler runs. */
function edgeCauses(method: string, path: string): EdgeCause[] {
  const route = classifyRoute(path.replace(/\{[^}]+\}/g, "example"));
  const tiers = [...new Set(edgeTiers({ route, method, ipKey: "ip", userId: null, refreshTokenId: null }, TIER_STUBS).map((hit) => hit.policy.name))];
  const causes: EdgeCause[] = [
    { code: "ERR_COOKIE_DUPLICATE", why: "a security cookie sent twice; every copy is cleared" },
    { code: "ERR_VALIDATION", why: "a Content-Length that is not a length, or a path that is not valid percent-encoding" },
    { code: "ERR_BODY_TOO_LARGE", why: `a declared Content-Length over ${EDGE_BODY_LIMIT_BYTES} bytes` },
    { code: "ERR_INTERNAL", why: "the edge layer failed, and refused the request rather than pass it on unchecked" },
  ];
  if (tiers.length > 0) causes.push({ code: "ERR_RATE_LIMITED", why: `the rate-limit tiers counted here: ${tiers.join(", ")}` });
  const closed = tiers.filter((tier: TierName) => FAIL_MODES[tier] === "closed");
  if (closed.length > 0) causes.push({ code: "ERR_DB_UNAVAILABLE", why: `the rate-limit store did not answer for ${closed.join(", ")}` });
  if (UNSAFE_METHODS.has(method)) {
    causes.push({
      code: "ERR_FORBIDDEN",
      why: "CSRF: a state change carrying the auth cookies from another site, an opaque or untrusted origin, or with no Origin",
    });
    if (route.api && route.body === "json")
      causes.push({ code: "ERR_UNSUPPORTED_MEDIA_TYPE", why: "CSRF: a body that is not application/json, sent with the auth cookies" });
  }
  if (method === "OPTIONS") causes.push({ code: "ERR_FORBIDDEN", why: "a CORS preflight for an origin, method or header that is not allowed" });
  if (requiresToken(route)) {
    for (const code of ["ERR_UNAUTHENTICATED", "ERR_TOKEN_INVALID", "ERR_TOKEN_EXPIRED"] as const) causes.push({ code, why: "the token gate" });
  }
  return causes;
}

function responses(contract: Contract, edge: readonly EdgeCause[], components: SchemaComponents): Record<string, OpenApiResponse> {
  const out = new Map<number, OpenApiResponse>();
  for (const [status, spec] of Object.entries(contract.responses)) {
    if (spec === undefined) continue;
    const contentType = spec.contentType ?? (spec.schema === undefined ? undefined : "application/json");
    out.set(Number(status), {
      description: spec.description,
      ...(spec.headers === undefined
        ? {}
        : { headers: Object.fromEntries(Object.entries(spec.headers).map(([name, description]) => [name, { description, schema: { type: "string" } }])) }),
      ...(contentType === undefined
        ? {}
        : { content: { [contentType]: spec.schema === undefined ? {} : { schema: components.convert(spec.schema, "output") } } }),
    });
  }

  const byStatus = new Map<number, Map<ErrorCode, string[]>>();
  const note = (code: ErrorCode, why?: string) => {
    const { status } = ERROR_CODES[code];
    const codes = byStatus.get(status) ?? new Map<ErrorCode, string[]>();
    byStatus.set(status, codes);
    const reasons = codes.get(code) ?? [];
    codes.set(code, reasons);
    if (why !== undefined) reasons.push(why);
  };
  for (const code of allowedProblems(contract)) note(code);
  for (const cause of edge) note(cause.code, `at the edge: ${cause.why}`);

  for (const [status, codes] of byStatus) {
    const sorted = [...codes.keys()].sort();
    const lines = sorted.map((code) => {
      const reasons = codes.get(code)!;
      return `${code}: ${ERROR_CODES[code].title}${reasons.length === 0 ? "" : ` (${reasons.join("; ")})`}`;
    });
    const existing = out.get(status);
    const problemContent = { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: PROBLEM_REF } } };
    const headers = problemHeaders(status, sorted);
    out.set(status, {
      // A status the handler also answers in a shape of its own (the token endpoint's RFC 6749
      // errors) is one response object: OpenAPI keys responses by status alone.
      description: existing === undefined ? lines.join("\n") : `${existing.description}\n\n${lines.join("\n")}`,
      ...(headers === undefined ? {} : { headers }),
      content: { ...existing?.content, ...problemContent },
      "x-problem-codes": sorted,
    });
  }
  return Object.fromEntries([...out].sort(([a], [b]) => a - b).map(([status, response]) => [String(status), response]));
}

function problemHeaders(status: number, codes: readonly ErrorCode[]): OpenApiResponse["headers"] {
  if (codes.includes("ERR_RATE_LIMITED")) {
    return {
      "Retry-After": { ...HEADERS["Retry-After"]!, required: true },
      RateLimit: headerRef("RateLimit"),
      "RateLimit-Policy": headerRef("RateLimit-Policy"),
    };
  }
  if (status === 503) return { "Retry-After": headerRef("Retry-After") };
  if (status === 401) return { "WWW-Authenticate": headerRef("WWW-Authenticate") };
  return undefined;
}

/**
 * `components.schemas`: the Problem schema, and every schema a contract names with zod's
 * registry (`.meta({ id: "Note" })`). zod puts a named schema in `$defs` and refers to it there;
 * in an OpenAPI document `#/$defs/...` would point at the document's root, so each definition is
 * moved here. A named schema can differ as the client sends it and as the server sends it (a
 * default, a transform): the response's version keeps the name and the request's gets `…Input`.
 * Which applies is only known once every contract is read, so references are written as
 * placeholders (`#/$io/<io>/<id>`) and resolved by `finish`.
 */
class SchemaComponents {
  private readonly named: Record<Io, Map<string, JsonSchema>> = { input: new Map(), output: new Map() };

  convert(schema: z.ZodType, io: Io): JsonSchema {
    const { $defs = {}, ...root } = withoutDialect(z.toJSONSchema(schema, { ...CONVERT, io }));
    for (const [id, definition] of Object.entries($defs)) {
      if (id.startsWith("__schema")) throw new Error(`a recursive schema needs a name: give it .meta({ id }) (found ${id})`);
      if (id === "Problem") throw new Error("the schema name Problem is taken by the problem+json schema");
      const marked = rewriteRefs(definition, (ref) => placeholder(io, ref));
      const seen = this.named[io].get(id);
      if (seen !== undefined && JSON.stringify(seen) !== JSON.stringify(marked)) throw new Error(`two different schemas are both named ${id}`);
      this.named[io].set(id, marked);
    }
    return rewriteRefs(root, (ref) => placeholder(io, ref));
  }

  /** The schema itself, when `schema` is only a reference to a named one. */
  resolve(schema: JsonSchema): JsonSchema {
    const match = schema.$ref === undefined ? null : PLACEHOLDER.exec(schema.$ref);
    return (match === null ? undefined : this.named[match[1] as Io].get(match[2]!)) ?? schema;
  }

  /** Name every schema, point every placeholder at its name, and return the sorted components with `value`. */
  finish<T>(value: T): { value: T; schemas: Record<string, JsonSchema> } {
    const names = new Map<string, string>();
    for (const io of IOS) for (const id of this.named[io].keys()) names.set(`${io}/${id}`, id);
    const resolved = (ref: string) => {
      const match = PLACEHOLDER.exec(ref);
      return match === null ? ref : `#/components/schemas/${names.get(`${match[1]}/${match[2]}`)!}`;
    };
    // Renaming one input schema can make another that refers to it differ too; repeat until stable.
    for (let changed = true; changed;) {
      changed = false;
      for (const [id, input] of this.named.input) {
        const output = this.named.output.get(id);
        if (output === undefined || names.get(`input/${id}`) !== id) continue;
        if (JSON.stringify(rewriteRefs(input, resolved)) !== JSON.stringify(rewriteRefs(output, resolved))) {
          names.set(`input/${id}`, `${id}Input`);
          changed = true;
        }
      }
    }
    const schemas = new Map<string, JsonSchema>([["Problem", withoutDialect(z.toJSONSchema(ProblemSchema, { ...CONVERT, io: "output" }))]]);
    for (const io of IOS) {
      for (const [id, schema] of this.named[io]) {
        const name = names.get(`${io}/${id}`)!;
        const rewritten = rewriteRefs(schema, resolved);
        const taken = schemas.get(name);
        if (taken !== undefined && JSON.stringify(taken) !== JSON.stringify(rewritten)) throw new Error(`two different schemas are both named ${name}`);
        schemas.set(name, rewritten);
      }
    }
    const sorted = [...schemas].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return { value: rewriteRefs(value, resolved), schemas: Object.fromEntries(sorted) };
  }
}

type Io = "input" | "output";
const IOS: readonly Io[] = ["output", "input"];
const CONVERT = { unrepresentable: "any", target: "draft-2020-12" } as const;
const PLACEHOLDER = /^#\/\$io\/(input|output)\/(.+)$/;

function placeholder(io: Io, ref: string): string {
  if (ref === "#") throw new Error("a recursive schema needs a name: give it .meta({ id })");
  const id = /^#\/\$defs\/(.+)$/.exec(ref)?.[1];
  return id === undefined ? ref : `#/$io/${io}/${id}`;
}

/** An OpenAPI 3.1 Schema Object takes its dialect from the document: no `$schema` of its own. */
function withoutDialect(schema: JsonSchema): JsonSchema {
  const { $schema: _dialect, ...rest } = schema;
  return rest;
}

/** A copy of `value` with every `$ref` string passed through `rewrite`. */
function rewriteRefs<T>(value: T, rewrite: (ref: string) => string): T {
  if (Array.isArray(value)) return value.map((item: unknown) => rewriteRefs(item, rewrite)) as T;
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, key === "$ref" && typeof item === "string" ? rewrite(item) : rewriteRefs(item, rewrite)]),
  ) as T;
}
