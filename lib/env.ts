/**
 * The one place that reads `process.env`. Every variable is listed by name (the edge runtime
 * cannot enumerate `process.env`), validated once with zod, and exported typed.
 *
 * Threat: a deployment that boots with a weak default (no signing key, a wildcard CORS origin,
 * a per-instance rate limiter) looks healthy while the defence is gone. A deployed app therefore
 * refuses to start, with one message that lists every problem at once. A local run needs no
 * variables at all. Which is which is decided in `isDeployed` (docs/decisions/004-deployed-vs-local.md).
 *
 * Web APIs only, and no `server-only` import: `next.config.ts` and the edge middleware load it.
 * The client side of the split is empty on purpose: the app defines no `NEXT_PUBLIC_*`
 * variable, so no configuration is inlined into browser bundles. Server components pass the
 * browser what it needs (for example, which sign-in providers exist) as props. Lint keeps
 * `process.env` out of every other module.
 */
import { z } from "zod";

/** The schema's variables, each as the process gives it: the list below must name exactly these. */
type ProcessVariables = Record<keyof z.input<typeof schema>, string | undefined>;

/**
 * Every variable the app reads, by name. Add a variable to the schema, here and in `.env.example`;
 * the compiler refuses a name here that the schema lacks, and a schema variable missing here.
 */
