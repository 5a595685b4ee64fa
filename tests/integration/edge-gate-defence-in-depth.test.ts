/**
 * The token gate is not the only check (CVE-2025-29927): every route the gate protects is called
 * here directly, with the middleware bypassed entirely, and must refuse on its own. The routes
 * are read from app/ and their declared access, so a protected route added later is covered
 * without editing this file.
 */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { classifyRoute, requiresToken } from "@/lib/edge/routes";
import { provisionDatabase, useDatabase, type ProvisionedDatabase } from "../support/databases";
import { testKeyPair } from "../support/keys";

const ROOT = process.cwd();
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

type RouteHandler = (request: Request, context: { params: Promise<Record<string, unknown>> }) => Promise<Response>;

interface ProtectedRoute {
  file: string;
  path: string;
  params: Record<string, string>;
}

function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(full);
    return entry.name === "route.ts" ? [full] : [];
  });
}

function protectedRoutes(): ProtectedRoute[] {
  return routeFiles(path.join(ROOT, "app", "api")).flatMap((file) => {
    const segments = path.relative(path.join(ROOT, "app"), path.dirname(file)).split(path.sep);
    if (segments.some((segment) => segment.startsWith("[..."))) return [];
    const params: Record<string, string> = {};
    const concrete = segments.map((segment) => {
      const name = /^\[(.+)\]$/.exec(segment)?.[1];
      if (name === undefined) return segment;
      params[name] = "sample-id";
      return "sample-id";
    });
    const pathname = `/${concrete.join("/")}`;
    const declared = /export const access = "([^"]+)"/.exec(readFileSync(file, "utf8"))?.[1];
    if (declared === "public" || !requiresToken(classifyRoute(pathname))) return [];
    return [{ file: path.relative(ROOT, file), path: pathname, params }];
  });
}

const ROUTES = protectedRoutes();

describe("protected route handlers refuse on their own, with the middleware bypassed", () => {
  let database: ProvisionedDatabase;
  let forgedToken: string;

  beforeAll(async () => {
    database = await provisionDatabase("pglite");
    await useDatabase(database);
    vi.stubEnv("JWT_PRIVATE_KEY", testKeyPair("integration").privateKeyPem);
    // A well-formed token for an admin, signed with a key the app does not trust.
    const { buildKeyStore } = await import("@/lib/auth/keys");
    const { signAccessToken } = await import("@/lib/auth/tokens");
    const attacker = await buildKeyStore(testKeyPair("attacker").privateKeyPem);
    forgedToken = (await signAccessToken({ sub: "someone", role: "admin", sid: "stolen-session" }, attacker)).token;
  });

  afterAll(async () => {
    const client = await import("@/lib/db/client");
    await client.disconnectDb();
    await database.drop();
    vi.unstubAllEnvs();
  });

  it("finds the protected routes in app/api", () => {
    expect(ROUTES.map((route) => route.path)).toEqual(expect.arrayContaining(["/api/me", "/api/notes", "/api/admin/users"]));
  });

  const CALLERS: [string, Record<string, string>][] = [
    [
      "no token, and the header that skipped middleware in CVE-2025-29927",
      { "x-middleware-subrequest": "middleware:middleware:middleware:middleware:middleware" },
    ],
    ["a well-formed admin token signed with someone else's key", {}],
    ["a token in a malformed Authorization header", { authorization: "Token abc" }],
  ];

  it.each(ROUTES.map((route) => [route.path, route] as const))("%s", async (_path, route) => {
    const handlers = (await import(path.join(ROOT, route.file))) as Partial<Record<(typeof METHODS)[number], RouteHandler>>;
    const methods = METHODS.filter((method) => typeof handlers[method] === "function");
    expect(methods.length).toBeGreaterThan(0);
    for (const method of methods) {
      for (const [caller, extra] of CALLERS) {
        const headers = new Headers({ "content-type": "application/json", ...extra });
        if (caller.startsWith("a well-formed")) headers.set("authorization", `Bearer ${forgedToken}`);
        const request = new Request(`http://localhost:3000${route.path}`, { method, headers, ...(method === "GET" ? {} : { body: "{}" }) });
        const response = await (handlers[method] as RouteHandler)(request, { params: Promise.resolve(route.params) });
        expect(response.status, `${method} ${route.path} with ${caller}`).toBe(401);
        expect(response.headers.get("content-type")).toBe("application/problem+json");
      }
    }
  });
});
