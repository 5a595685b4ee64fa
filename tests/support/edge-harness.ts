/**
 * Runs the real middleware (middleware.ts `createMiddleware`) in-process with a configuration,
 * store and token verifier chosen by the test, and collects its log lines instead of printing
 * them. Requests are real `NextRequest`s; what the middleware forwards to Next.js is read back
 * from the response the way Next.js itself reads it.
 */
import { NextRequest } from "next/server";
import { createMiddleware, type EdgeDependencies } from "@/middleware";
import { parseEnv } from "@/lib/env";
import { edgeConfigFrom, type EdgeConfig } from "@/lib/edge/config";
import { edgeLogger, type EdgeLogLevel } from "@/lib/edge/log";
import { MemoryRateLimitStore } from "@/lib/edge/rate-limit/memory-store";
import type { RateLimitStore } from "@/lib/edge/rate-limit/store";
import { TokenError } from "@/lib/auth/tokens";
import type { TokenVerifier } from "@/lib/edge/token-gate";

export const APP_ORIGIN = "http://localhost:3000";

/** An EdgeConfig from environment variables (NODE_ENV=test unless given), validated as at boot. */
export function configFrom(vars: Record<string, string> = {}): EdgeConfig {
  const result = parseEnv({ NODE_ENV: "test", ...vars });
  if (!result.ok) throw new Error(`test environment is invalid: ${result.problems.join("; ")}`);
  return edgeConfigFrom(result.env);
}

/**
 * A stand-in for lib/auth/tokens.ts: `valid.<sub>` verifies as user <sub>, `expired` fails as
 * expired, `crash` throws a non-token error (a broken key store), anything else is invalid.
 */
export const fakeVerifier: TokenVerifier = async (token) => {
  if (token.startsWith("valid.")) return { sub: token.slice("valid.".length) };
  if (token === "expired") throw new TokenError("ERR_TOKEN_EXPIRED", "expired");
  if (token === "crash") throw new Error("key store unavailable");
  throw new TokenError("ERR_TOKEN_INVALID", "signature");
};

export interface LogLine {
  level: EdgeLogLevel;
  entry: Record<string, unknown>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  config?: EdgeConfig;
  store?: RateLimitStore;
  fallbackStore?: RateLimitStore;
  verifyToken?: TokenVerifier;
}

export interface Harness {
  run(path: string, init?: RequestInit): Promise<Response>;
  store: RateLimitStore;
  config: EdgeConfig;
  logs: LogLine[];
}

export function edgeHarness(options: HarnessOptions = {}): Harness {
  const config = options.config ?? configFrom(options.env);
  const store = options.store ?? new MemoryRateLimitStore();
  const logs: LogLine[] = [];
  const deps: EdgeDependencies = {
    config,
    store,
    ...(options.fallbackStore === undefined ? {} : { fallbackStore: options.fallbackStore }),
    verifyToken: options.verifyToken ?? fakeVerifier,
    logger: (requestId) =>
      edgeLogger(requestId, {
        level: "debug",
        sink: (level, line) => logs.push({ level, entry: JSON.parse(line) as Record<string, unknown> }),
      }),
  };
  const middleware = createMiddleware(deps);
  return {
    store,
    config,
    logs,
    // Concatenated, not resolved against a base: "//api/me" must stay a path, not become a host.
    run: (path, init = {}) => middleware(new NextRequest(`${APP_ORIGIN}${path}`, init as ConstructorParameters<typeof NextRequest>[1])),
  };
}

/** True when the middleware let the request through to the route (`NextResponse.next()`). */
export function passedThrough(response: Response): boolean {
  return response.headers.get("x-middleware-next") === "1";
}

/** The request headers the middleware handed on to Next.js, decoded as Next.js decodes them. */
export function forwardedHeaders(response: Response): Headers {
  const names = (response.headers.get("x-middleware-override-headers") ?? "").split(",").filter((name) => name !== "");
  const headers = new Headers();
  for (const name of names) {
    const value = response.headers.get(`x-middleware-request-${name}`);
    if (value !== null) headers.set(name, value);
  }
  return headers;
}

/** The nonce in a CSP header value, or null. */
export function nonceOf(csp: string | null): string | null {
  return csp === null ? null : (/'nonce-([^']+)'/.exec(csp)?.[1] ?? null);
}

/** A cookie header with the access cookie set to `token`. */
export function accessCookie(token: string): string {
  return `__Host-palisade-at=${token}`;
}
