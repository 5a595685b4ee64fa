/**
 * Improper inventory management (OWASP API9), black box: nothing answers outside the route
 * manifest (tests/security/route-manifest.json, generated from app/). The crawl follows every
 * link the pages render, signed out and as an admin, then probes well-known paths and a wordlist
 * of API paths that scanners try (old versions, debug and admin consoles, GraphQL, leaked files).
 * A path outside the manifest must be refused (401 at the token gate when anonymous, 404 or 405
 * with a valid admin token): never a 2xx, a 3xx or a 5xx.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAddress } from "./support/buckets";
import { Client, securityTarget, signInAdmin, type Account } from "./support/client";
import { formatCount, printSummary, recordFigure } from "./support/figures";
import { buildManifest, entryFor } from "./support/manifest";

const target = securityTarget();
const IP = runAddress(target.run, 60);
const manifest = buildManifest();

/** What Next.js serves itself: the build's hashed assets. */
const FRAMEWORK_ASSETS = /^\/_next\/static\//;

const WELL_KNOWN = [
  "/.well-known/security.txt",
  "/.well-known/openid-configuration",
  "/.well-known/oauth-authorization-server",
  "/.well-known/jwks",
  "/.well-known/change-password",
  "/robots.txt",
  "/sitemap.xml",
  "/.env",
  "/.env.local",
  "/.env.production",
  "/.git/config",
  "/.git/HEAD",
  "/package.json",
  "/package-lock.json",
  "/next.config.ts",
  "/tsconfig.json",
  "/middleware.ts",
  "/prisma/schema.prisma",
  "/.data/keys/private.pem",
  "/.next/BUILD_ID",
  "/.next-edge/BUILD_ID",
  "/_next/static/../../package.json",
  "/_next/server/app/page.js",
  "/server.js",
  "/backup.zip",
  "/dump.sql",
  "/phpinfo.php",
  "/wp-admin/",
  "/server-status",
  "/actuator/health",
  "/console",
  "/__nextjs_original-stack-frame",
  "/_next/webpack-hmr",
  "/_next/image?url=http://127.0.0.1/&w=64&q=75",
];

const API_WORDLIST = [
  "/api",
  "/api/v1",
  "/api/v2",
  "/api/v1/users",
  "/api/v1/me",
  "/api/v1/notes",
  "/api/debug",
  "/api/graphql",
  "/graphql",
  "/api/users",
  "/api/users/1",
  "/api/user",
  "/api/admin",
  "/api/admin/config",
  "/api/admin/sessions",
  "/api/admin/keys",
  "/api/admin/tokens",
  "/api/admin/notes",
  "/api/config",
  "/api/env",
  "/api/status",
  "/api/metrics",
  "/metrics",
  "/api/swagger.json",
  "/swagger.json",
  "/openapi.json",
  "/api/docs",
  "/api/internal",
  "/api/test",
  "/api/dev",
  "/api/keys",
  "/api/backup",
  "/api/export",
  "/api/notes/export",
  "/api/notes/all",
  "/api/reports",
  "/api/reports/users",
  "/api/oauth",
  "/api/oauth/authorize",
  "/api/oauth/introspect",
  "/api/oauth/revoke",
  "/api/health/db",
  "/api/auth/session",
  "/api/auth/providers",
  "/api/auth/_log",
  "/api/auth/verify-request",
  "/api/auth/signout",
  "/api/auth/users",
  "/API/me",
  "/api/ME",
  "/%61pi/health",
  "//api/v1",
];

