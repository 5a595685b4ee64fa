import { describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/env";

const DEPLOYED_OK = {
  NODE_ENV: "production",
  APP_URL: "https://app.example.com",
  DATABASE_URL: "postgres://u:p@db.example.com:5432/app?sslmode=require",
  TRUSTED_PROXY: "1",
  JWT_PRIVATE_KEY: "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----",
  UPSTASH_REDIS_REST_URL: "https://eu1-example.upstash.io",
  UPSTASH_REDIS_REST_TOKEN: "token",
  CRON_SECRET: "c".repeat(32),
  SMTP_URL: "smtps://user:pass@smtp.example.com",
  MAIL_FROM: "Palisade <no-reply@example.com>",
  MFA_ENCRYPTION_KEY: "k".repeat(43),
};

function problems(source: Record<string, string | undefined>): string[] {
  const result = parseEnv(source);
  return result.ok ? [] : result.problems;
}

describe("environment", () => {
  it("needs no variables at all for local development", () => {
    const result = parseEnv({});
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.env.deployed).toBe(false);
      expect(result.env.APP_URL).toBe("http://localhost:3000");
      expect(result.env.ACCESS_TOKEN_TTL).toBe(900);
      expect(result.env.TRUSTED_PROXY).toBe("none");
    }
  });

  it("treats a production build on a loopback origin as local (npm start, end-to-end tests)", () => {
    const result = parseEnv({ NODE_ENV: "production", APP_URL: "http://localhost:3100" });
    expect(result.ok && result.env.deployed).toBe(false);
  });

  it("accepts a complete deployment", () => {
    const result = parseEnv(DEPLOYED_OK);
    expect(result.ok && result.env.deployed).toBe(true);
  });

  it("refuses a deployment with every missing variable listed in one message", () => {
    const list = problems({ NODE_ENV: "production", APP_URL: "https://app.example.com" });
    expect(list).toEqual(
      expect.arrayContaining([
        expect.stringContaining("DATABASE_URL"),
        expect.stringContaining("JWT_PRIVATE_KEY"),
        expect.stringContaining("UPSTASH_REDIS_REST_URL"),
      ]),
    );
  });

  it("treats any Vercel production build as a deployment, even without APP_URL", () => {
    const list = problems({ NODE_ENV: "production", VERCEL: "1" });
    expect(list).toEqual(expect.arrayContaining([expect.stringContaining("APP_URL"), expect.stringContaining("JWT_PRIVATE_KEY")]));
  });

  it("refuses the benchmarks' one-call-per-tier switch in a deployment, where it would slow every limit", () => {
    expect(problems({ ...DEPLOYED_OK, BENCH_RATE_LIMIT_CALLS: "per-tier" })).toEqual([expect.stringContaining("BENCH_RATE_LIMIT_CALLS")]);
    expect(problems({ NODE_ENV: "production", APP_URL: "http://localhost:3000", BENCH_RATE_LIMIT_CALLS: "per-tier" })).toEqual([]);
  });

  it("refuses the benchmarks' middleware switch in a deployment, where it would turn edge steps off", () => {
    expect(problems({ ...DEPLOYED_OK, BENCH_MIDDLEWARE_STEPS: "none" })).toEqual([expect.stringContaining("BENCH_MIDDLEWARE_STEPS")]);
    expect(problems({ ...DEPLOYED_OK, VERCEL: "1", BENCH_MIDDLEWARE_STEPS: "headers,rate-limit,token" })).toEqual([
      expect.stringContaining("BENCH_MIDDLEWARE_STEPS"),
    ]);
    // A local production build (the benchmarks' own) may use it, and only with a known rung.
    expect(problems({ NODE_ENV: "production", APP_URL: "http://127.0.0.1:3700", BENCH_MIDDLEWARE_STEPS: "headers" })).toEqual([]);
    expect(problems({ BENCH_MIDDLEWARE_STEPS: "token" })).toEqual([expect.stringContaining("BENCH_MIDDLEWARE_STEPS")]);
  });

  it("accepts the in-memory rate limiter in a deployment only with the explicit opt-out", () => {
    const { UPSTASH_REDIS_REST_URL: _url, UPSTASH_REDIS_REST_TOKEN: _token, ...withoutUpstash } = DEPLOYED_OK;
    expect(problems(withoutUpstash)).toEqual([expect.stringContaining("RATE_LIMIT_ALLOW_MEMORY_STORE")]);
    expect(problems({ ...withoutUpstash, RATE_LIMIT_ALLOW_MEMORY_STORE: "single-instance" })).toEqual([]);
  });

  it("refuses a deployment with TRUSTED_PROXY=none, where every client would share one rate-limit bucket", () => {
    expect(problems({ ...DEPLOYED_OK, TRUSTED_PROXY: "none" })).toEqual([expect.stringContaining("TRUSTED_PROXY")]);
    const { TRUSTED_PROXY: _unset, ...defaulted } = DEPLOYED_OK;
    expect(problems(defaulted)).toEqual([expect.stringContaining("TRUSTED_PROXY")]);
    // On Vercel the default is Vercel's own header, which is fine.
    expect(problems({ ...defaulted, VERCEL: "1" })).toEqual([]);
  });

  it("refuses a Vercel deployment without CRON_SECRET, whose scheduled prune would otherwise never run", () => {
    const { CRON_SECRET: _secret, ...withoutSecret } = DEPLOYED_OK;
    expect(problems({ ...withoutSecret, VERCEL: "1" })).toEqual([expect.stringContaining("CRON_SECRET")]);
    // Elsewhere the prune runs from `npm run db:prune` on a schedule of the operator's own.
    expect(problems(withoutSecret)).toEqual([]);
    expect(problems({ ...DEPLOYED_OK, CRON_SECRET: "too short" })).toEqual([expect.stringContaining("CRON_SECRET")]);
  });

  it("refuses a deployment without MFA_ENCRYPTION_KEY, which each instance would otherwise generate for itself and lose", () => {
    const { MFA_ENCRYPTION_KEY: _key, ...withoutKey } = DEPLOYED_OK;
    expect(problems(withoutKey)).toEqual([expect.stringContaining("MFA_ENCRYPTION_KEY")]);
    // A local run generates one into DATA_DIR (lib/auth/dev-keys.ts).
    expect(problems({})).toEqual([]);
  });

  it("requires a second factor of administrators in a deployment unless the operator opts out, and not locally", () => {
    const deployed = parseEnv(DEPLOYED_OK);
    const local = parseEnv({});
    const optedOut = parseEnv({ ...DEPLOYED_OK, ADMIN_SECOND_FACTOR: "optional" });
    expect([deployed, local, optedOut].map((result) => (result.ok ? result.env.ADMIN_SECOND_FACTOR : null))).toEqual(["required", "optional", "optional"]);
    expect(problems({ ADMIN_SECOND_FACTOR: "sometimes" })).toEqual([expect.stringContaining("ADMIN_SECOND_FACTOR")]);
  });

  it("refuses a step-up age over an hour, which would let a borrowed session change the password long after the owner left", () => {
    expect(problems({ STEP_UP_MAX_AGE_SECONDS: "3601" })).toEqual([expect.stringContaining("STEP_UP_MAX_AGE_SECONDS")]);
    expect(problems({ STEP_UP_MAX_AGE_SECONDS: "0" })).toEqual([expect.stringContaining("STEP_UP_MAX_AGE_SECONDS")]);
    const result = parseEnv({});
    expect(result.ok && result.env.STEP_UP_MAX_AGE_SECONDS).toBe(600);
  });

  it.each([
    ["16 bytes", "A".repeat(22)],
    ["33 bytes", "A".repeat(44)],
    ["hex, not base64", "ab".repeat(32)],
    ["a passphrase", "correct horse battery staple, stapled twice"],
  ])("refuses an MFA_ENCRYPTION_KEY of %s anywhere", (_what, value) => {
    expect(problems({ MFA_ENCRYPTION_KEY: value })).toEqual([expect.stringContaining("MFA_ENCRYPTION_KEY")]);
  });

  it("takes a 32-byte MFA_ENCRYPTION_KEY in base64, padded or not, or in base64url", () => {
    const bytes = Uint8Array.from({ length: 32 }, (_, index) => index * 8 + 3);
    const base64 = Buffer.from(bytes).toString("base64");
    for (const value of [base64, base64.replace(/=+$/, ""), Buffer.from(bytes).toString("base64url")]) {
      expect(problems({ ...DEPLOYED_OK, MFA_ENCRYPTION_KEY: value })).toEqual([]);
    }
  });

  it("takes only the spelled-out acknowledgement for the in-memory limiter, and never on Vercel", () => {
    const { UPSTASH_REDIS_REST_URL: _url, UPSTASH_REDIS_REST_TOKEN: _token, ...withoutUpstash } = DEPLOYED_OK;
    expect(problems({ ...withoutUpstash, RATE_LIMIT_ALLOW_MEMORY_STORE: "true" })).toEqual([expect.stringContaining('"single-instance"')]);
    expect(problems({ ...withoutUpstash, VERCEL: "1", RATE_LIMIT_ALLOW_MEMORY_STORE: "single-instance" })).toEqual([
      expect.stringContaining("required on Vercel"),
    ]);
  });

  it.each([
    ["no sslmode", "postgres://u:p@db.example.com:5432/app"],
    ["sslmode=prefer, which falls back to clear text", "postgres://u:p@db.example.com/app?sslmode=prefer"],
    ["sslmode=disable", "postgresql://u:p@10.0.0.5/app?sslmode=disable"],
    ["a loopback name in the path but a remote host", "postgres://u:p@db.example.com/localhost"],
  ])("refuses a deployment's database URL without TLS: %s", (_name, url) => {
    expect(problems({ ...DEPLOYED_OK, DATABASE_URL: url })).toEqual([expect.stringContaining("sslmode=require")]);
  });

  it.each([
    ["sslmode=verify-full", "postgres://u:p@db.example.com/app?sslmode=verify-full"],
    ["a loopback host", "postgres://u:p@127.0.0.1:5432/app"],
    ["IPv6 loopback", "postgres://u:p@[::1]:5432/app"],
    ["a Unix socket", "postgresql:///app?host=/cloudsql/project:region:db"],
  ])("accepts a deployment's database URL with %s", (_name, url) => {
    expect(problems({ ...DEPLOYED_OK, DATABASE_URL: url })).toEqual([]);
  });

  it("refuses a plain-http limiter store in a deployment unless it is on loopback", () => {
    expect(problems({ ...DEPLOYED_OK, UPSTASH_REDIS_REST_URL: "http://redis.example.com" })).toEqual([expect.stringContaining("UPSTASH_REDIS_REST_URL")]);
    expect(problems({ ...DEPLOYED_OK, UPSTASH_REDIS_REST_URL: "http://127.0.0.1:8079" })).toEqual([]);
  });

  it("lets a local run keep its plain loopback database and no proxy", () => {
    expect(problems({ DATABASE_URL: "postgres://u:p@db.internal/app", TRUSTED_PROXY: "none" })).toEqual([]);
  });

  it.each([
    ["a wildcard", "*"],
    ["a wildcard subdomain", "https://*.example.com"],
    ["a path", "https://example.com/app"],
    ["a trailing slash", "https://example.com/"],
    ["not a URL", "example.com"],
  ])("refuses %s as a CORS origin", (_name, value) => {
    expect(problems({ CORS_ORIGINS: value })).toEqual([expect.stringContaining("CORS_ORIGINS")]);
  });

  it("refuses http:// origins in a deployment", () => {
    expect(problems({ ...DEPLOYED_OK, CORS_ORIGINS: "http://admin.example.com" })).toEqual([
      expect.stringContaining("http://admin.example.com must use https://"),
    ]);
  });

  it("refuses a non-loopback http:// origin even locally, and allows loopback", () => {
    expect(problems({ CORS_ORIGINS: "http://192.168.1.10:3000" })).toEqual([expect.stringContaining("non-loopback")]);
    expect(problems({ CORS_ORIGINS: "http://127.0.0.1:3001,http://localhost:5173" })).toEqual([]);
  });

  it("refuses a database URL that is not Postgres", () => {
    expect(problems({ DATABASE_URL: "mysql://localhost/app" })).toEqual([expect.stringContaining("DATABASE_URL")]);
  });

  it("refuses half-configured credentials", () => {
    expect(problems({ AUTH_GITHUB_ID: "id" })).toEqual([expect.stringContaining("AUTH_GITHUB_ID/AUTH_GITHUB_SECRET")]);
  });

  it("treats an empty value as unset", () => {
    expect(parseEnv({ DATABASE_URL: "", APP_URL: "" }).ok).toBe(true);
  });

  it.each(["0", "vercelx", "-1", "10"])("refuses TRUSTED_PROXY=%s", (value) => {
    expect(problems({ TRUSTED_PROXY: value })).toEqual([expect.stringContaining("TRUSTED_PROXY")]);
  });

  it("parses TRUSTED_PROXY as a hop count", () => {
    const result = parseEnv({ TRUSTED_PROXY: "2" });
    expect(result.ok && result.env.TRUSTED_PROXY).toBe(2);
  });
});
