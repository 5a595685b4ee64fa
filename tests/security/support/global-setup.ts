/**
 * The security suite's one app instance: a production build (`next build && next start`) that
 * every test file attacks from outside, over HTTP, as a client on the internet would.
 *
 * It runs on the real services when they answer (a fresh Postgres database, and Redis through the
 * Upstash REST protocol server) and on the embedded defaults otherwise (PGlite in a temporary
 * directory, the in-memory limiter), so a newcomer's machine runs the whole suite too. In CI the
 * real services are required. One instance for the whole project keeps the run short: a `next
 * start` costs seconds of a loaded machine's CPU, and the families share it through separate
 * client addresses (`TRUSTED_PROXY=1`, one `X-Forwarded-For` per family).
 */
import { randomBytes, randomInt } from "node:crypto";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { hashPassword } from "@/lib/auth/password-hash";
import { openEmbeddedDatabase } from "@/lib/db/embedded";
import { ensureEdgeBuild, freePort, startAppInstance, type AppInstance } from "../../support/edge-app-server";
import { provisionDatabase, type ProvisionedDatabase } from "../../support/databases";
import { testKeyPair } from "../../support/keys";
import { postgresAdminUrl, postgresAnswers, redisAnswers, redisUrl } from "../../support/services";
import { startUpstashRestServer, type UpstashRestServer } from "../../support/upstash-rest-server";
import { forgetRunBuckets } from "./buckets";
import { SECURITY_PORTS } from "./ports";

export interface SecurityTarget {
  url: string;
  /** The private key the instance signs with, so tests can mint validly signed tokens with bad claims. */
  privateKeyPem: string;
  admin: { id: string; email: string; password: string };
  /** This run's third octet in 198.18.0.0/15 and its IPv6 /48 label: buckets no other run shares. */
  run: number;
  database: "postgres" | "pglite";
  store: "upstash" | "memory";
  /** Origins besides the app's own that CORS and CSRF trust (CORS_ORIGINS). */
  partnerOrigin: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    securityTarget: SecurityTarget;
  }
}

/** The sign-in failures allowed per address and per account: the production defaults, so the suite proves the real rule. */
export const AUTH_FAILURES_ALLOWED = 5;

async function seedAdmin(database: ProvisionedDatabase, admin: SecurityTarget["admin"]): Promise<void> {
  // Public sign-up can never make an admin (by design), so the first one is written directly,
  // before the server opens the database (the embedded one admits a single process).
  const sql = `INSERT INTO "User" (id, email, name, "passwordHash", role, "updatedAt") VALUES ($1, $2, 'Security Admin', $3, 'ADMIN', now())`;
  const params = [admin.id, admin.email, await hashPassword(admin.password)];
  if (database.url !== undefined) {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query(sql, params);
    } finally {
      await client.end();
    }
    return;
  }
  const embedded = await openEmbeddedDatabase(database.env.DATA_DIR as string);
  try {
    await embedded.db.query(sql, params);
  } finally {
    await embedded.close();
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [postgres, redis] = await Promise.all([postgresAnswers(), redisAnswers()]);
  if (process.env.CI === "true" && (!postgres || !redis)) {
    throw new Error("CI requires the real services, but Postgres or Redis did not answer.");
  }
  await ensureEdgeBuild();

  const run = randomInt(0, 256);
  const database = await provisionDatabase(postgres ? "postgres" : "pglite", { adminUrl: postgres ? postgresAdminUrl() : null });
  const admin = {
    id: `csec${randomBytes(12).toString("hex")}`,
    email: `admin-${run}-${randomBytes(4).toString("hex")}@security.test`,
    password: `admin password ${randomBytes(12).toString("hex")}`,
  };
  await seedAdmin(database, admin);

  let rest: UpstashRestServer | undefined;
  if (redis) rest = await startUpstashRestServer({ redisUrl: redisUrl() });
  const port = await freePort(SECURITY_PORTS.app, SECURITY_PORTS.app + 4);
  const url = `http://127.0.0.1:${port}`;
  const partnerOrigin = "https://partner.security.test";
  const privateKeyPem = testKeyPair("security").privateKeyPem;
  let instance: AppInstance;
  try {
    instance = await startAppInstance(port, {
      APP_URL: url,
      CORS_ORIGINS: partnerOrigin,
      JWT_PRIVATE_KEY: privateKeyPem,
      TRUSTED_PROXY: "1",
      // Each family has its own client address, but the fuzzer and the attack corpus send
      // hundreds of requests from theirs: these tiers would otherwise throttle the suite itself.
      // The sign-in tiers keep their production values, so the throttling tests meet the real rule.
      RATE_LIMIT_GLOBAL_MAX: "1000000",
      RATE_LIMIT_USER_MAX: "1000000",
      RATE_LIMIT_REFRESH_MAX: "1000000",
      RATE_LIMIT_CREDENTIAL_MAX: "1000000",
      RATE_LIMIT_MAIL_IP_MAX: "1000000",
      RATE_LIMIT_AUTH_MAX: String(AUTH_FAILURES_ALLOWED),
      RATE_LIMIT_AUTH_ACCOUNT_MAX: String(AUTH_FAILURES_ALLOWED),
      LOG_LEVEL: "silent",
      ...(rest === undefined ? {} : { UPSTASH_REDIS_REST_URL: rest.url, UPSTASH_REDIS_REST_TOKEN: rest.token }),
      ...Object.fromEntries(Object.entries(database.env).filter((entry): entry is [string, string] => entry[1] !== undefined)),
    });
  } catch (error) {
    await rest?.close();
    await database.drop();
    throw error;
  }

  const target: SecurityTarget = {
    url,
    privateKeyPem,
    admin,
    run,
    database: postgres ? "postgres" : "pglite",
    store: rest === undefined ? "memory" : "upstash",
    partnerOrigin,
  };
  process.stdout.write(`\nsecurity target: production build at ${url}; database ${target.database}; rate-limit store ${target.store}\n\n`);
  project.provide("securityTarget", target);

  return async () => {
    await instance.stop();
    await rest?.close();
    await database.drop();
    if (redis) await forgetRunBuckets(redisUrl(), run);
  };
}
