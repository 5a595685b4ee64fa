/**
 * A production instance of the app with the rate limits left at their defaults, beside the
 * suite's own server (whose limits are lifted so the suite cannot throttle itself): the human
 * session test and benchmark need the limits a deployment gets. It serves an existing build
 * (`distDir`), on a freshly migrated embedded database in a temporary directory, behind one
 * trusted proxy hop, so each caller chooses its client address with `X-Forwarded-For`.
 */
import type { APIRequestContext } from "@playwright/test";
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { freePort, PROJECT_ROOT, startAppInstance, type AppInstance } from "../../support/app-instance";

export interface LimitsServer {
  instance: AppInstance;
  /** The origin a browser uses: `localhost`, which Chromium treats as secure, so `Secure` cookies work over http. */
  origin: string;
  stop(): Promise<void>;
}

export interface LimitsServerOptions {
  /** Create the suite's admin (./seed-admin.ts) before the server opens the database. */
  seedAdmin?: boolean;
}

/**
 * Start `next start` from `distDir` with `env` on top of a clean environment (nothing else: every
 * `RATE_LIMIT_*` not in `env` is the app's default, and no mail relay is configured unless `env`
 * names one).
 */
export async function startLimitsServer(
  distDir: string,
  env: Record<string, string>,
  ports: { from: number; to: number },
  options: LimitsServerOptions = {},
): Promise<LimitsServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "palisade-limits-"));
  const tsx = path.join(PROJECT_ROOT, "node_modules/tsx/dist/cli.mjs");
  const setupEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "production" as const, DATA_DIR: dataDir };
  await promisify(execFile)(process.execPath, [tsx, "scripts/db-migrate.ts", "--embedded-only"], { cwd: PROJECT_ROOT, env: setupEnv });
  if (options.seedAdmin === true) {
    await promisify(execFile)(process.execPath, [tsx, "--conditions=react-server", "tests/e2e/support/seed-admin.ts"], { cwd: PROJECT_ROOT, env: setupEnv });
  }
  const port = await freePort(ports.from, ports.to);
  const instance = await startAppInstance(port, {
    APP_URL: `http://localhost:${port}`,
    DATA_DIR: dataDir,
    NEXT_DIST_DIR: distDir,
    TRUSTED_PROXY: "1",
    LOG_LEVEL: "warn",
    ...env,
  });
  return {
    instance,
    origin: `http://localhost:${port}`,
    async stop() {
      await instance.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * What the server itself has counted in the global tier for the address `request` sends from:
 * one more request, whose `RateLimit` says how much is left (that probe is the last one counted,
 * and is not included). Known only while everything sat in one window, which a reset further
 * away than the work took proves; null otherwise.
 */
export async function globalCountOf(request: APIRequestContext, origin: string): Promise<number | null> {
  const probe = await request.get(`${origin}/api/health`);
  const quota = /"global";q=(\d+);w=(\d+)/.exec(probe.headers()["ratelimit-policy"] ?? "");
  const left = /"global";r=(\d+);t=(\d+)/.exec(probe.headers()["ratelimit"] ?? "");
  if (quota === null || left === null) return null;
  return Number(quota[1]) - Number(left[1]) - 1;
}
