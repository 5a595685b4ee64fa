/**
 * The system the scanners attack: the production build under `next start`, configured as a
 * self-hosted deployment would be (https origin, real Postgres, the shared rate-limit store behind
 * Redis, a signing key from the environment, one trusted proxy hop), plus the principals an
 * attacker would hold: a signed-in admin, fresh users, a note, service clients.
 *
 * When Postgres is not reachable the app runs in local mode instead (embedded database,
 * in-memory store): a deployment refuses to boot without a real database (lib/env.ts), so the
 * HSTS header, which only a deployment sends, is then missing, and the admin routes are skipped
 * because nothing can promote a user while the embedded database is held by the app.
 */
import { startSmtpPeer } from "../../tests/support/smtp-peer";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { loadMigrations, migrate } from "../../lib/db/migrate";
import { ensureEdgeBuild, freePort, startAppInstance, type AppInstance } from "../../tests/support/edge-app-server";
import { testKeyPair } from "../../tests/support/keys";
import { createPostgresDatabase } from "../../tests/support/postgres-database";
import { postgresAdminUrl, postgresAnswers, redisAnswers, redisUrl } from "../../tests/support/services";
import { startUpstashRestServer, type UpstashRestServer } from "../../tests/support/upstash-rest-server";

/** The public name the app is served under. `.test` is reserved (RFC 2606), so it can never be someone else's host. */
export const PUBLIC_HOST = "palisade.test";
export const PASSWORD = "scanner passphrase that is long enough";

// The scanners send thousands of requests from one address; the limits are what they would
// measure instead of the input handling. Every tier goes to its ceiling (lib/env.ts).
const UNTHROTTLED = Object.fromEntries(
  ["GLOBAL", "AUTH", "AUTH_ACCOUNT", "USER", "REFRESH", "MAIL_IP", "MAIL_ADDRESS"].map((tier) => [`RATE_LIMIT_${tier}_MAX`, "1000000"]),
);

export interface Principal {
  /** A Cookie header value carrying the access and refresh cookies. */
  cookie: string;
  userId: string;
  email: string;
}

export interface ScanStack {
  app: AppInstance;
  /** APP_URL: the origin browsers use, which the CSRF check expects in `Origin`. */
  publicOrigin: string;
  mode: "deployed" | "local";
  database: "postgres" | "embedded";
  store: "redis" | "memory";
  admin: Principal | null;
  /** A user who signed up just now, for routes that end sessions or delete the account. */
  freshUser(): Promise<Principal>;
  /** Another session of `principal`, as its id. */
  extraSession(principal: Principal): Promise<string>;
  /** A JSON call to the app as `principal` (or nobody), with the headers a browser on our origin sends. */
  call(method: string, pathname: string, principal: Principal | null, body?: unknown): Promise<Response>;
  stop(): Promise<void>;
}

function cookieHeader(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((line) => line.split(";")[0] as string)
    .filter((pair) => !pair.endsWith("="))
    .join("; ");
}

