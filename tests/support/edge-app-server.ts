/**
 * Real app instances for the edge integration tests: a production build in its own directory
 * (`.next-edge`, so the default `.next` other runs use is never touched), started with
 * `next start` on a port of the test's choosing, with the environment the test gives it.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

import { EDGE_DIST_DIR } from "./app-instance";

export { EDGE_DIST_DIR, freePort, startAppInstance, type AppInstance } from "./app-instance";
const ROOT = path.resolve(import.meta.dirname, "../..");
const NEXT_BIN = path.join(ROOT, "node_modules/next/dist/bin/next");

// What a build reads: if none of these changed since the last build, it is reused.
const SOURCES = ["app", "components", "lib", "prisma", "middleware.ts", "next.config.ts", "package-lock.json", "postcss.config.mjs"];
// Files `next build` rewrites for its dist directory; restored afterwards so the working tree
// (and everyone else's type checks) never see `.next-edge` paths.
const REWRITTEN_BY_BUILD = ["tsconfig.json", "next-env.d.ts"];

function newestMtime(entry: string): number {
  const full = path.join(ROOT, entry);
  if (!existsSync(full)) return 0;
  const stat = statSync(full);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(full).map((child) => newestMtime(path.join(entry, child))));
}

function buildIsCurrent(): boolean {
  const marker = path.join(ROOT, EDGE_DIST_DIR, "BUILD_ID");
  if (!existsSync(marker)) return false;
  return statSync(marker).mtimeMs > Math.max(...SOURCES.map(newestMtime));
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(" ")} exited ${code}:\n${output}`))));
  });
}

/**
 * Take this build's `.next-edge` paths back out of a file `next build` rewrote. The file as it was
 * before is put back when it had none; if it already had some (another run's leftovers), only
 * those entries are removed, so nobody else's edit is lost.
 */
function undoBuildEdit(file: string, before: string | null): void {
  if (!existsSync(file)) return;
  // A file the build created (next-env.d.ts on a fresh clone) goes away again.
  if (before === null) {
    rmSync(file, { force: true });
    return;
  }
  const now = readFileSync(file, "utf8");
  if (!now.includes(`${EDGE_DIST_DIR}/`)) return;
  if (!before.includes(`${EDGE_DIST_DIR}/`)) {
    writeFileSync(file, before);
  } else if (file.endsWith(".json")) {
    const config = JSON.parse(now) as { include?: string[] };
    config.include = config.include?.filter((entry) => !entry.startsWith(`${EDGE_DIST_DIR}/`));
    writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  } else {
    writeFileSync(file, now.replaceAll(`./${EDGE_DIST_DIR}/`, "./.next/"));
  }
}

const BUILD_LOCK_STALE_MS = 15 * 60_000;

/**
 * One build at a time per directory, across processes: test files and suites run in parallel
 * workers, and two `next build`s into one directory corrupt each other. A lock older than any
 * build could take is a crashed run's and is taken over.
 */
async function withBuildLock<T>(work: () => Promise<T>): Promise<T> {
  const lock = path.join(ROOT, `${EDGE_DIST_DIR}.lock`);
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > BUILD_LOCK_STALE_MS) rmSync(lock, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** A production build in `.next-edge`, rebuilt only when a source file is newer than it. */
export async function ensureEdgeBuild(): Promise<void> {
  if (buildIsCurrent()) return;
  await withBuildLock(buildUnlessCurrent);
}

async function buildUnlessCurrent(): Promise<void> {
  // Another process may have built while this one waited for the lock.
  if (buildIsCurrent()) return;
  const saved = REWRITTEN_BY_BUILD.map((file) => {
    const full = path.join(ROOT, file);
    return [file, existsSync(full) ? readFileSync(full, "utf8") : null] as const;
  });
  try {
    await run(process.execPath, [NEXT_BIN, "build"], { ...process.env, NODE_ENV: "production", NEXT_DIST_DIR: EDGE_DIST_DIR, NEXT_TELEMETRY_DISABLED: "1" });
  } finally {
    for (const [file, before] of saved) undoBuildEdit(path.join(ROOT, file), before);
  }
}
