/**
 * What the edge layer costs per request: the same production build served twice in one run, once
 * as built and once with the middleware switched off (its entry removed from a copy of the build's
 * middleware manifest, so no code differs), with requests to the same routes interleaved between
 * the two servers so both see the same machine load.
 *
 *   npx tsx bench/edge-overhead.ts [requests per route, default 2000]
 *
 * Uses the production build in .next-edge (tests/support/edge-app-server.ts builds it when a
 * source file is newer) and ports 3230-3239. Rate limits use the in-memory store with a limit high
 * enough never to refuse, so every request does the full work of every step.
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { EDGE_DIST_DIR, ensureEdgeBuild, freePort, startAppInstance } from "../tests/support/edge-app-server";
import { testKeyPair } from "../tests/support/keys";

const REQUESTS = Number(process.argv[2] ?? 2000);
const WARMUP = 200;
const WITHOUT = `${EDGE_DIST_DIR}-no-middleware`;
const print = (line: string) => process.stdout.write(`${line}\n`);
const ROUTES = [
  { name: "API route (GET /.well-known/jwks.json)", path: "/.well-known/jwks.json" },
  { name: "page (GET /, server-rendered)", path: "/" },
];

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

async function timed(url: string): Promise<number> {
  const start = performance.now();
  const response = await fetch(url);
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  return performance.now() - start;
}

async function main(): Promise<void> {
  await ensureEdgeBuild();
  rmSync(WITHOUT, { recursive: true, force: true });
  cpSync(EDGE_DIST_DIR, WITHOUT, { recursive: true });
  const manifestPath = path.join(WITHOUT, "server", "middleware-manifest.json");
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { middleware: Record<string, unknown>; sortedMiddleware: string[] };
  manifest.middleware = {};
  manifest.sortedMiddleware = [];
  writeFileSync(manifestPath, JSON.stringify(manifest));

  const dataDir = await mkdtemp(path.join(tmpdir(), "palisade-bench-"));
  const portOn = await freePort(3230, 3239);
  const portOff = await freePort(portOn + 1, 3239);
  const env = {
    JWT_PRIVATE_KEY: testKeyPair().privateKeyPem,
    RATE_LIMIT_GLOBAL_MAX: "1000000",
    LOG_LEVEL: "error",
  };
  const on = await startAppInstance(portOn, { ...env, APP_URL: `http://127.0.0.1:${portOn}`, DATA_DIR: path.join(dataDir, "on") });
  const off = await startAppInstance(portOff, { ...env, APP_URL: `http://127.0.0.1:${portOff}`, DATA_DIR: path.join(dataDir, "off"), NEXT_DIST_DIR: WITHOUT });
  try {
    const offHeaders = (await fetch(`${off.url}/`)).headers;
    if (offHeaders.has("content-security-policy")) throw new Error("the middleware still runs on the copy without it");

    print(`edge overhead, ${REQUESTS} requests per route and side, interleaved, keep-alive, one client`);
    for (const route of ROUTES) {
      for (let i = 0; i < WARMUP; i++) await Promise.all([timed(`${on.url}${route.path}`), timed(`${off.url}${route.path}`)]);
      const withEdge: number[] = [];
      const without: number[] = [];
      for (let i = 0; i < REQUESTS; i++) {
        // Alternate which side goes first, so neither always meets a warmer cache.
        if (i % 2 === 0) {
          withEdge.push(await timed(`${on.url}${route.path}`));
          without.push(await timed(`${off.url}${route.path}`));
        } else {
          without.push(await timed(`${off.url}${route.path}`));
          withEdge.push(await timed(`${on.url}${route.path}`));
        }
      }
      withEdge.sort((a, b) => a - b);
      without.sort((a, b) => a - b);
      const row = (q: number) => {
        const a = quantile(withEdge, q);
        const b = quantile(without, q);
        return `${a.toFixed(2)} ms vs ${b.toFixed(2)} ms (×${(a / b).toFixed(2)}, +${(a - b).toFixed(2)} ms)`;
      };
      print(`\n${route.name}`);
      print(`  median  ${row(0.5)}`);
      print(`  p95     ${row(0.95)}`);
    }
  } finally {
    await Promise.all([on.stop(), off.stop()]);
    await rm(dataDir, { recursive: true, force: true });
    rmSync(WITHOUT, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
