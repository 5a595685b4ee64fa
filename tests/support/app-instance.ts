/**
 * `next start` of an existing build, on a port of the caller's choosing, with the environment it
 * gives: the instances the edge integration tests, the benchmarks and the rate-limit end-to-end
 * test run. It finds the project root without the module URL, since the end-to-end runner loads
 * it as CommonJS.
 */
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";

// Overridable so that work on two branches of the code at once can keep two separate builds.
export const EDGE_DIST_DIR = process.env.EDGE_DIST_DIR ?? ".next-edge";
/** npm runs every script, and so every test runner and benchmark, from the project's root. */
export const PROJECT_ROOT = process.cwd();
const NEXT_BIN = path.join(PROJECT_ROOT, "node_modules/next/dist/bin/next");

/** A free TCP port in [from, to], for a server this test starts. */
export async function freePort(from: number, to: number, taken: ReadonlySet<number> = new Set()): Promise<number> {
  for (let port = from; port <= to; port++) {
    if (taken.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const probe = net.createServer();
      probe.once("error", () => resolve(false));
      probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port in ${from}-${to}`);
}

export interface AppInstance {
  url: string;
  port: number;
  /** The server's process id (the benchmarks read its CPU time from /proc and pin it to a core). */
  pid: number;
  /** Everything the server printed, for a failing test's message. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * `next start` on `port` with `env` on top of a clean environment; resolves once it answers.
 * `nodeArgs` go to Node itself (the benchmarks' `--cpu-prof`, which NODE_OPTIONS refuses).
 */
export async function startAppInstance(port: number, env: Record<string, string>, nodeArgs: string[] = []): Promise<AppInstance> {
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, NEXT_BIN, "start", "--port", String(port), "--hostname", "127.0.0.1"], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "production", NEXT_DIST_DIR: EDGE_DIST_DIR, NEXT_TELEMETRY_DISABLED: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;

  const instance: AppInstance = {
    url,
    port,
    pid: child.pid as number,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };

  // Ready when the server answers at all; the probe uses its own client address (192.0.2.254)
  // so it spends no test client's rate-limit budget.
  for (let attempt = 0; attempt < 300; attempt++) {
    if (child.exitCode !== null) throw new Error(`app instance on ${port} exited:\n${output}`);
    try {
      await fetch(`${url}/favicon-probe`, { headers: { "x-forwarded-for": "192.0.2.254" } });
      return instance;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  await instance.stop();
  throw new Error(`app instance on ${port} did not answer:\n${output}`);
}
