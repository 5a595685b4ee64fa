/**
 * The edge middleware runs where Node's APIs do not exist (docs/decisions/003-edge-middleware-under-next-16.md).
 * Every module it loads, directly or through another module, must use Web APIs only: no `node:*`
 * built-in, no pino, no Prisma, no `server-only`. This walks the real import graph from
 * middleware.ts, so a helper that quietly pulls in a Node module fails here rather than at deploy.
 */
import { existsSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = process.cwd();
const NODE_BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
const FORBIDDEN_PACKAGES = [
  "pino",
  "@prisma/client",
  "@prisma/adapter-pg",
  "pg",
  "@electric-sql/pglite",
  "pglite-prisma-adapter",
  "@node-rs/argon2",
  "server-only",
  "ioredis",
];

function resolveLocal(from: string, specifier: string): string | null {
  const base = specifier.startsWith("@/") ? path.join(ROOT, specifier.slice(2)) : path.resolve(path.dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, path.join(base, "index.ts")]) {
    if (existsSync(candidate) && !candidate.endsWith(path.sep) && /\.(ts|tsx)$/.test(candidate)) return candidate;
  }
  return null;
}

/** Every local module reachable from `entry`, and every package specifier they import. */
function importGraph(entry: string): { modules: Set<string>; packages: Map<string, string> } {
  const modules = new Set<string>();
  const packages = new Map<string, string>();
  const visit = (file: string) => {
    if (modules.has(file)) return;
    modules.add(file);
    const source = readFileSync(file, "utf8");
    // Static imports and re-exports; type-only imports are erased and cannot load anything.
    for (const match of source.matchAll(/^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?["']([^"']+)["']/gm)) {
      const specifier = match[1] as string;
      if (specifier.startsWith(".") || specifier.startsWith("@/")) {
        const resolved = resolveLocal(file, specifier);
        if (resolved !== null) visit(resolved);
      } else {
        packages.set(specifier, path.relative(ROOT, file));
      }
    }
  };
  visit(path.join(ROOT, entry));
  return { modules, packages };
}

describe("the edge layer uses Web APIs only", () => {
  const { modules, packages } = importGraph("middleware.ts");

  it("reaches every lib/edge module from middleware.ts", () => {
    const reached = [...modules].map((file) => path.relative(ROOT, file));
    for (const file of ["lib/shared/client-ip.ts", "lib/edge/cors.ts", "lib/edge/csrf.ts", "lib/edge/token-gate.ts", "lib/edge/rate-limit/upstash-store.ts"]) {
      expect(reached).toContain(file);
    }
  });

  it("imports no Node built-in, directly or indirectly", () => {
    expect([...packages].filter(([specifier]) => NODE_BUILTINS.has(specifier))).toEqual([]);
  });

  it("imports no Node-only package (pino, Prisma, database drivers, argon2, server-only)", () => {
    expect([...packages].filter(([specifier]) => FORBIDDEN_PACKAGES.some((name) => specifier === name || specifier.startsWith(`${name}/`)))).toEqual([]);
  });

  it("touches process.env only through lib/env.ts", () => {
    const readers = [...modules].filter((file) => /process\.env(\.|\[)/.test(readFileSync(file, "utf8"))).map((file) => path.relative(ROOT, file));
    expect(readers).toEqual(["lib/env.ts"]);
  });
});
