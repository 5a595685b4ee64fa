import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { isAppError } from "@/lib/http/errors";
import { assertNoQuery, integerParam, pagedQuery, parseQuery } from "@/lib/http/query";

const Query = pagedQuery({ sorts: { created_at: "desc", title: "asc" }, defaultSort: "created_at", filters: { tag: z.string().max(10).optional() } });

function parse(search: string) {
  return parseQuery(Query, `http://localhost/api/x${search}`);
}

function refused(search: string): boolean {
  try {
    parse(search);
    return false;
  } catch (error) {
    if (isAppError(error) && error.status === 400) return true;
    throw error;
  }
}

describe("paged list queries", () => {
  it("defaults to page 1, 20 a page, the default sort in its natural order", () => {
    expect(parse("")).toEqual({ page: 1, limit: 20, sort: "created_at", order: "desc" });
    expect(parse("?sort=title")).toMatchObject({ sort: "title", order: "asc" });
    expect(parse("?sort=title&order=desc&page=3&limit=100&tag=x")).toEqual({ page: 3, limit: 100, sort: "title", order: "desc", tag: "x" });
  });

  it.each(["1e2", "10.5", "0x10", "+5", " 5", "5 ", "05", "-1", "0", "101", "", "1_0", "٣", "Infinity", "NaN"])(
    "refuses limit=%s (type juggling and range)",
    (value) => {
      expect(refused(`?limit=${encodeURIComponent(value)}`)).toBe(true);
    },
  );

  it.each(["?limit=1&limit=2", "?limit[]=1", "?sort=password", "?order=up", "?unknown=1"])("refuses %s", (search) => {
    expect(refused(search)).toBe(true);
  });

  // Regression: lib/http/validate.ts built its field errors in a plain object, so these names
  // resolved to Object.prototype members and the 400 became a 500.
  it.each(["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"])("answers ?%s=1 with a 400 naming the field, not a 500", (name) => {
    try {
      parse(`?${name}=1`);
      expect.unreachable();
    } catch (error) {
      expect(isAppError(error) && error.status).toBe(400);
      expect(isAppError(error) && Object.hasOwn(error.errors ?? {}, name)).toBe(true);
      expect(JSON.stringify(isAppError(error) ? error.errors : null)).toContain(`"${name}":["Unexpected field."]`);
    }
  });

  it("accepts exactly the canonical decimal integers in range, for any string a client could send", () => {
    const param = integerParam(1, 100);
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.integer({ min: -1000, max: 1000 }).map(String)), (value) => {
        const canonical = /^[1-9][0-9]*$/.test(value) && Number(value) <= 100;
        expect(param.safeParse(value).success).toBe(canonical);
      }),
    );
  });

  it("assertNoQuery refuses any parameter at all", () => {
    expect(() => assertNoQuery("http://localhost/api/notes")).not.toThrow();
    expect(() => assertNoQuery("http://localhost/api/notes?x=1")).toThrow();
    expect(() => assertNoQuery("http://localhost/api/notes?")).not.toThrow();
  });
});
