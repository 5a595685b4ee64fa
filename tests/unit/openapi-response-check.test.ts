/**
 * The check every integration test's responses go through (tests/support/openapi-responses.ts)
 * must be able to fail: a response the OpenAPI document does not describe is refused, whether the
 * status, the content type or the body is what it leaves out.
 */
import { describe, expect, it } from "vitest";
import { GET as health } from "@/app/api/health/route";
import { assertDocumented } from "../support/openapi-responses";

const jsonResponse = (body: unknown, status = 200, type = "application/json") =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": type } });

describe("responses are held to the OpenAPI document", () => {
  it("accepts the documented answer", async () => {
    await expect(assertDocumented(health, jsonResponse({ status: "ok", db: "ok" }))).resolves.toBeUndefined();
  });

  it("refuses a field the document does not list", async () => {
    await expect(assertDocumented(health, jsonResponse({ status: "ok", db: "ok", version: "1.2.3" }))).rejects.toThrow(/does not match the document/);
  });

  it("refuses a status the document does not list", async () => {
    await expect(assertDocumented(health, jsonResponse({ status: "ok", db: "ok" }, 202))).rejects.toThrow(/lists no such response/);
  });

  it("refuses a content type the document does not name", async () => {
    await expect(assertDocumented(health, jsonResponse({ status: "ok", db: "ok" }, 200, "text/html"))).rejects.toThrow(/is not among/);
  });

  it("refuses a problem whose body is not problem+json's shape", async () => {
    await expect(assertDocumented(health, jsonResponse({ message: "down" }, 503, "application/problem+json"))).rejects.toThrow(/does not match the document/);
  });
});
