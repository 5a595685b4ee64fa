import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds, provisionDatabase, useDatabase, type ProvisionedDatabase } from "../support/databases";

const noParams = { params: Promise.resolve({}) };

describe.each(databaseKinds())("GET /api/health on %s", (kind) => {
  let database: ProvisionedDatabase;

  beforeAll(async () => {
    database = await provisionDatabase(kind);
    await useDatabase(database);
  });

  afterAll(async () => {
    const client = await import("@/lib/db/client");
    await client.disconnectDb();
    await database.drop();
  });

  it("answers 200 with a real database round trip and a request ID", async () => {
    const { GET } = await import("@/app/api/health/route");
    const response = await GET(new Request("http://localhost/api/health"), noParams);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", db: "ok" });
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get("cache-control")).toBe("no-store");
  });
});

describe("GET /api/health with the database down", () => {
  beforeAll(async () => {
    // Port 1 on loopback: nothing listens, so the connection is refused at once.
    await useDatabase({ kind: "postgres", env: { DATABASE_URL: "postgres://postgres@127.0.0.1:1/palisade" }, drop: async () => undefined });
  });

  afterAll(async () => {
    const client = await import("@/lib/db/client");
    await client.disconnectDb();
  });

  it("answers 503 problem+json with Retry-After, not a 500 or a hang", async () => {
    const { GET } = await import("@/app/api/health/route");
    const response = await GET(new Request("http://localhost/api/health", { headers: { "x-request-id": "trace-12345678" } }), noParams);
    expect(response.status).toBe(503);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.headers.get("retry-after")).toBe("5");
    const body = await response.json();
    expect(body).toMatchObject({ status: 503, title: "Service temporarily unavailable", requestId: "trace-12345678" });
    expect(JSON.stringify(body)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|prisma|stack/i);
  });
});
