/**
 * Strict CORS: which other origins may read our responses, with credentials.
 *
 * Threat: a permissive policy (`Access-Control-Allow-Origin: *`, or echoing whatever `Origin`
 * arrives, or a suffix/regex match that `https://app.example.com.evil.net` also satisfies) lets
 * any website read a signed-in user's API responses with their cookies attached.
 *
 * Defence (the Fetch standard's CORS protocol, https://fetch.spec.whatwg.org/#http-cors-protocol):
 * - an explicit allowlist: APP_URL, CORS_ORIGINS and, on Vercel, this deployment's own generated
 *   origins (lib/edge/config.ts), compared as exact strings. `null` (sandboxed frames, `file:`,
 *   some redirects) is never on it. Wildcards and non-https origins are refused at boot (lib/env.ts);
 * - a preflight from an allowed origin, for an allowed method and allowed headers, gets 204 with
 *   the source article's policy; any other preflight gets 403 and no CORS headers at all;
 * - an actual request from an allowed origin gets `Access-Control-Allow-Origin: <that origin>`
 *   and `Allow-Credentials`; from any other origin it gets nothing, so the browser withholds the
 *   response from the calling page (the CSRF layer refuses its state-changing requests);
 * - `Vary: Origin` on every response, so a shared cache never serves one origin's CORS answer to
 *   another.
 */
import type { EdgeConfig } from "./config";
import type { RouteClass } from "./routes";

export const CORS_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH"] as const;
export const CORS_ALLOWED_HEADERS = ["Content-Type", "Authorization", "X-Request-ID"] as const;
/** 24 hours, the source article's value. Browsers cap it lower (Chromium at 2 hours). */
export const CORS_MAX_AGE_SECONDS = 86_400;
/** Response headers a cross-origin caller may read, beyond the CORS-safelisted ones. */
export const CORS_EXPOSED_HEADERS = ["X-Request-ID", "RateLimit", "RateLimit-Policy", "Retry-After"] as const;

const ALLOWED_METHODS = new Set<string>(CORS_METHODS);
const ALLOWED_HEADERS = new Set(CORS_ALLOWED_HEADERS.map((name) => name.toLowerCase()));

export function isAllowedOrigin(origin: string | null, config: Pick<EdgeConfig, "allowedOrigins">): origin is string {
  // Exact string comparison: no parsing, no suffix or prefix rules, no case folding.
  return origin !== null && config.allowedOrigins.has(origin);
}

/** A CORS preflight: OPTIONS with an Origin and the method the page wants to use. */
export function isPreflight(request: Request): boolean {
  return request.method === "OPTIONS" && request.headers.has("origin") && request.headers.has("access-control-request-method");
}

export type PreflightDecision = { allowed: true; headers: Headers } | { allowed: false; reason: "origin" | "method" | "headers" };

export function preflightDecision(request: Request, config: Pick<EdgeConfig, "allowedOrigins">): PreflightDecision {
  const origin = request.headers.get("origin");
  if (!isAllowedOrigin(origin, config)) return { allowed: false, reason: "origin" };
  const method = request.headers.get("access-control-request-method") ?? "";
  // Method names are case-sensitive (RFC 9110 §9.1): `post` is not POST.
  if (!ALLOWED_METHODS.has(method)) return { allowed: false, reason: "method" };
  const requested = (request.headers.get("access-control-request-headers") ?? "")
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== "");
  if (!requested.every((name) => ALLOWED_HEADERS.has(name))) return { allowed: false, reason: "headers" };

  const headers = new Headers({
    "access-control-allow-origin": origin,
    "access-control-allow-credentials": "true",
    "access-control-allow-methods": CORS_METHODS.join(", "),
    "access-control-allow-headers": CORS_ALLOWED_HEADERS.join(", "),
    "access-control-max-age": String(CORS_MAX_AGE_SECONDS),
  });
  return { allowed: true, headers };
}

/**
 * CORS headers for an actual (non-preflight) response: only for an allowed origin, and only on
 * the API and `/.well-known/`. Pages are documents for this origin's own browser tabs; no other
 * origin has a reason to read their HTML.
 */
export function corsResponseHeaders(request: Request, route: Pick<RouteClass, "api" | "wellKnown">, config: Pick<EdgeConfig, "allowedOrigins">): Headers {
  const headers = new Headers();
  const origin = request.headers.get("origin");
  if (!(route.api || route.wellKnown) || !isAllowedOrigin(origin, config)) return headers;
  headers.set("access-control-allow-origin", origin);
  headers.set("access-control-allow-credentials", "true");
  headers.set("access-control-expose-headers", CORS_EXPOSED_HEADERS.join(", "));
  return headers;
}
