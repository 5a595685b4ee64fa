import { describe, expect, it } from "vitest";
import { isWellFormedRequestId, requestIdFrom } from "@/lib/shared/request-id";

describe("request IDs", () => {
  it.each(["0f8c2d1e-1111-4222-8333-444455556666", "01HZX3J7Q4W8Y2K5N6M9P0R1S2", "trace.id_123-abc"])("keeps a well-formed incoming ID: %s", (id) => {
    expect(requestIdFrom(new Headers({ "x-request-id": id }))).toBe(id);
  });

  it.each([
    ["a tab and a JSON fragment (log forging)", 'abc12345\t{"level":60}'],
    ["spaces", "abc 12345 678"],
    ["an over-long value", "a".repeat(65)],
    ["a too-short value", "abc"],
    ["HTML", "<script>alert(1)</script>"],
  ])("replaces an incoming ID with %s", (_name, id) => {
    const result = requestIdFrom(new Headers({ "x-request-id": id }));
    expect(result).not.toBe(id);
    expect(isWellFormedRequestId(result)).toBe(true);
  });

  it("generates a fresh, unique ID when none is sent", () => {
    const a = requestIdFrom(new Headers());
    const b = requestIdFrom(new Headers());
    expect(a).toMatch(/^[0-9a-f-]{36}$/);
    expect(a).not.toBe(b);
  });
});
