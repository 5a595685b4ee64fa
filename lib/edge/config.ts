/**
 * The edge layer's configuration, derived once from the validated environment (lib/env.ts).
 * Pure: `edgeConfigFrom()` takes an `Env`, so tests build any configuration without touching
 * `process.env`.
 */
import type { Env } from "../env";
import type { TrustedProxy } from "./client-ip";
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
