/**
 * The public-route table (lib/edge/routes.ts) against the routes that exist: every route handler
 * declares `export const access = "public" | "user" | "admin" | "service:…"`, and the gate must
 * agree with each one. A new public handler missing from the table would be refused at the edge
 * (a visible bug); a table entry for a protected handler would let unauthenticated requests reach
 * it (an invisible one). Both fail here.
 */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { classifyRoute, PUBLIC_ROUTES, requiresToken } from "@/lib/edge/routes";

const ROOT = process.cwd();

interface DeclaredRoute {
  file: string;
  /** A concrete request path for the route: dynamic segments filled with a sample value. */
  path: string;
  access: string;
  catchAll: boolean;
}

function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(full);
    return /^route\.(ts|tsx)$/.test(entry.name) ? [full] : [];
  });
}

function declaredRoutes(): DeclaredRoute[] {
  return routeFiles(path.join(ROOT, "app")).map((file) => {
    const segments = path
      .relative(path.join(ROOT, "app"), path.dirname(file))
      .split(path.sep)
      .filter((segment) => !/^\(.*\)$/.test(segment));
    const access = /export const access = "([^"]+)"/.exec(readFileSync(file, "utf8"))?.[1] ?? "(undeclared)";
    return {
      file: path.relative(ROOT, file),
      path: `/${segments.map((segment) => (/^\[\.\.\./.test(segment) ? "catch-all" : /^\[/.test(segment) ? "sample-id" : segment)).join("/")}`,
      access,
      catchAll: segments.some((segment) => segment.startsWith("[...")),
    };
  });
}

describe("the public-route table agrees with every route handler's declared access", () => {
  const routes = declaredRoutes();

  it("finds the app's route handlers, each with a declared access level", () => {
    expect(routes.length).toBeGreaterThan(10);
    expect(routes.filter((route) => route.access === "(undeclared)").map((route) => route.file)).toEqual([]);
  });

  it.each(routes.filter((route) => !route.catchAll).map((route) => [route.path, route.access] as const))(
    "%s (access: %s)",
    (pathname, access) => {
      const route = classifyRoute(pathname);
      if (access === "public") expect(route.public, `${pathname} is public but the gate would refuse it`).toBe(true);
      else expect(requiresToken(route) || !route.api, `${pathname} needs a token but the table lists it as public`).toBe(true);
    },
  );

  it("lists under /api/auth only the identity broker's endpoints beside the static auth routes", () => {
    const staticAuthRoutes = new Set(routes.filter((route) => !route.catchAll && route.path.startsWith("/api/auth/")).map((route) => route.path));
    const brokerEntries = PUBLIC_ROUTES.filter((route) => route.path.startsWith("/api/auth/") && !staticAuthRoutes.has(route.path)).map((route) => route.path);
    expect(brokerEntries).toEqual(["/api/auth/csrf", "/api/auth/signin", "/api/auth/signin/[provider]", "/api/auth/callback/[provider]", "/api/auth/error"]);
    // The broker is served by one public catch-all handler.
    expect(routes.find((route) => route.catchAll && route.path.startsWith("/api/auth/"))?.access).toBe("public");
  });
});

describe("paths the router cannot decode", () => {
  it("marks a segment that is not valid percent-encoding, which the router would answer with a bare 500", () => {
    for (const pathname of ["/notes/%E0%A4%A", "/api/notes/%", "/%zz"]) expect(classifyRoute(pathname).undecodable, pathname).toBe(true);
    for (const pathname of ["/api/notes/abc", "/api/auth%2Flogin", "/notes/%F0%9F%98%80"]) expect(classifyRoute(pathname).undecodable, pathname).toBe(false);
  });
});
