/**
 * What `endpoint(contract, handler)` enforces on every route (lib/http/endpoint.ts), proved on
 * small handlers of its own: each property here is one a route would otherwise have to remember.
 * - The guard comes first: a caller who may not be here is refused before the query or body is
 *   read, so a malformed request tells an anonymous caller nothing about what the route accepts.
 * - The query is refused unless declared; parameters and bodies are parsed strictly.
 * - Outside production, a handler cannot answer what its contract does not declare: an unlisted
 *   status, an unlisted problem code or a body its schema refuses is a 500, so a test that
 *   exercises the route also proves its documentation.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError } from "@/lib/http/errors";
import { endpoint } from "@/lib/http/endpoint";
import { json } from "@/lib/http/handler";
import { problemResponse } from "@/lib/http/problem";

const Title = z.strictObject({ title: z.string().min(1).max(20) });
const noParams = { params: Promise.resolve({}) };

function send(handler: (request: Request, context: typeof noParams) => Promise<Response>, path: string, init: RequestInit = {}) {
  return handler(new Request(`http://localhost${path}`, init), noParams);
}

async function problemOf(response: Response): Promise<{ status: number; type: string }> {
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  const body = (await response.json()) as { status: number; type: string };
  return { status: body.status, type: body.type };
}

const GUARDED = endpoint(
  {
    summary: "a guarded write",
    access: { permission: "note:create" },
    body: { kind: "json", schema: Title, example: { title: "Groceries" } },
    responses: { 201: { description: "made", schema: Title } },
  },
  async ({ body }) => json(body, { status: 201 }),
);

const PUBLIC = endpoint(
  {
    summary: "a public write",
    access: { public: "a test route" },
    database: false,
    body: { kind: "json", schema: Title, example: { title: "Groceries" } },
    responses: { 201: { description: "made", schema: Title } },
  },
  async ({ body }) => json(body, { status: 201 }),
);

describe("the guard runs before the request is read", () => {
  it("refuses an anonymous caller with 401 even when the body is malformed, without parsing it", async () => {
    const response = await send(GUARDED, "/x?unexpected=1", { method: "POST", body: "{not json", headers: { "content-type": "application/json" } });
    expect(await problemOf(response)).toEqual({ status: 401, type: "/problems/unauthenticated" });
  });

  it("runs a public route's own check first too: a refused secret is a 401, not a 400 for the query", async () => {
    const SECRET = endpoint(
      {
        summary: "a secret-authenticated read",
        access: {
          public: "a shared secret",
          authenticate: () => {
            throw new AppError("ERR_UNAUTHENTICATED");
          },
        },
        database: false,
        responses: { 200: { description: "ok" } },
        problems: ["ERR_UNAUTHENTICATED"],
      },
      async () => new Response(null, { status: 200 }),
    );
    expect((await problemOf(await send(SECRET, "/x?unexpected=1"))).status).toBe(401);
  });
});

describe("inputs are parsed by the contract's schemas", () => {
  it("refuses any query parameter on a route that declares no query", async () => {
    const response = await send(PUBLIC, "/x?title=injected", {
      method: "POST",
      body: JSON.stringify({ title: "ok" }),
      headers: { "content-type": "application/json" },
    });
    expect(await problemOf(response)).toEqual({ status: 400, type: "/problems/validation" });
  });

  it("refuses an unexpected body field (mass assignment) with 400", async () => {
    const response = await send(PUBLIC, "/x", {
      method: "POST",
      body: JSON.stringify({ title: "ok", role: "admin" }),
      headers: { "content-type": "application/json" },
    });
    expect(await problemOf(response)).toEqual({ status: 400, type: "/problems/validation" });
  });

  it("refuses, when the route is defined, a body example its own schema would refuse", () => {
    const define = () =>
      endpoint(
        {
          summary: "an example that lies",
          access: { public: "a test route" },
          database: false,
          body: { kind: "json", schema: Title, example: { title: "far too long for a twenty-character title" } },
          responses: { 201: { description: "made" } },
        },
        async () => new Response(null, { status: 201 }),
      );
    expect(define).toThrow(/an example that lies: the contract's body example does not fit its schema/);
  });

  it("hands the handler the parsed body", async () => {
    const response = await send(PUBLIC, "/x", { method: "POST", body: JSON.stringify({ title: "ok" }), headers: { "content-type": "application/json" } });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ title: "ok" });
  });
});

describe("a response the contract does not declare is a 500 outside production", () => {
  const answering = (answer: () => Promise<Response>) =>
    endpoint(
      {
        summary: "a read",
        access: { public: "a test route" },
        database: false,
        responses: { 200: { description: "the title", schema: Title } },
        problems: ["ERR_NOT_FOUND"],
      },
      answer,
    );
  /** The status of the problem the wrapper answers for a handler that answers `answer`. */
  const problemStatus = async (answer: () => Promise<Response>) => (await problemOf(await send(answering(answer), "/x"))).status;

  it("an undeclared status", async () => {
    expect(await problemStatus(async () => json({ title: "made" }, { status: 201 }))).toBe(500);
  });

  it("a body its schema refuses, such as an extra field", async () => {
    expect(await problemStatus(async () => json({ title: "ok", ownerId: "u1" }))).toBe(500);
  });

  it("a problem code it does not list, thrown or answered", async () => {
    expect(await problemStatus(async () => Promise.reject(new AppError("ERR_CONFLICT")))).toBe(500);
    expect(await problemStatus(async () => problemResponse(new AppError("ERR_CONFLICT"), "answered"))).toBe(500);
  });

  it("a header it documents but does not send", async () => {
    const locating = endpoint(
      {
        summary: "a create",
        access: { public: "a test route" },
        database: false,
        responses: { 201: { description: "made", schema: Title, headers: { Location: "where it is" } } },
      },
      async () => json({ title: "ok" }, { status: 201 }),
    );
    expect((await problemOf(await send(locating, "/x"))).status).toBe(500);
  });

  it("while a declared problem and a declared body pass through", async () => {
    expect(await problemStatus(async () => Promise.reject(new AppError("ERR_NOT_FOUND")))).toBe(404);
    expect(await problemStatus(async () => problemResponse(new AppError("ERR_NOT_FOUND"), "answered"))).toBe(404);
    const declared = await send(
      answering(async () => json({ title: "ok" })),
      "/x",
    );
    expect(declared.status).toBe(200);
  });
});