function readProcessEnv(): ProcessVariables {
  return {
    NODE_ENV: process.env.NODE_ENV,
    VERCEL: process.env.VERCEL,
    VERCEL_ENV: process.env.VERCEL_ENV,
    VERCEL_URL: process.env.VERCEL_URL,
    VERCEL_BRANCH_URL: process.env.VERCEL_BRANCH_URL,
    VERCEL_PROJECT_PRODUCTION_URL: process.env.VERCEL_PROJECT_PRODUCTION_URL,
    APP_URL: process.env.APP_URL,
    CORS_ORIGINS: process.env.CORS_ORIGINS,
    TRUSTED_PROXY: process.env.TRUSTED_PROXY,
    DATABASE_URL: process.env.DATABASE_URL,
    DATABASE_POOL_MAX: process.env.DATABASE_POOL_MAX,
    DATA_DIR: process.env.DATA_DIR,
    JWT_PRIVATE_KEY: process.env.JWT_PRIVATE_KEY,
    JWT_PUBLIC_KEYS: process.env.JWT_PUBLIC_KEYS,
    ACCESS_TOKEN_TTL: process.env.ACCESS_TOKEN_TTL,
    SESSION_IDLE_TTL: process.env.SESSION_IDLE_TTL,
    SESSION_ABSOLUTE_TTL: process.env.SESSION_ABSOLUTE_TTL,
    REFRESH_REUSE_GRACE: process.env.REFRESH_REUSE_GRACE,
    UPSTASH_REDIS_REST_URL: process.env.UPSTASH_REDIS_REST_URL,
    UPSTASH_REDIS_REST_TOKEN: process.env.UPSTASH_REDIS_REST_TOKEN,
    RATE_LIMIT_ALLOW_MEMORY_STORE: process.env.RATE_LIMIT_ALLOW_MEMORY_STORE,
    RATE_LIMIT_GLOBAL_MAX: process.env.RATE_LIMIT_GLOBAL_MAX,
    RATE_LIMIT_GLOBAL_WINDOW: process.env.RATE_LIMIT_GLOBAL_WINDOW,
    RATE_LIMIT_AUTH_MAX: process.env.RATE_LIMIT_AUTH_MAX,
    RATE_LIMIT_AUTH_ACCOUNT_MAX: process.env.RATE_LIMIT_AUTH_ACCOUNT_MAX,
    RATE_LIMIT_AUTH_WINDOW: process.env.RATE_LIMIT_AUTH_WINDOW,
    RATE_LIMIT_AUTH_KNOWN_ADDRESS_TTL: process.env.RATE_LIMIT_AUTH_KNOWN_ADDRESS_TTL,
    RATE_LIMIT_USER_MAX: process.env.RATE_LIMIT_USER_MAX,
    RATE_LIMIT_USER_WINDOW: process.env.RATE_LIMIT_USER_WINDOW,
    RATE_LIMIT_REFRESH_MAX: process.env.RATE_LIMIT_REFRESH_MAX,
    RATE_LIMIT_REFRESH_WINDOW: process.env.RATE_LIMIT_REFRESH_WINDOW,
    RATE_LIMIT_CREDENTIAL_MAX: process.env.RATE_LIMIT_CREDENTIAL_MAX,
    RATE_LIMIT_CREDENTIAL_WINDOW: process.env.RATE_LIMIT_CREDENTIAL_WINDOW,
    RATE_LIMIT_MAIL_IP_MAX: process.env.RATE_LIMIT_MAIL_IP_MAX,
    RATE_LIMIT_MAIL_ADDRESS_MAX: process.env.RATE_LIMIT_MAIL_ADDRESS_MAX,
    RATE_LIMIT_MAIL_WINDOW: process.env.RATE_LIMIT_MAIL_WINDOW,
    RATE_LIMIT_SECOND_FACTOR_MAX: process.env.RATE_LIMIT_SECOND_FACTOR_MAX,
    RATE_LIMIT_SECOND_FACTOR_WINDOW: process.env.RATE_LIMIT_SECOND_FACTOR_WINDOW,
    RATE_LIMIT_STORE_TIMEOUT_MS: process.env.RATE_LIMIT_STORE_TIMEOUT_MS,
    RATE_LIMIT_MEMORY_MAX_KEYS: process.env.RATE_LIMIT_MEMORY_MAX_KEYS,
    AUTH_GITHUB_ID: process.env.AUTH_GITHUB_ID,
    AUTH_GITHUB_SECRET: process.env.AUTH_GITHUB_SECRET,
    AUTH_GOOGLE_ID: process.env.AUTH_GOOGLE_ID,
    AUTH_GOOGLE_SECRET: process.env.AUTH_GOOGLE_SECRET,
    AUTH_OIDC_ISSUER: process.env.AUTH_OIDC_ISSUER,
    AUTH_OIDC_ID: process.env.AUTH_OIDC_ID,
    AUTH_OIDC_SECRET: process.env.AUTH_OIDC_SECRET,
    AUTH_OIDC_NAME: process.env.AUTH_OIDC_NAME,
    NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET,
    LOG_LEVEL: process.env.LOG_LEVEL,
    CRON_SECRET: process.env.CRON_SECRET,
    RETENTION_ENDED_SESSION_DAYS: process.env.RETENTION_ENDED_SESSION_DAYS,
    RETENTION_AUDIT_DAYS: process.env.RETENTION_AUDIT_DAYS,
    PRUNE_BATCH_SIZE: process.env.PRUNE_BATCH_SIZE,
    BENCH_MIDDLEWARE_STEPS: process.env.BENCH_MIDDLEWARE_STEPS,
    BENCH_RATE_LIMIT_CALLS: process.env.BENCH_RATE_LIMIT_CALLS,
    SMTP_URL: process.env.SMTP_URL,
    SMTP_HOST: process.env.SMTP_HOST,
    SMTP_PORT: process.env.SMTP_PORT,
    SMTP_USER: process.env.SMTP_USER,
    SMTP_PASSWORD: process.env.SMTP_PASSWORD,
    MAIL_FROM: process.env.MAIL_FROM,
    MAIL_SEND_TIMEOUT_MS: process.env.MAIL_SEND_TIMEOUT_MS,
    MFA_ENCRYPTION_KEY: process.env.MFA_ENCRYPTION_KEY,
    ADMIN_SECOND_FACTOR: process.env.ADMIN_SECOND_FACTOR,
    STEP_UP_MAX_AGE_SECONDS: process.env.STEP_UP_MAX_AGE_SECONDS,
  };
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host.toLowerCase());
}

export function isLoopbackOrigin(origin: string): boolean {
  try {
    return isLoopbackHost(new URL(origin).hostname);
  } catch {
    return false;
  }
}

/** An origin is scheme://host[:port] and nothing more: no path, query, credentials or wildcard. */
const origin = z.string().refine(
  (value) => {
    try {
      const url = new URL(value);
      // WHATWG URL parsing accepts `*` in a host name, so a wildcard must be refused explicitly.
      return url.origin === value && (url.protocol === "https:" || url.protocol === "http:") && !value.includes("*");
    } catch {
      return false;
    }
  },
  { message: "must be an origin such as https://app.example.com, with no path, trailing slash or wildcard" },
);

const originList = z
  .string()
  .transform((value) =>
    value
      .split(",")
      .map((item) => item.trim())
      .filter((item) => item !== ""),
  )
  .pipe(z.array(origin));

