/**
 * What every benchmark module gets from the orchestrator (bench/run.ts): the machine, the real
 * services that answered, production app instances started on demand (pinned to the server's
 * core, with their CPU time readable from /proc), an Upstash-protocol server in front of the real
 * Redis, fresh Postgres databases, access tokens minted with the instances' key, and a printer.
 *
 * Each module exports `run(ctx: BenchContext): Promise<BenchSection>` (bench/section.ts). Whatever
 * a module starts through the context is stopped by the orchestrator when the run ends, so a
 * module that throws leaves nothing running; a module may also stop things early itself.
 *
 * The server and the load generator get a core each when `taskset` exists: the orchestrator pins
 * itself (and so its in-process load generator) to `cores.client`, and every app it starts to
 * `cores.server`. On a shared machine the absolute numbers still move with everyone else's load,
 * which is why every result is a ratio taken within one run.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, totalmem, tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { SignJWT } from "jose";
import { buildKeyStore, type KeyStore } from "../lib/auth/keys";
import { ACCESS_TOKEN_TYP, APP_CLIENT_ID, AUDIENCE, type TokenRole } from "../lib/auth/tokens";
import { openEmbeddedDatabase } from "../lib/db/embedded";
import { loadMigrations, migrate } from "../lib/db/migrate";
import { pgliteExecutor } from "../lib/db/sql-executor";
import { freePort as freePortIn, startAppInstance } from "../tests/support/edge-app-server";
import { testKeyPair, type TestKeyPair } from "../tests/support/keys";
import { createPostgresDatabase as createMigratedPostgres, type PostgresDatabase } from "../tests/support/postgres-database";
import { postgresAdminUrl, postgresAnswers, redisAnswers, redisUrl } from "../tests/support/services";

const ROOT = path.resolve(import.meta.dirname, "..");

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  node: string;
  kernel: string;
  memoryGiB: number;
  /** The 1-minute load average when the run started: the other tenants' share of the machine. */
  loadAverage: number;
  taskset: boolean;
}

export type { PostgresDatabase };

export interface UpstashEndpoint {
  url: string;
  token: string;
}

export interface StartAppOptions {
  /** Variables on top of the bench defaults below (they win over the defaults). */
  env?: Record<string, string>;
  /** "pglite" (default): a fresh migrated embedded database; "postgres": a fresh migrated
   *  Postgres database, dropped at the end; { url }: share a database another instance uses. */
  database?: "pglite" | "postgres" | { url: string };
  /** "memory" (default) or "upstash": the shared Upstash-protocol server in front of Redis. */
  store?: "memory" | "upstash";
  /** The issuer and origin (APP_URL); defaults to the instance's own URL. Instances meant to
   *  accept each other's tokens (scale-out) must share one. */
  appUrl?: string;
  /** Another build directory, for example a copy of the build without its middleware. */
  distDir?: string;
  /** Pin to `cores.server` (default true). */
  pin?: boolean;
  /** Write a CPU profile of the server into this directory when it stops (node --cpu-prof). */
  cpuProfileDir?: string;
}

export interface BenchApp {
  url: string;
  port: number;
  pid: number;
  /** The issuer its tokens carry and the origin its CSRF check expects. */
  appUrl: string;
  databaseUrl: string | null;
  /** CPU time the server's process tree has used so far, in microseconds (user + system). */
  cpuMicros(): number;
  output(): string;
  stop(): Promise<void>;
}

export interface MintOptions {
  sub?: string;
  role?: TokenRole;
  sid?: string;
  ttlSeconds?: number;
}

export interface BenchContext {
  machine: MachineInfo;
  /** The real services that answered; null when one did not (its comparisons are then skipped). */
  services: { postgresAdminUrl: string | null; redisUrl: string | null };
  /** The cores taskset pins to, or null when there is no taskset (or only one core). */
  cores: { server: number | null; client: number | null };
  /** The RSA key every instance started here signs with (JWT_PRIVATE_KEY). */
  keys: TestKeyPair;
  /** Multiplies request counts: BENCH_SCALE=0.2 for a quick smoke run, 1 for the published run. */
  scale: number;
  /** Client addresses unique to this run (198.18.0.0/15 is reserved for benchmarking), so shared
   *  Redis buckets from an earlier run never count: `clientIp(7)` → "198.18.x.7" style. */
  clientIp(n: number): string;
  startApp(options?: StartAppOptions): Promise<BenchApp>;
  /** The Upstash-protocol server for this run (started on first use), or null without Redis. */
  upstash(): Promise<UpstashEndpoint | null>;
  /** A fresh migrated Postgres database, dropped at the end; null without Postgres. */
  createPostgresDatabase(): Promise<PostgresDatabase | null>;
  /** An RS256 access token the instances accept (their key, `issuer` = their APP_URL). */
  mintAccessToken(issuer: string, options?: MintOptions): Promise<string>;
  /** Pin a process (all its threads) to a core, or to every core with "all". False without taskset. */
  pin(pid: number, core: number | "all" | null): boolean;
  /** CPU microseconds used so far by a process and its descendants (from /proc). */
  cpuMicros(pid: number): number;
  freePort(): Promise<number>;
  log(line: string): void;
  /** Run at the end of the whole run, newest first (stop what you started outside the context). */
  defer(cleanup: () => Promise<void> | void): void;
}

