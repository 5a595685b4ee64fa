/**
 * The public-route table (lib/edge/routes.ts) against the routes that exist: every route handler's
 * contract declares its access (lib/http/contract.ts), and the gate must agree with each one. A
 * new public handler missing from the table would be refused at the edge (a visible bug); a table
 * entry for a protected handler would let unauthenticated requests reach it (an invisible one).
 * Both fail here.
 */
import { describe, expect, it } from "vitest";
import { accessLevel } from "@/lib/authz/route-access";
import { routeOperations } from "@/lib/http/discover-routes";
import { classifyRoute, PUBLIC_ROUTES, requiresToken } from "@/lib/edge/routes";

interface DeclaredRoute {
  file: string;
  /** A concrete request path for the route: dynamic segments filled with a sample value. */
  path: string;
  access: string;
  catchAll: boolean;
}

async function declaredRoutes(): Promise<DeclaredRoute[]> {
  const operations = await routeOperations();
  const byModule = new Map<string, DeclaredRoute>();
  for (const operation of operations) {
    const catchAll = operation.module.includes("[...");
    const level = accessLevel(operation.contract);
    const known = byModule.get(operation.module);
    // A module with a public and a guarded method would have two answers at one path: "mixed" fails below.
    if (known !== undefined && known.access !== level) known.access = "mixed";
    if (known !== undefined) continue;
    byModule.set(operation.module, {
      file: operation.module,
      path: operation.path.replace(/\{[^}]+\}/g, catchAll ? "catch-all" : "sample-id"),
      access: level,
      catchAll,
    });
  }
  return [...byModule.values()];
}

const routes = await declaredRoutes();

describe("the public-route table agrees with every route handler's declared access", () => {
  it("finds the app's route handlers, each with a declared access level", () => {
    expect(routes.length).toBeGreaterThan(10);
    expect(routes.filter((route) => route.access === "mixed").map((route) => route.file)).toEqual([]);
  });

  it.each(routes.filter((route) => !route.catchAll).map((route) => [route.path, route.access] as const))("%s (access: %s)", (pathname, access) => {
    const route = classifyRoute(pathname);
    if (access === "public") expect(route.public, `${pathname} is public but the gate would refuse it`).toBe(true);
    else expect(requiresToken(route) || !route.api, `${pathname} needs a token but the table lists it as public`).toBe(true);
  });

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