const postgresUrl = z.string().refine((value) => /^postgres(ql)?:\/\//.test(value), { message: "must be a postgres:// or postgresql:// URL" });

/** A rate-limit quota: how many requests (or failures) a window allows. */
const count = z.coerce.number().int().min(1).max(1_000_000);
/** A rate-limit window in seconds: from one second to one day. */
const windowSeconds = z.coerce.number().int().min(1).max(86_400);

const trustedProxy = z.union([
  z.enum(["vercel", "none"]),
  z
    .string()
    .regex(/^[1-9]$/, { message: 'must be "vercel", "none" or a hop count from 1 to 9' })
    .transform(Number),
]);

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  VERCEL: z.string().optional(),
  VERCEL_ENV: z.enum(["production", "preview", "development"]).optional(),
  VERCEL_URL: z.string().optional(),
  VERCEL_BRANCH_URL: z.string().optional(),
  VERCEL_PROJECT_PRODUCTION_URL: z.string().optional(),
  APP_URL: origin.optional(),
  CORS_ORIGINS: originList.default([]),
  TRUSTED_PROXY: trustedProxy.optional(),
  DATABASE_URL: postgresUrl.optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
  DATA_DIR: z.string().default(".data"),
  JWT_PRIVATE_KEY: z.string().optional(),
  JWT_PUBLIC_KEYS: z.string().optional(),
  ACCESS_TOKEN_TTL: z.coerce.number().int().min(5).max(3600).default(900),
  // Seconds. A session ends after 7 days without a refresh, and 30 days after sign-in at most.
  SESSION_IDLE_TTL: z.coerce
    .number()
    .int()
    .min(60)
    .max(90 * 86_400)
    .default(7 * 86_400),
  SESSION_ABSOLUTE_TTL: z.coerce
    .number()
    .int()
    .min(60)
    .max(365 * 86_400)
    .default(30 * 86_400),
  // Seconds during which the token just rotated away may still be presented without counting as
  // reuse (two tabs refreshing at once); see docs/decisions/006-refresh-token-reuse-grace.md.
  REFRESH_REUSE_GRACE: z.coerce.number().int().min(0).max(60).default(10),
  UPSTASH_REDIS_REST_URL: z.url({ protocol: /^https?$/ }).optional(),
  UPSTASH_REDIS_REST_TOKEN: z.string().optional(),
  // Not a boolean: the value says what is accepted, so nobody sets it without reading why.
  RATE_LIMIT_ALLOW_MEMORY_STORE: z
    .enum(["single-instance"], { message: 'must be "single-instance": it acknowledges that this deployment runs exactly one instance' })
    .optional(),
  // Rate-limit tiers (lib/edge/rate-limit/policy.ts, docs/edge.md). Counts are requests (for the
  // auth tiers, failed sign-ins); windows are seconds. The defaults are the secure values.
  RATE_LIMIT_GLOBAL_MAX: count.default(3000),
  RATE_LIMIT_GLOBAL_WINDOW: windowSeconds.default(15 * 60),
  RATE_LIMIT_AUTH_MAX: count.default(5),
  RATE_LIMIT_AUTH_ACCOUNT_MAX: count.default(5),
  RATE_LIMIT_AUTH_WINDOW: windowSeconds.default(15 * 60),
  // How long an address that signed in to an account stays exempt from that account's lock
  // (docs/decisions/012-account-keyed-auth-limit.md); 0 turns the exemption off.
  RATE_LIMIT_AUTH_KNOWN_ADDRESS_TTL: z.coerce
    .number()
    .int()
    .min(0)
    .max(365 * 86_400)
    .default(30 * 86_400),
  RATE_LIMIT_USER_MAX: count.default(30),
  RATE_LIMIT_USER_WINDOW: windowSeconds.default(60),
  RATE_LIMIT_REFRESH_MAX: count.default(10),
  RATE_LIMIT_REFRESH_WINDOW: windowSeconds.default(15 * 60),
  // Every POST that hashes or checks a password or client secret, per address: the global tier
  // is sized for people browsing (ADR 019), this one for the work an attacker can make us do.
  RATE_LIMIT_CREDENTIAL_MAX: count.default(100),
  RATE_LIMIT_CREDENTIAL_WINDOW: windowSeconds.default(15 * 60),
  // Requests that mail someone an account link (sign-up, forgot password, address change), per
  // client IP and per recipient address: the app must not become a way to flood a mailbox.
  RATE_LIMIT_MAIL_IP_MAX: count.default(30),
  RATE_LIMIT_MAIL_ADDRESS_MAX: count.default(3),
  RATE_LIMIT_MAIL_WINDOW: windowSeconds.default(15 * 60),
  // Wrong second-factor codes per account (ADR 047): a six-digit code must not be guessable.
  RATE_LIMIT_SECOND_FACTOR_MAX: count.default(5),
  RATE_LIMIT_SECOND_FACTOR_WINDOW: windowSeconds.default(15 * 60),
  // How long a shared-store call may take before the tier's failure policy applies (ADR 011).
  RATE_LIMIT_STORE_TIMEOUT_MS: z.coerce.number().int().min(50).max(10_000).default(1_000),
  // Keys the in-memory store keeps per tier before evicting the least recently used one; also the
  // bound on the refused keys the Upstash store caches in each instance's memory, per tier.
  RATE_LIMIT_MEMORY_MAX_KEYS: z.coerce.number().int().min(100).max(1_000_000).default(10_000),
  AUTH_GITHUB_ID: z.string().optional(),
  AUTH_GITHUB_SECRET: z.string().optional(),
  AUTH_GOOGLE_ID: z.string().optional(),
  AUTH_GOOGLE_SECRET: z.string().optional(),
  // An OpenID Connect issuer identifier: a URL with no query or fragment (OIDC Discovery §2).
  AUTH_OIDC_ISSUER: z
    .url({ protocol: /^https?$/ })
    .refine((value) => !value.includes("?") && !value.includes("#"), { message: "must be an issuer URL with no query or fragment" })
    .optional(),
  AUTH_OIDC_ID: z.string().optional(),
  AUTH_OIDC_SECRET: z.string().optional(),
  // The generic OIDC provider's button label ("Continue with Okta"); see lib/auth/oauth/configured.ts.
  AUTH_OIDC_NAME: z.string().trim().min(1).max(40).optional(),
  // Encrypts the identity broker's short-lived state, PKCE and nonce cookies and the pending-link
  // cookie (docs/oauth.md). 32 characters from a CSPRNG carry at least 128 bits even as hex.
  NEXTAUTH_SECRET: z.string().min(32, { message: "must be at least 32 characters (for example `openssl rand -base64 32`)" }).optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  // What the scheduled prune (GET /api/cron/prune) must present as `Authorization: Bearer …`;
  // Vercel sends it from vercel.json's cron entry. Unset, the route answers 404.
  CRON_SECRET: z.string().min(32, { message: "must be at least 32 characters (for example `openssl rand -base64 32`)" }).optional(),
  // Retention (lib/db/prune.ts, docs/decisions/018-retention-in-bounded-batches.md): how long an
  // ended session and its tokens, and an audit row, are kept before the prune deletes them.
  RETENTION_ENDED_SESSION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  RETENTION_AUDIT_DAYS: z.coerce.number().int().min(30).max(3650).default(400),
  // Rows one prune statement deletes: small enough that no statement holds its locks for long.
  PRUNE_BATCH_SIZE: z.coerce.number().int().min(100).max(50_000).default(5_000),
  // Benchmarks only (bench/ladder.ts): run the edge middleware's steps up to this one, so each
  // rung of the overhead ladder is the same build with one more layer. Each value includes the
  // ones before it; unset runs every step. A deployment refuses it (deploymentProblems).
  BENCH_MIDDLEWARE_STEPS: z.enum(["none", "headers", "headers,rate-limit", "headers,rate-limit,token"]).optional(),
  // Benchmarks only (bench/ladder.ts): "per-tier" makes the middleware ask the shared store once
  // per tier, as before ADR 049, so the ladder measures what one round trip per request saves in
  // the same run. A deployment refuses it (deploymentProblems).
  BENCH_RATE_LIMIT_CALLS: z.enum(["per-tier"]).optional(),
  // Mail (lib/mail/). Unset locally: mail is kept in the development outbox. A deployment must
  // name a relay: SMTP_URL (smtp:// with STARTTLS, or smtps://), or the host and its parts.
  SMTP_URL: z
    .string()
    .refine((value) => /^smtps?:\/\/[^/]/.test(value), { message: "must be an smtp:// or smtps:// URL" })
    .optional(),
  SMTP_HOST: z.string().min(1).optional(),
  SMTP_PORT: z.coerce.number().int().min(1).max(65_535).optional(),
  SMTP_USER: z.string().optional(),
  SMTP_PASSWORD: z.string().optional(),
  MAIL_FROM: z.string().min(3).max(320).optional(),
  // How long a request waits for its message to be handed to the relay before it answers anyway;
  // the attempt carries on, and a failure is retried (lib/mail/send-mail.ts).
  MAIL_SEND_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(2_000),
  // Encrypts second-factor secrets at rest (lib/auth/mfa/secret-box.ts): 32 bytes from a CSPRNG,
  // in base64 or base64url. Unset locally: a key is generated once into DATA_DIR/keys/.
  MFA_ENCRYPTION_KEY: z
    .string()
    .regex(/^[A-Za-z0-9+/_-]{43}=?$/, { message: "must be 32 random bytes in base64 or base64url (for example `openssl rand -base64 32`)" })
    .optional(),
  // `required`: an administrator without a second factor may use no admin tool until they set
  // one up (ADR 047). Unset: required in a deployment, optional locally, so the seeded demo admin
  // works out of the box.
  ADMIN_SECOND_FACTOR: z.enum(["required", "optional"]).optional(),
  // How recent a second factor must be for a sensitive action (RFC 9470 `max_age`; ADR 047).
  // Lower asks more often; more than an hour would let a borrowed session change the password.
  STEP_UP_MAX_AGE_SECONDS: z.coerce.number().int().min(1).max(3600).default(600),
});

