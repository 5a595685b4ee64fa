import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError } from "@/lib/http/errors";
import { json, route } from "@/lib/http/handler";
import { readJson } from "@/lib/http/read-json";
import { parseInput } from "@/lib/http/validate";

const Body = z.strictObject({ title: z.string().trim().min(1).max(200) });

// A representative handler: parse, validate, answer.
const POST = route(async ({ request }) => {
  const body = parseInput(Body, await readJson(request, { limitBytes: 1024 }));
  return json({ title: body.title }, { status: 201 });
});

const THROWS = route(async () => {
  throw new Error("connect ECONNREFUSED 10.0.0.5:5432 at /srv/app/lib/secret.ts:12");
});

const noParams = { params: Promise.resolve({}) };

function post(body: BodyInit, headers: Record<string, string> = { "content-type": "application/json" }) {
  return POST(new Request("http://localhost/api/x", { method: "POST", body, headers }), noParams);
}

async function expectProblem(response: Response, status: number) {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  const requestId = response.headers.get("x-request-id");
  const body = await response.json();
  expect(body).toMatchObject({ status, requestId });
  expect(typeof body.title).toBe("string");
  expect(body.type).toMatch(/^\/problems\/[a-z-]+$/);
  return body as { errors?: Record<string, string[]>; detail?: string };
}

describe("route error mapping", () => {
  it("answers valid input with the handler's response and a request ID", async () => {
    const response = await post(JSON.stringify({ title: "  hello " }));
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ title: "hello" });
    expect(response.headers.get("x-request-id")).toBeTruthy();
  });

  it("answers a wrong content type with 415 problem+json", async () => {
    await expectProblem(await post('{"title":"a"}', { "content-type": "text/plain" }), 415);
  });

  it("answers malformed JSON with 400 problem+json", async () => {
    await expectProblem(await post('{"title":'), 400);
  });

  it("answers an oversized body with 413 problem+json", async () => {
    await expectProblem(await post(JSON.stringify({ title: "x".repeat(2000) })), 413);
  });

  it("answers deeply nested JSON with 400 problem+json", async () => {
    await expectProblem(await post("[".repeat(200) + "]".repeat(200)), 400);
  });

  it("answers a __proto__ key with 400 problem+json", async () => {
    await expectProblem(await post('{"title":"a","__proto__":{"admin":true}}'), 400);
  });

  it("answers an unexpected field with 400 and names the field", async () => {
    const body = await expectProblem(await post(JSON.stringify({ title: "a", role: "admin" })), 400);
    expect(body.errors).toEqual({ role: ["Unexpected field."] });
  });

  it("answers a failing constraint with 400 and per-field messages", async () => {
    const body = await expectProblem(await post(JSON.stringify({ title: "" })), 400);
    expect(Object.keys(body.errors ?? {})).toEqual(["title"]);
  });

  it("keeps a well-formed incoming request ID and replaces a hostile one", async () => {
    const kept = await POST(
      new Request("http://localhost/api/x", { method: "POST", body: "{", headers: { "content-type": "application/json", "x-request-id": "abc-12345678" } }),
      noParams,
    );
    expect(kept.headers.get("x-request-id")).toBe("abc-12345678");
    const replaced = await POST(
      new Request("http://localhost/api/x", {
        method: "POST",
        body: "{",
        headers: { "content-type": "application/json", "x-request-id": "evil\tinjected log line" },
      }),
      noParams,
    );
    expect(replaced.headers.get("x-request-id")).not.toContain("evil");
  });

  it("answers an unexpected error with a generic 500 that leaks no message, path or stack", async () => {
    const response = await THROWS(new Request("http://localhost/api/x"), noParams);
    const body = await expectProblem(response, 500);
    const text = JSON.stringify(body);
    expect(text).not.toMatch(/ECONNREFUSED|10\.0\.0\.5|secret\.ts|at \//);
  });

  it("answers an AppError with its own status and headers", async () => {
    const LIMITED = route(async () => {
      throw new AppError("ERR_RATE_LIMITED", { headers: { "retry-after": "30" } });
    });
    const response = await LIMITED(new Request("http://localhost/api/x"), noParams);
    await expectProblem(response, 429);
    expect(response.headers.get("retry-after")).toBe("30");
  });
});