/** Same-origin links (`href`, `src`, `action`) in an HTML page. */
function linksIn(html: string, base: string): string[] {
  const links: string[] = [];
  for (const match of html.matchAll(/\b(?:href|src|action)="([^"#]+)"/g)) {
    try {
      const url = new URL((match[1] as string).replaceAll("&amp;", "&"), base);
      if (url.origin === base) links.push(url.pathname);
    } catch {
      // Not a URL (a template fragment): nothing to follow.
    }
  }
  return links;
}

/** The path part of a probe (not `new URL()`, which reads `//api/v1` as a host named "api"). */
function pathOf(path: string): string {
  return path.split("?")[0] as string;
}

/** `//api/v1/` → `/api/v1`: the router's own normalisation, which it answers with a 308. */
function normalised(pathname: string): string {
  return pathname.replace(/\/{2,}/g, "/").replace(/(.)\/$/, "$1");
}

/**
 * The answer to `path`. A 308 to the normalised form of the same path is the router tidying the
 * URL, not an answer: the probe follows it (once) and judges the target.
 */
async function probe(path: string, method: string, token: string | undefined): Promise<Response> {
  const send = (target: string) =>
    new Client(IP).request(target, {
      method,
      ...(token === undefined ? {} : { token }),
      ...(method === "POST" ? { body: "{}", headers: { "content-type": "application/json" } } : {}),
    });
  const response = await send(path);
  await response.arrayBuffer();
  const location = response.headers.get("location");
  if ((response.status === 307 || response.status === 308) && location !== null) {
    const { pathname, search } = new URL(location, target.url);
    if (pathname === normalised(pathOf(path)) && pathname !== pathOf(path)) {
      const followed = await send(`${pathname}${search}`);
      await followed.arrayBuffer();
      return followed;
    }
  }
  return response;
}

describe("route inventory", () => {
  let admin: Account;
  const outside = { probed: 0, refused: 0 };
  const crawled = new Set<string>();

  beforeAll(async () => {
    admin = await signInAdmin(new Client(IP));
  });

  afterAll(() => {
    recordFigure("inventory", {
      passed: outside.refused,
      total: outside.probed,
      unit: "paths probed outside the manifest, none answered",
      detail: { manifestRoutes: manifest.length, pagesCrawled: crawled.size },
    });
    printSummary(
      `Inventory: ${manifest.length} routes in the manifest; ${formatCount(outside.probed)} probes outside it (anonymous and as admin), ${outside.refused} refused; ${crawled.size} paths crawled`,
    );
  });

  it("[inventory.crawl] every link the pages render, signed out and as an admin, is in the manifest", async () => {
    const strays: string[] = [];
    for (const [who, client] of [
      ["anonymous", new Client(IP)],
      ["admin", admin.client],
    ] as const) {
      const queue = [
        "/",
        "/signin",
        "/register",
        ...(who === "admin" ? ["/dashboard", "/admin", "/admin/audit", "/admin/clients", "/account", "/account/security", "/sessions"] : []),
      ];
      const seen = new Set<string>();
      while (queue.length > 0 && seen.size < 60) {
        const path = queue.shift() as string;
        if (seen.has(path)) continue;
        seen.add(path);
        crawled.add(path);
        if (!FRAMEWORK_ASSETS.test(path) && entryFor(manifest, path) === undefined) strays.push(`${who}: ${path}`);
        if (FRAMEWORK_ASSETS.test(path) || path.startsWith("/api/")) continue;
        const response = await client.request(path);
        expect(response.status, `${who} ${path}`).toBeLessThan(500);
        if ((response.headers.get("content-type") ?? "").startsWith("text/html")) queue.push(...linksIn(await response.text(), target.url));
        else await response.arrayBuffer();
      }
    }
    expect(strays).toEqual([]);
  });

  it("[inventory.wordlist] nothing outside the manifest answers: well-known paths, leaked files and an API wordlist", async () => {
    const answered: string[] = [];
    for (const path of [...WELL_KNOWN, ...API_WORDLIST]) {
      if (entryFor(manifest, pathOf(path)) !== undefined) continue; // inside the inventory (the broker's catch-all)
      for (const [who, token] of [
        ["anonymous", undefined],
        ["admin", admin.client.accessToken],
      ] as const) {
        for (const method of path.startsWith("/api") ? ["GET", "POST"] : ["GET"]) {
          const response = await probe(path, method, token);
          outside.probed++;
          const refused = [401, 403, 404, 405].includes(response.status);
          if (refused) outside.refused++;
          else answered.push(`${who} ${method} ${path} → ${response.status}`);
        }
      }
    }
    expect(answered).toEqual([]);
  });

  it("[inventory.broker-endpoints] the identity broker's catch-all answers only its reviewed endpoints", async () => {
    const answered: string[] = [];
    for (const path of ["/api/auth/session", "/api/auth/providers", "/api/auth/_log", "/api/auth/signout", "/api/auth/verify-request", "/api/auth/anything"]) {
      const response = await new Client(IP).request(path, { token: admin.client.accessToken });
      await response.arrayBuffer();
      if (![401, 404, 405].includes(response.status)) answered.push(`${path} → ${response.status}`);
    }
    expect(answered).toEqual([]);
  });

  it("[inventory.methods] every API route refuses the methods it does not export (405, never 2xx or 5xx)", async () => {
    const wrong: string[] = [];
    for (const entry of manifest.filter((candidate) => candidate.kind === "api" && !candidate.path.includes("..."))) {
      const path = entry.path.replace(/\[\w+\]/g, "c".repeat(25));
      for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"].filter((candidate) => !(entry.methods ?? []).includes(candidate))) {
        const response = await new Client(IP).request(path, { method, token: admin.client.accessToken, ...(method === "GET" ? {} : { body: "{}" }) });
        await response.arrayBuffer();
        if (response.status !== 405) wrong.push(`${method} ${entry.path} → ${response.status}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