type RawEnv = z.output<typeof schema>;

export interface Env extends Omit<RawEnv, "APP_URL" | "TRUSTED_PROXY" | "ADMIN_SECOND_FACTOR"> {
  ADMIN_SECOND_FACTOR: "required" | "optional";
  /** True for a deployment; false for a local run (dev server, tests, `next start` on loopback). */
  deployed: boolean;
  APP_URL: string;
  TRUSTED_PROXY: "vercel" | "none" | number;
}

/**
 * A deployment is a production build that either runs on Vercel or serves a non-loopback
 * origin. A production build on localhost (`npm start`, the end-to-end tests) is local: it may
 * use the embedded database, generated keys and the in-memory limiter. A real deployment that
 * forgot APP_URL still fails closed: its origin is not on the allowlist, so CSRF checks refuse
 * every state-changing request until APP_URL is set, which then makes it strict.
 */
function isDeployed(raw: RawEnv): boolean {
  if (raw.NODE_ENV !== "production") return false;
  if (raw.VERCEL === "1") return true;
  return raw.APP_URL !== undefined && !isLoopbackOrigin(raw.APP_URL);
}

function deploymentProblems(raw: RawEnv): string[] {
  const problems: string[] = [];
  if (raw.APP_URL === undefined) problems.push("APP_URL: required in a deployment (the app's public https origin)");
  for (const value of [raw.APP_URL, ...raw.CORS_ORIGINS]) {
    if (value !== undefined && !value.startsWith("https://")) problems.push(`APP_URL/CORS_ORIGINS: ${value} must use https://`);
  }
  if (raw.DATABASE_URL === undefined) problems.push("DATABASE_URL: required in a deployment (the embedded database is for local use)");
  if (raw.JWT_PRIVATE_KEY === undefined) problems.push("JWT_PRIVATE_KEY: required in a deployment (run `npm run keys:generate`)");
  // Locally it is generated into DATA_DIR. Deployed, each instance would make its own and lose it
  // on restart, and a lost key is every enrolled second factor lost: it comes from the secret store.
  if (raw.MFA_ENCRYPTION_KEY === undefined) {
    problems.push("MFA_ENCRYPTION_KEY: required in a deployment, the key second-factor secrets are encrypted with (run `npm run keys:generate`)");
  }
  // It turns security layers off; only a local production build may measure without them.
  if (raw.BENCH_MIDDLEWARE_STEPS !== undefined)
    problems.push("BENCH_MIDDLEWARE_STEPS: a benchmarking switch that turns edge steps off; never set it in a deployment");
  if (raw.BENCH_RATE_LIMIT_CALLS !== undefined)
    problems.push("BENCH_RATE_LIMIT_CALLS: a benchmarking switch that slows the rate limits down; never set it in a deployment");
  problems.push(...clientAddressProblems(raw), ...limiterStoreProblems(raw), ...backendTlsProblems(raw), ...mailProblems(raw));
  // vercel.json schedules the prune; without the secret every scheduled call would be refused.
  if (raw.VERCEL === "1" && raw.CRON_SECRET === undefined) {
    problems.push("CRON_SECRET: required on Vercel, where vercel.json schedules the prune of ended sessions and old audit rows");
  }
  return problems;
}