function hasTaskset(): boolean {
  try {
    execFileSync("taskset", ["-V"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

export function describeMachine(): MachineInfo {
  let kernel: string;
  try {
    kernel = execFileSync("uname", ["-sr"], { encoding: "utf8" }).trim();
  } catch {
    kernel = process.platform;
  }
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? "unknown CPU",
    node: process.version,
    kernel,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadAverage: loadavg()[0] ?? 0,
    taskset: hasTaskset(),
  };
}

/** The pid and its descendants, from /proc (a `next start` may fork workers). */
function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // The command name may hold spaces and parentheses; the fields after the last ")" do not.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // The process ended while we looked.
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i] as number) ?? []));
  return tree;
}

const CLOCK_TICK_MICROS = 1e6 / 100;

/**
 * CPU time of one process. /proc/<pid>/task/<tid>/schedstat counts nanoseconds of run time per
 * thread (user + system), where /proc/<pid>/stat counts 10 ms clock ticks: too coarse for a
 * difference of 100 µs per request over a few thousand requests. stat is the fallback.
 */
function processCpuMicros(pid: number): number {
  try {
    let nanos = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      nanos += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    }
    if (nanos > 0) return nanos / 1000;
  } catch {
    // No schedstat in this kernel: fall through.
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime are fields 14 and 15 of the full line, 12 and 13 after the name.
    return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MICROS;
  } catch {
    return 0;
  }
}

export function cpuMicrosOf(pid: number): number {
  return processTree(pid).reduce((sum, member) => sum + processCpuMicros(member), 0);
}

