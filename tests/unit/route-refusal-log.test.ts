import { describe, expect, it, vi } from "vitest";
import { AppError } from "@/lib/http/errors";
import { route } from "@/lib/http/handler";

const lines = vi.hoisted(() => [] as { level: string; fields: Record<string, unknown>; msg: string }[]);

vi.mock("@/lib/log", () => {
  const record = (level: string) => (fields: Record<string, unknown>, msg: string) => lines.push({ level, fields, msg });
  return { requestLogger: () => ({ warn: record("warn"), error: record("error"), info: record("info") }) };
});

const noParams = { params: Promise.resolve({}) };

function refusing(code: "ERR_FORBIDDEN" | "ERR_UNAUTHENTICATED" | "ERR_NOT_FOUND") {
  return route(async () => {
    throw new AppError(code);
  });
}

describe("a refused caller is logged (failed authorization attempts, ASVS V16.3.2)", () => {
  it("logs a 403 from a handler's guard with its code, method and path, not only the edge's refusals", async () => {
    lines.length = 0;
    const response = await refusing("ERR_FORBIDDEN")(new Request("http://localhost/api/admin/users?page=2", { method: "GET" }), noParams);
    expect(response.status).toBe(403);
    expect(lines).toEqual([{ level: "warn", fields: { code: "ERR_FORBIDDEN", status: 403, method: "GET", path: "/api/admin/users" }, msg: "access refused" }]);
  });

  it("logs a 401 the same way", async () => {
    lines.length = 0;
    await refusing("ERR_UNAUTHENTICATED")(new Request("http://localhost/api/me", { method: "DELETE" }), noParams);
    expect(lines.map((line) => [line.level, line.fields.status, line.msg])).toEqual([["warn", 401, "access refused"]]);
  });

  it("does not log ordinary client errors as refusals", async () => {
    lines.length = 0;
    await refusing("ERR_NOT_FOUND")(new Request("http://localhost/api/notes/x"), noParams);
    expect(lines).toEqual([]);
  });
});