/**
 * Without a trusted hop the edge sees no client address, so every client shares one per-IP
 * bucket: five wrong passwords from anyone lock the whole world out of sign-in (ADR 016).
 */
function clientAddressProblems(raw: RawEnv): string[] {
  const trustedProxy = raw.TRUSTED_PROXY ?? (raw.VERCEL === "1" ? "vercel" : "none");
  if (trustedProxy !== "none") return [];
  return [
    "TRUSTED_PROXY: a deployment must say where the client address comes from: the number of proxies in front of the app (1-9), " +
      'or "vercel"; with "none" every client shares one rate-limit bucket and a few wrong passwords lock everyone out of sign-in',
  ];
}

/** Per-instance limits multiply with the instance count and restart from zero on every cold start. */
function limiterStoreProblems(raw: RawEnv): string[] {
  const hasUpstash = raw.UPSTASH_REDIS_REST_URL !== undefined && raw.UPSTASH_REDIS_REST_TOKEN !== undefined;
  if (hasUpstash) return [];
  if (raw.VERCEL === "1") {
    return ["UPSTASH_REDIS_REST_URL/UPSTASH_REDIS_REST_TOKEN: required on Vercel, which runs many short-lived instances that share no memory"];
  }
  if (raw.RATE_LIMIT_ALLOW_MEMORY_STORE === "single-instance") return [];
  return [
    "UPSTASH_REDIS_REST_URL/UPSTASH_REDIS_REST_TOKEN: required in a deployment, so rate limits are shared across instances " +
      "(or, for a deployment of exactly one instance, set RATE_LIMIT_ALLOW_MEMORY_STORE=single-instance)",
  ];
}

