import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError } from "@/lib/http/errors";
import { fieldErrors, parseInput, queryObject } from "@/lib/http/validate";

const Schema = z.strictObject({ email: z.email(), name: z.string().min(1) });

describe("parseInput", () => {
  it("returns the typed value for valid input", () => {
    expect(parseInput(Schema, { email: "a@example.com", name: "A" })).toEqual({ email: "a@example.com", name: "A" });
  });

  it("rejects an unexpected field such as role (mass assignment) with a message on that field", () => {
    try {
      parseInput(Schema, { email: "a@example.com", name: "A", role: "admin" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      const appError = error as AppError;
      expect(appError.status).toBe(400);
      expect(appError.errors).toEqual({ role: ["Unexpected field."] });
    }
  });

  it("reports every invalid field at once", () => {
    const result = Schema.safeParse({ email: "nope", name: "" });
    expect(result.success).toBe(false);
    if (!result.success) expect(Object.keys(fieldErrors(result.error)).sort()).toEqual(["email", "name"]);
  });

  it("names the root when the input is not an object", () => {
    const result = Schema.safeParse("a string");
    if (!result.success) expect(Object.keys(fieldErrors(result.error))).toEqual(["(root)"]);
  });
});

describe("queryObject", () => {
  it("turns a query string into an object", () => {
    expect(queryObject(new URL("http://x/?page=2&limit=10"))).toEqual({ page: "2", limit: "10" });
  });

  it("rejects a repeated parameter (HTTP parameter pollution)", () => {
    expect(() => queryObject(new URL("http://x/?limit=10&limit=1000"))).toThrow(AppError);
  });

  it("keeps a __proto__ parameter as a plain own property", () => {
    const query = queryObject(new URL("http://x/?__proto__=1"));
    expect(Object.getPrototypeOf(query)).toBe(Object.prototype);
    expect(Object.hasOwn(query, "__proto__")).toBe(true);
  });
});
