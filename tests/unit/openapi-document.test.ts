/**
 * docs/openapi.json is a valid OpenAPI 3.1 document, is exactly what the route contracts produce
 * (lib/http/openapi.ts; `npm run openapi` regenerates it), and leaves nothing undocumented: every
 * operation states its security, every problem its handler may answer, and every answer the edge
 * layer can give it before the handler runs.
 *
 * The route handlers are found by importing every app/**\/route.ts (lib/http/discover-routes.ts),
 * so a new route is covered without being listed here.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import SwaggerParser from "@apidevtools/swagger-parser";
import type { OpenAPI } from "openapi-types";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { RULES } from "@/lib/authz/policy";
import { SCOPES } from "@/lib/authz/scopes";
import { ACCESS_COOKIE } from "@/lib/auth/cookie-names";
import { allowedProblems, type Contract } from "@/lib/http/contract";
import { openApiPath, routeOperations, type RouteOperations } from "@/lib/http/discover-routes";
import { ERROR_CODES, type ErrorCode } from "@/lib/http/errors";
import { openApiDocument, operationId, renderOpenApiDocument, type OpenApiDocument, type OpenApiOperation } from "@/lib/http/openapi";
import { ProblemSchema } from "../support/response-schemas";

const FILE = path.resolve(import.meta.dirname, "../../docs/openapi.json");
const committedText = readFileSync(FILE, "utf8");
const committed = JSON.parse(committedText) as OpenApiDocument;

let operations: RouteOperations;

beforeAll(async () => {
  operations = await routeOperations();
}, 60_000);

/** The document's operation for a discovered handler. */
function documented(doc: OpenApiDocument, op: { method: string; path: string }): OpenApiOperation {
  const operation = doc.paths[op.path]?.[op.method.toLowerCase()];
  if (operation === undefined) throw new Error(`${op.method} ${op.path} is not in docs/openapi.json: run \`npm run openapi\``);
  return operation;
}

const validate = (doc: unknown) => SwaggerParser.validate(structuredClone(doc) as OpenAPI.Document);

/** A schema's JSON without its prose, to compare shapes. */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shapeOf);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== "description")
      .map(([key, item]) => [key, shapeOf(item)]),
  );
}

