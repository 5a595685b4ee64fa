/**
 * The edge layer's configuration, derived once from the validated environment (lib/env.ts).
 * Pure: `edgeConfigFrom()` takes an `Env`, so tests build any configuration without touching
 * `process.env`.
 */
import type { Env } from "../env";
import type { TrustedProxy } from "../shared/client-ip";
import { policiesFrom, type TierPolicies } from "./rate-limit/policy";

export interface EdgeConfig {
  /** Origins allowed to call the API with credentials, and to send state-changing requests. */
  allowedOrigins: ReadonlySet<string>;
  trustedProxy: TrustedProxy;
  /** A deployment: HSTS and `upgrade-insecure-requests` are sent (docs/decisions/004-deployed-vs-local.md). */
  deployed: boolean;
  /** `next dev`: React needs `'unsafe-eval'` for its error overlays. Never true in a build. */
  development: boolean;
  policies: TierPolicies;
  /** Only the Vercel preview origins, listed separately so the docs and tests can name them. */
  previewOrigins: readonly string[];
  /** Which steps run: all of them, except in the benchmarks' overhead ladder (BENCH_MIDDLEWARE_STEPS). */
  steps: EdgeSteps;
}

/**
 * The overhead ladder's rungs (bench/ladder.ts): `headers` is every step but the rate limits and
 * the token gate (request ID, client IP, CORS, CSRF, security headers with the CSP nonce, body
 * size); `rateLimit` adds the limits; `token` adds verification and the gate. Without `headers`
 * the middleware passes every request on untouched: the "empty middleware" rung.
 */
export interface EdgeSteps {
  headers: boolean;
  rateLimit: boolean;
  token: boolean;
}

export function edgeStepsFrom(value: Env["BENCH_MIDDLEWARE_STEPS"]): EdgeSteps {
  const steps = new Set(value === undefined ? ["headers", "rate-limit", "token"] : value.split(","));
  return { headers: steps.has("headers"), rateLimit: steps.has("rate-limit"), token: steps.has("token") };
}

export function edgeConfigFrom(env: Env): EdgeConfig {
  const previewOrigins = vercelOrigins(env);
  return {
    allowedOrigins: new Set([env.APP_URL, ...env.CORS_ORIGINS, ...previewOrigins]),
    trustedProxy: env.TRUSTED_PROXY,
    deployed: env.deployed,
    development: env.NODE_ENV === "development",
    policies: policiesFrom(env),
    previewOrigins,
    steps: edgeStepsFrom(env.BENCH_MIDDLEWARE_STEPS),
  };
}

// A bare host name as Vercel sets it: lowercase labels, no scheme, port, path or wildcard.
const VERCEL_HOST = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;

/**
 * A Vercel deployment is also served at its own generated hosts (`VERCEL_URL`, and
 * `VERCEL_BRANCH_URL` for the branch alias). Those exact origins are allowed, and nothing else:
 * trusting `*.vercel.app` would trust every other customer's deployment too, since anyone can
 * deploy a page there.
 */
function vercelOrigins(env: Env): string[] {
  if (env.VERCEL !== "1") return [];
  return [env.VERCEL_URL, env.VERCEL_BRANCH_URL]
    .filter((host): host is string => host !== undefined && VERCEL_HOST.test(host))
    .map((host) => `https://${host}`);
}