export async function startScanStack(log: (line: string) => void): Promise<ScanStack> {
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    log("building the production app (reused when current)…");
    await ensureEdgeBuild();
    const [postgres, redis] = await Promise.all([postgresAnswers(), redisAnswers()]);
    let rest: UpstashRestServer | null = null;
    if (redis) {
      rest = await startUpstashRestServer({ redisUrl: redisUrl() });
      const server = rest;
      cleanups.push(() => server.close());
    }
    // A deployment must send its mail; the scan's relay is a real SMTP server on loopback.
    const smtp = await startSmtpPeer();
    cleanups.push(() => smtp.close());
    const env: Record<string, string> = { ...UNTHROTTLED, LOG_LEVEL: "error", SMTP_URL: smtp.url, MAIL_FROM: "Palisade scan <no-reply@palisade.test>" };
    let databaseUrl: string | null = null;
    if (postgres) {
      const database = await createPostgresDatabase(postgresAdminUrl(), { migrated: true, prefix: "palisade_scan" });
      cleanups.push(() => database.drop());
      databaseUrl = database.url;
      Object.assign(env, {
        APP_URL: `https://${PUBLIC_HOST}`,
        // The TLS proxy in front (scripts/scan/tls.ts) is the one hop that appends X-Forwarded-For.
        TRUSTED_PROXY: "1",
        DATABASE_URL: database.url,
        JWT_PRIVATE_KEY: testKeyPair("scan").privateKeyPem,
        MFA_ENCRYPTION_KEY: randomBytes(32).toString("base64url"),
      });
    } else {
      const dataDir = await mkdtemp(path.join(tmpdir(), "palisade-scan-"));
      cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
      env.DATA_DIR = dataDir;
    }
    if (rest !== null) Object.assign(env, { UPSTASH_REDIS_REST_URL: rest.url, UPSTASH_REDIS_REST_TOKEN: rest.token });
    else env.RATE_LIMIT_ALLOW_MEMORY_STORE = "single-instance";

    const port = await freePort(3650, 3669);
    if (!postgres) env.APP_URL = `http://localhost:${port}`;
    if (!postgres) await migrateEmbedded(env.DATA_DIR as string);
    const app = await startAppInstance(port, env);
    cleanups.push(() => app.stop());
    const publicOrigin = env.APP_URL as string;

    const call = (method: string, pathname: string, principal: Principal | null, body?: unknown) =>
      fetch(`${app.url}${pathname}`, {
        method,
        redirect: "manual",
        headers: {
          origin: publicOrigin,
          "sec-fetch-site": "same-origin",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...(principal === null ? {} : { cookie: principal.cookie }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });

    const signIn = async (email: string): Promise<string> => {
      const response = await call("POST", "/api/auth/login", null, { email, password: PASSWORD });
      if (response.status !== 200) throw new Error(`sign-in as ${email} answered ${response.status}: ${await response.text()}`);
      return cookieHeader(response);
    };

    const freshUser = async (): Promise<Principal> => {
      const email = `scan-${randomBytes(6).toString("hex")}@${PUBLIC_HOST}`;
      const response = await call("POST", "/api/auth/register", null, { email, name: "Scan User", password: PASSWORD });
      if (response.status !== 202) throw new Error(`registration answered ${response.status}: ${await response.text()}`);
      // The account exists once its confirmation message does (lib/users/registration.ts).
      await smtp.waitForMessage(email, /^Confirm your email address/, 10_000);
      const login = await call("POST", "/api/auth/login", null, { email, password: PASSWORD });
      if (login.status !== 200) throw new Error(`sign-in as ${email} answered ${login.status}: ${await login.text()}`);
      const { user } = (await login.json()) as { user: { id: string } };
      return { cookie: cookieHeader(login), userId: user.id, email };
    };

    let admin: Principal | null = null;
    if (databaseUrl !== null) {
      const user = await freshUser();
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query(`UPDATE "User" SET role = 'ADMIN' WHERE id = $1`, [user.userId]);
      await client.end();
      // Sign in again so the session and token carry the new role from the start.
      admin = { ...user, cookie: await signIn(user.email) };
    }

    const extraSession = async (principal: Principal): Promise<string> => {
      const other = await signIn(principal.email);
      const response = await call("GET", "/api/auth/sessions", { ...principal, cookie: other });
      const { sessions } = (await response.json()) as { sessions: { id: string; current: boolean }[] };
      const current = sessions.find((session) => session.current);
      if (current === undefined) throw new Error("the sessions list names no current session");
      return current.id;
    };

    return {
      app,
      publicOrigin,
      mode: postgres ? "deployed" : "local",
      database: postgres ? "postgres" : "embedded",
      store: rest === null ? "memory" : "redis",
      admin,
      freshUser,
      extraSession,
      call,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function migrateEmbedded(dataDir: string): Promise<void> {
  const { openEmbeddedDatabase } = await import("../../lib/db/embedded");
  const { pgliteExecutor } = await import("../../lib/db/sql-executor");
  const embedded = await openEmbeddedDatabase(dataDir);
  try {
    await migrate(pgliteExecutor(embedded.db), await loadMigrations());
  } finally {
    await embedded.close();
  }
}
