import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable, isUniqueViolation } from "@/lib/db/errors";

describe("isDatabaseUnavailable", () => {
  it("recognises a driver adapter's 'database not reachable' error inside a Prisma error", () => {
    const error = Object.assign(new Error("Raw query failed"), {
      name: "PrismaClientKnownRequestError",
      code: "P2010",
      meta: { driverAdapterError: { name: "DriverAdapterError", cause: { kind: "DatabaseNotReachable", host: "127.0.0.1", port: 1 } } },
    });
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it("recognises Node socket errors anywhere in the cause chain", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
    expect(isDatabaseUnavailable(new Error("wrapped", { cause: refused }))).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([refused], "all addresses failed"))).toBe(true);
  });

  it("does not mistake a constraint violation or a plain bug for an outage", () => {
    expect(isDatabaseUnavailable(Object.assign(new Error("Unique constraint failed"), { code: "P2002" }))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError("x is undefined"))).toBe(false);
    expect(isDatabaseUnavailable("a string")).toBe(false);
  });

  it("treats a transaction that could not get a pooled connection in time (P2028) as an outage, not other P2028 misuse", () => {
    const exhausted = Object.assign(new Error("Transaction API error: Unable to start a transaction in the given time."), {
      name: "PrismaClientKnownRequestError",
      code: "P2028",
    });
    const closed = Object.assign(new Error("Transaction API error: Transaction already closed"), { name: "PrismaClientKnownRequestError", code: "P2028" });
    expect(isDatabaseUnavailable(exhausted)).toBe(true);
    expect(isDatabaseUnavailable(closed)).toBe(false);
  });

  it("stops on a cause cycle", () => {
    const a: { cause?: unknown } = {};
    a.cause = a;
    expect(isDatabaseUnavailable(a)).toBe(false);
  });
});

describe("isUniqueViolation", () => {
  it("recognises Prisma's P2002 and a driver adapter's raw SQLSTATE 23505", () => {
    expect(isUniqueViolation(Object.assign(new Error("x"), { code: "P2002" }))).toBe(true);
    const adapterError = Object.assign(new Error("x"), { name: "DriverAdapterError", cause: { kind: "postgres", code: "23505" } });
    expect(isUniqueViolation(adapterError)).toBe(true);
    expect(isUniqueViolation(Object.assign(new Error("x"), { code: "P2025" }))).toBe(false);
  });
});