/** Credentials and every row travel to the database and the limiter; only loopback may skip TLS. */
function backendTlsProblems(raw: RawEnv): string[] {
  const problems: string[] = [];
  if (raw.DATABASE_URL !== undefined && !postgresUsesTls(raw.DATABASE_URL)) {
    problems.push("DATABASE_URL: add sslmode=require (or verify-ca, verify-full) in a deployment; only a loopback or socket host may go without TLS");
  }
  const upstash = raw.UPSTASH_REDIS_REST_URL;
  if (upstash !== undefined && !upstash.startsWith("https://") && !isLoopbackOrigin(upstash)) {
    problems.push("UPSTASH_REDIS_REST_URL: must use https:// in a deployment unless the host is loopback");
  }
  return problems;
}

/** Mail carries password-reset links: a deployment must send it, and say from whom. */
function mailProblems(raw: RawEnv): string[] {
  const problems: string[] = [];
  if (raw.SMTP_URL === undefined && raw.SMTP_HOST === undefined) {
    problems.push("SMTP_URL (or SMTP_HOST): required in a deployment, which must send its mail (the development outbox is for local use)");
  }
  if (raw.MAIL_FROM === undefined) problems.push('MAIL_FROM: required in a deployment, the sender of every message, such as "Palisade <no-reply@example.com>"');
  return problems;
}

/** Both ways of naming a relay at once would leave it unclear which one is used. */
function mailConfigProblems(raw: RawEnv): string[] {
  const parts = [raw.SMTP_HOST, raw.SMTP_PORT, raw.SMTP_USER, raw.SMTP_PASSWORD].some((value) => value !== undefined);
  if (raw.SMTP_URL !== undefined && parts) return ["SMTP_URL/SMTP_HOST: name the relay one way, the URL or its parts, not both"];
  if (raw.SMTP_HOST === undefined && parts) return ["SMTP_HOST: required when SMTP_PORT, SMTP_USER or SMTP_PASSWORD is set"];
  if ((raw.SMTP_USER === undefined) !== (raw.SMTP_PASSWORD === undefined)) return ["SMTP_USER/SMTP_PASSWORD: set both or neither"];
  return [];
}

const TLS_SSLMODES = new Set(["require", "verify-ca", "verify-full"]);