describe("docs/openapi.json", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    expect(committed.openapi).toBe("3.1.0");
    await expect(validate(committed)).resolves.toBeDefined();
  });

  it("is what the route contracts produce (run `npm run openapi` after changing one)", () => {
    const rendered = renderOpenApiDocument(openApiDocument(operations));
    // The parsed comparison gives a readable diff; the text one also holds the formatting.
    expect(committed).toEqual(JSON.parse(rendered));
    expect(committedText === rendered, "docs/openapi.json differs in formatting: run `npm run openapi`").toBe(true);
  });

  it("documents every route handler, each with a contract", () => {
    expect(operations.length).toBeGreaterThan(0);
    expect(operations.uncovered, "handlers not made by endpoint(): they have no contract to document").toEqual([]);
    const listed = Object.entries(committed.paths).flatMap(([p, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${p}`));
    expect(listed.sort()).toEqual(operations.map((op) => `${op.method} ${op.path}`).sort());
  });

  it("gives each operation a unique, stable operationId", () => {
    const ids = operations.map((op) => documented(committed, op).operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const op of operations) expect(documented(committed, op).operationId).toBe(operationId(op.method, op.path));
  });

  // swagger-parser checks these for Swagger 2.0 only.
  it("describes every path parameter the path has, and no other", () => {
    for (const op of operations) {
      const inPath = [...op.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]).sort();
      const described = (documented(committed, op).parameters ?? [])
        .filter((p) => p.in === "path")
        .map((p) => p.name)
        .sort();
      expect(described, `${op.method} ${op.path}`).toEqual(inPath);
    }
  });

  it("states every operation's security, as its contract's access says", () => {
    const schemes = committed.components.securitySchemes;
    expect(schemes.cookie).toMatchObject({ type: "apiKey", in: "cookie", name: ACCESS_COOKIE });
    expect(schemes.bearer).toMatchObject({ type: "http", scheme: "bearer", bearerFormat: "JWT" });
    expect(schemes.clientCredentials).toMatchObject({ type: "oauth2", flows: { clientCredentials: { tokenUrl: "/api/oauth/token", scopes: SCOPES } } });
    for (const op of operations) {
      const operation = documented(committed, op);
      const key = `${op.method} ${op.path}`;
      expect(operation.security, key).toBeDefined();
      const access = op.contract.access;
      expect(operation["x-access"], key).toEqual("public" in access ? { public: access.public } : { permission: access.permission });
      if ("public" in access) {
        expect(operation.security, key).toEqual([]);
        expect(operation.description, key).toContain(access.public);
        continue;
      }
      const rule = RULES[access.permission];
      expect(operation.security, key).toEqual("scope" in rule ? [{ clientCredentials: [rule.scope] }] : [{ cookie: [] }, { bearer: [] }]);
      expect(operation.description, key).toContain(access.permission);
    }
  });

  it("documents each success response the contract declares", () => {
    for (const op of operations) {
      const responses = documented(committed, op).responses;
      for (const [status, spec] of Object.entries(op.contract.responses)) {
        const key = `${op.method} ${op.path} ${status}`;
        expect(responses[status]?.description, key).toContain(spec!.description);
        const types = Object.keys(responses[status]?.content ?? {}).filter((type) => type !== "application/problem+json");
        expect(types, key).toEqual(spec!.contentType !== undefined ? [spec!.contentType] : spec!.schema !== undefined ? ["application/json"] : []);
      }
    }
  });

  it("documents every problem each handler may answer, as problem+json under its status", () => {
    for (const op of operations) {
      const responses = documented(committed, op).responses;
      for (const code of allowedProblems(op.contract)) expectProblem(responses, code, `${op.method} ${op.path}`);
    }
  });

  it("documents what the edge layer answers before any handler runs", () => {
    for (const op of operations) {
      const key = `${op.method} ${op.path}`;
      const responses = documented(committed, op).responses;
      for (const code of ["ERR_RATE_LIMITED", "ERR_COOKIE_DUPLICATE", "ERR_BODY_TOO_LARGE", "ERR_INTERNAL"] as const) expectProblem(responses, code, key);
      expect(responses["429"]?.headers?.["Retry-After"], `${key}: 429 without Retry-After`).toMatchObject({ required: true });
      if (["POST", "PUT", "PATCH", "DELETE"].includes(op.method)) expectProblem(responses, "ERR_FORBIDDEN", `${key} (CSRF)`);
      // The token gate answers every protected route, before the handler's own guard does.
      if ("permission" in op.contract.access) {
        for (const code of ["ERR_UNAUTHENTICATED", "ERR_TOKEN_INVALID", "ERR_TOKEN_EXPIRED"] as const) expectProblem(responses, code, key);
      }
    }
  });

  it("has a Problem schema of the shape every error is sent in (tests/support/response-schemas.ts)", () => {
    const expected = z.toJSONSchema(ProblemSchema, { io: "output", unrepresentable: "any", target: "draft-2020-12" });
    const { $schema: _dialect, ...shape } = expected;
    expect(shapeOf(committed.components.schemas.Problem)).toEqual(shapeOf(shape));
  });

  it("holds no secret: no key, and no password or client secret outside the made-up request examples", () => {
    expect(committedText).not.toMatch(/-----BEGIN|PRIVATE KEY/);
    // A request example shows what a caller sends, a password field included; nothing else may carry a value for one.
    const withoutExamples = JSON.stringify(committed, (key, value: unknown) => (key === "example" ? undefined : value));
    expect(withoutExamples).not.toMatch(/"(password|client_secret|secret)"\s*:\s*"[^"]/i);
    expect(committed.servers).toEqual([{ url: "/" }]);
  });
});

function expectProblem(responses: OpenApiOperation["responses"], code: ErrorCode, key: string): void {
  const { status, title } = ERROR_CODES[code];
  const response = responses[String(status)];
  expect(response, `${key}: no ${status} response for ${code}`).toBeDefined();
  expect(response!["x-problem-codes"], `${key} ${status}`).toContain(code);
  expect(response!.description, `${key} ${status}`).toContain(`${code}: ${title}`);
  expect(response!.content?.["application/problem+json"], `${key} ${status}`).toEqual({ schema: { $ref: "#/components/schemas/Problem" } });
}

describe("route discovery", () => {
  it.each([
    ["app/api/notes/route.ts", "/api/notes"],
    ["app/api/notes/[id]/route.ts", "/api/notes/{id}"],
    ["app/api/auth/[...nextauth]/route.ts", "/api/auth/{nextauth}"],
    ["app/docs/[[...slug]]/route.ts", "/docs/{slug}"],
    ["app/(admin)/api/admin/users/route.ts", "/api/admin/users"],
    ["app/.well-known/jwks.json/route.ts", "/.well-known/jwks.json"],
    ["app/route.ts", "/"],
  ])("%s is served at %s", (module, expected) => {
    expect(openApiPath(module)).toBe(expected);
  });

  it("names each handler's module, repository-relative", () => {
    for (const op of operations) {
      expect(op.module).toMatch(/^app\/.+\/route\.ts$/);
      expect(openApiPath(op.module)).toBe(op.path);
    }
  });
});

describe("openApiDocument", () => {
  const Thing = z.strictObject({ name: z.string(), size: z.number().int().default(1) }).meta({ id: "OpenApiTestThing" });
  const contract = (overrides: Partial<Contract>): Contract => ({
    summary: "A test operation",
    access: { public: "a test" },
    responses: { 200: { description: "The thing", schema: Thing } },
    ...overrides,
  });

  it("puts a named schema in components, with the request's version named apart when it differs", async () => {
    const doc = openApiDocument([
      { method: "GET", path: "/api/things/{id}", contract: contract({ params: z.strictObject({ id: z.string() }) }) },
      {
        method: "POST",
        path: "/api/things",
        contract: contract({ access: { permission: "note:create" }, body: { kind: "json", schema: Thing, example: { name: "spoon" } } }),
      },
    ]);
    // A default makes `size` optional to send but always present in a response.
    expect(doc.components.schemas.OpenApiTestThing).toMatchObject({ required: ["name", "size"] });
    expect(doc.components.schemas.OpenApiTestThingInput).toMatchObject({ required: ["name"] });
    expect(doc.paths["/api/things"]?.post?.requestBody?.content["application/json"]?.schema).toEqual({ $ref: "#/components/schemas/OpenApiTestThingInput" });
    expect(doc.paths["/api/things"]?.post?.requestBody?.content["application/json"]?.example).toEqual({ name: "spoon" });
    expect(JSON.stringify(doc)).not.toContain("$defs");
    await expect(validate(doc)).resolves.toBeDefined();
  });

  it("sends a form body as a form, a scoped permission through the client-credentials flow, and sorts paths", () => {
    const doc = openApiDocument([
      { method: "POST", path: "/b", contract: contract({ body: { kind: "form", schema: z.strictObject({ a: z.string() }), example: { a: "b" } } }) },
      { method: "GET", path: "/a", contract: contract({ access: { permission: "report:read" } }) },
    ]);
    expect(Object.keys(doc.paths)).toEqual(["/a", "/b"]);
    expect(Object.keys(doc.paths["/b"]?.post?.requestBody?.content ?? {})).toEqual(["application/x-www-form-urlencoded"]);
    expect(doc.paths["/a"]?.get?.security).toEqual([{ clientCredentials: ["reports:read"] }]);
  });

  it("describes a templated path parameter the contract does not declare, and refuses one the path does not have", () => {
    const doc = openApiDocument([{ method: "GET", path: "/x/{id}", contract: contract({}) }]);
    expect(doc.paths["/x/{id}"]?.get?.parameters).toEqual([{ name: "id", in: "path", required: true, schema: { type: "string" } }]);
    expect(() => openApiDocument([{ method: "GET", path: "/x", contract: contract({ params: z.strictObject({ id: z.string() }) }) }])).toThrow(/does not have/);
  });
});