function pinTo(pid: number, core: number | "all" | null, machine: MachineInfo): boolean {
  if (core === null || !machine.taskset) return false;
  const list = core === "all" ? `0-${machine.cores - 1}` : String(core);
  try {
    // -a: every thread that exists now; threads created later inherit from their creator.
    execFileSync("taskset", ["-a", "-p", "-c", list, String(pid)], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** The Upstash-protocol server in its own process, so it never competes with the load generator. */
async function startUpstashProcess(redis: string): Promise<{ endpoint: UpstashEndpoint; child: ChildProcess }> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "bench/upstash-server.ts"), redis], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const endpoint = await new Promise<UpstashEndpoint>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the Upstash-protocol server exited (${code})`)));
    lines.once("line", (line) => resolve(JSON.parse(line) as UpstashEndpoint));
  });
  return { endpoint, child };
}

async function migratedPglite(): Promise<string> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "palisade-bench-"));
  const embedded = await openEmbeddedDatabase(dataDir);
  try {
    await migrate(pgliteExecutor(embedded.db), await loadMigrations());
  } finally {
    await embedded.close();
  }
  return dataDir;
}

/** A stop or drop that a module may call early and the end of the run calls again: runs once. */
function once(work: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= work());
}

export interface ContextOptions {
  ports: { from: number; to: number };
  scale: number;
  log(line: string): void;
}

/** The context for one run, and the function that tears down everything it started. */
export async function createBenchContext(options: ContextOptions): Promise<{ ctx: BenchContext; close(): Promise<void> }> {
  const machine = describeMachine();
  const [postgres, redis] = await Promise.all([postgresAnswers(), redisAnswers()]);
  const services = { postgresAdminUrl: postgres ? postgresAdminUrl() : null, redisUrl: redis ? redisUrl() : null };
  const pinning = machine.taskset && machine.cores >= 2;
  const cores = { server: pinning ? 0 : null, client: pinning ? 1 : null };
  // The load generator runs in this process: pin it before anything else starts.
  pinTo(process.pid, cores.client, machine);

  const cleanups: (() => Promise<void> | void)[] = [];
  const defer = (cleanup: () => Promise<void> | void) => void cleanups.push(cleanup);
  const keys = testKeyPair("bench");
  let keyStore: Promise<KeyStore> | undefined;
  let upstash: Promise<UpstashEndpoint | null> | undefined;
  const takenPorts = new Set<number>();
  const subnet = `198.${18 + ((randomBytes(1)[0] as number) % 2)}.${randomBytes(1)[0] as number}`;

  const freePort = async () => {
    const port = await freePortIn(options.ports.from, options.ports.to, takenPorts);
    takenPorts.add(port);
    return port;
  };

  const createPostgresDatabase = async (): Promise<PostgresDatabase | null> => {
    if (services.postgresAdminUrl === null) return null;
    const database = await createMigratedPostgres(services.postgresAdminUrl, { migrated: true, prefix: "palisade_bench" });
    const drop = once(() => database.drop());
    defer(drop);
    return { url: database.url, drop };
  };

  const ctx: BenchContext = {
    machine,
    services,
    cores,
    keys,
    scale: options.scale,
    clientIp: (n) => `${subnet}.${n % 256}`,
    log: options.log,
    defer,
    freePort,
    pin: (pid, core) => pinTo(pid, core, machine),
    cpuMicros: cpuMicrosOf,

    upstash() {
      upstash ??= (async () => {
        if (services.redisUrl === null) return null;
        const { endpoint, child } = await startUpstashProcess(services.redisUrl);
        // It inherited this process's core; let it run anywhere, as a remote service would.
        if (child.pid !== undefined) pinTo(child.pid, "all", machine);
        defer(async () => {
          if (child.exitCode !== null) return;
          const exited = new Promise((resolve) => child.once("exit", resolve));
          child.kill("SIGTERM");
          await exited;
        });
        return endpoint;
      })();
      return upstash;
    },

    createPostgresDatabase,

    async mintAccessToken(issuer, mint = {}) {
      keyStore ??= buildKeyStore(keys.privateKeyPem);
      const store = await keyStore;
      const now = Math.floor(Date.now() / 1000);
      const role = mint.role ?? "user";
      const sub = mint.sub ?? randomUUID();
      return new SignJWT({ role, sid: mint.sid ?? randomUUID(), client_id: role === "service" ? sub : APP_CLIENT_ID })
        .setProtectedHeader({ alg: "RS256", typ: ACCESS_TOKEN_TYP, kid: store.signing.kid })
        .setIssuer(issuer)
        .setAudience(AUDIENCE)
        .setSubject(sub)
        .setJti(randomUUID())
        .setIssuedAt(now)
        .setExpirationTime(now + (mint.ttlSeconds ?? 900))
        .sign(store.signing.key);
    },

    async startApp(start = {}) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const appUrl = start.appUrl ?? url;
      const dataDir = await migratedPglite();
      defer(() => rm(dataDir, { recursive: true, force: true }));
      let databaseUrl: string | null = null;
      if (start.database === "postgres") {
        const database = await createPostgresDatabase();
        if (database === null) throw new Error("Postgres is not reachable");
        databaseUrl = database.url;
      } else if (typeof start.database === "object") {
        databaseUrl = start.database.url;
      }
      const store: Record<string, string> = {};
      if (start.store === "upstash") {
        const endpoint = await ctx.upstash();
        if (endpoint === null) throw new Error("Redis is not reachable");
        store.UPSTASH_REDIS_REST_URL = endpoint.url;
        store.UPSTASH_REDIS_REST_TOKEN = endpoint.token;
      }
      const instance = await startAppInstance(
        port,
        {
          APP_URL: appUrl,
          JWT_PRIVATE_KEY: keys.privateKeyPem,
          DATA_DIR: dataDir,
          LOG_LEVEL: "error",
          // One client address per load-generator connection arrives through one trusted hop, and
          // the per-IP tiers (global, credential) are high enough never to refuse: every request does all the work.
          TRUSTED_PROXY: "1",
          RATE_LIMIT_GLOBAL_MAX: "1000000",
          RATE_LIMIT_CREDENTIAL_MAX: "1000000",
          RATE_LIMIT_MAIL_IP_MAX: "1000000",
          ...(databaseUrl === null ? {} : { DATABASE_URL: databaseUrl }),
          ...(start.distDir === undefined ? {} : { NEXT_DIST_DIR: start.distDir }),
          ...store,
          ...start.env,
        },
        start.cpuProfileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${start.cpuProfileDir}`],
      );
      if (start.pin ?? true) pinTo(instance.pid, cores.server, machine);
      const stop = once(() => instance.stop());
      defer(stop);
      return {
        url: instance.url,
        port,
        pid: instance.pid,
        appUrl,
        databaseUrl,
        cpuMicros: () => cpuMicrosOf(instance.pid),
        output: instance.output,
        stop,
      };
    },
  };

  return {
    ctx,
    async close() {
      for (const cleanup of cleanups.reverse()) {
        try {
          await cleanup();
        } catch (error) {
          options.log(`cleanup failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    },
  };
}

/** True when the path exists: the orchestrator imports part modules only when they are there. */
export function benchModuleExists(name: string): boolean {
  return existsSync(path.join(ROOT, "bench", `${name}.ts`));
}