/** True when the URL asks for TLS, or its host is loopback or a Unix socket (no network at all). */
export function postgresUsesTls(databaseUrl: string): boolean {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    return false;
  }
  if (TLS_SSLMODES.has(url.searchParams.get("sslmode") ?? "")) return true;
  // `?host=` overrides the authority (node-postgres and libpq), e.g. a Unix socket directory.
  const host = url.searchParams.get("host") ?? url.hostname;
  return host.startsWith("/") || isLoopbackHost(host);
}

function localProblems(raw: RawEnv): string[] {
  // Plain http is tolerated locally, but only for loopback: a LAN or public origin over http
  // would send cookies in clear text.
  return [raw.APP_URL, ...raw.CORS_ORIGINS]
    .filter((value): value is string => value !== undefined)
    .filter((value) => value.startsWith("http://") && !isLoopbackOrigin(value))
    .map((value) => `APP_URL/CORS_ORIGINS: ${value} uses http:// on a non-loopback host; use https://`);
}

/** The identity broker's rules (docs/oauth.md): a real secret, and https to the issuer, in a deployment. */
function brokerProblems(raw: RawEnv, deployed: boolean): string[] {
  if (!deployed) return [];
  const problems: string[] = [];
  const anyProvider = raw.AUTH_GITHUB_ID !== undefined || raw.AUTH_GOOGLE_ID !== undefined || raw.AUTH_OIDC_ID !== undefined;
  if (anyProvider && raw.NEXTAUTH_SECRET === undefined) {
    problems.push("NEXTAUTH_SECRET: required in a deployment when a sign-in provider is configured");
  }
  if (raw.AUTH_OIDC_ISSUER !== undefined && !raw.AUTH_OIDC_ISSUER.startsWith("https://")) {
    problems.push(`AUTH_OIDC_ISSUER: ${raw.AUTH_OIDC_ISSUER} must use https:// in a deployment`);
  }
  return problems;
}

function pairProblems(raw: RawEnv): string[] {
  const pairs: [keyof RawEnv, keyof RawEnv][] = [
    ["UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN"],
    ["AUTH_GITHUB_ID", "AUTH_GITHUB_SECRET"],
    ["AUTH_GOOGLE_ID", "AUTH_GOOGLE_SECRET"],
    ["AUTH_OIDC_ID", "AUTH_OIDC_SECRET"],
    ["AUTH_OIDC_ISSUER", "AUTH_OIDC_ID"],
  ];
  return pairs.filter(([a, b]) => (raw[a] === undefined) !== (raw[b] === undefined)).map(([a, b]) => `${a}/${b}: set both or neither`);
}

export type EnvResult = { ok: true; env: Env } | { ok: false; problems: string[] };

/** Validate a variable source. Pure, so tests can feed it any environment. */
export function parseEnv(source: Record<string, string | undefined>): EnvResult {
  // An empty value (`FOO=` in a .env file) means unset, not "the empty string".
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ""));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => `${issue.path.join(".") || "(env)"}: ${issue.message}`),
    };
  }
  const raw = parsed.data;
  const deployed = isDeployed(raw);
  const problems = [
    ...pairProblems(raw),
    ...mailConfigProblems(raw),
    ...(deployed ? deploymentProblems(raw) : localProblems(raw)),
    ...brokerProblems(raw, deployed),
  ];
  if (problems.length > 0) return { ok: false, problems };

  return {
    ok: true,
    env: {
      ...raw,
      deployed,
      APP_URL: raw.APP_URL ?? "http://localhost:3000",
      TRUSTED_PROXY: raw.TRUSTED_PROXY ?? (raw.VERCEL === "1" ? "vercel" : "none"),
      ADMIN_SECOND_FACTOR: raw.ADMIN_SECOND_FACTOR ?? (deployed ? "required" : "optional"),
    },
  };
}

export class InvalidEnvironmentError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment; the app will not start until these are fixed:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "InvalidEnvironmentError";
  }
}

export function loadEnv(source: Record<string, string | undefined> = readProcessEnv()): Env {
  const result = parseEnv(source);
  if (!result.ok) throw new InvalidEnvironmentError(result.problems);
  return result.env;
}

if (typeof window !== "undefined") {
  throw new Error("lib/env.ts holds server configuration and must not be bundled for the browser.");
}

/** The validated configuration of this process. */
export const env: Env = loadEnv();
