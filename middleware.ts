/**
 * The edge layer: the first of Palisade's layers, never the only one. It composes the modules in
 * lib/edge/ in a fixed order and holds no policy of its own; each step's threat, rule and numbers
 * live in its module and in docs/edge.md. Route handlers repeat every check that protects data
 * (CVE-2025-29927), so nothing here is the last line of defence.
 *
 * Order, and why:
 *  1. Request ID    first, so every later refusal and log line carries it.
 *  2. Client IP     once, from trusted proxy headers only; the rate limits key on it.
 *  3. CORS          a preflight is answered (204 or 403) before any other work.
 *  4. CSRF          a cross-site state change is refused before it costs a store round trip.
 *     Cookies       a security cookie sent twice (one tossed in by a sibling host) is refused,
 *                   and every copy cleared, before any step reads one (lib/auth/duplicate-cookies.ts).
 *  5. Rate limits   before the gate, so floods of bad tokens are limited too. The access token is
 *                   verified once, here: the per-user tier keys on its subject and step 6 decides.
 *  6. Token gate    protected /api/** routes need a valid access token (401 otherwise).
 *                   A token this instance has verified is not verified again before it expires
 *                   (lib/auth/verified-token-cache.ts, docs/decisions/050-verified-token-cache.md).
 *  7. Headers       CSP (fresh nonce), HSTS and the rest go on *every* response, refusals included;
 *                   the CSP is also forwarded to Next.js so its scripts carry the nonce.
 *  8. Body size     a declared Content-Length over the handlers' limit gets 413.
 * Anything that throws becomes a 500 problem with every header: the layer fails closed, it never
 * passes a request on unchecked. Runs on the edge runtime (docs/decisions/003-edge-middleware-under-next-16.md).
 */
import { NextResponse, type NextRequest } from "next/server";
import { env } from "./lib/env";
import { verifiedTokenCache } from "./lib/auth/verified-token-cache";
import { REFRESH_COOKIE } from "./lib/auth/cookie-names";
import { readCookie } from "./lib/auth/cookies";
import { clearingDuplicates, DUPLICATE_COOKIE_DETAIL, duplicatedSecurityCookies, toleratedDuplicates } from "./lib/auth/duplicate-cookies";
import { REQUEST_ID_HEADER, requestIdFrom } from "./lib/shared/request-id";
import { clientIp, rateLimitKeyForIp } from "./lib/shared/client-ip";
import { edgeConfigFrom, type EdgeConfig } from "./lib/edge/config";
import { corsResponseHeaders, isPreflight, preflightDecision } from "./lib/edge/cors";
import { CSRF_VARY, csrfDecision } from "./lib/edge/csrf";
import { countTiers, fallbackStoreFor, rateLimitStoreFrom } from "./lib/edge/rate-limit/limiter";
import { edgeTiers, refreshTokenId } from "./lib/edge/rate-limit/policy";
import { rateLimitedResponse } from "./lib/edge/rate-limit/response";
import { oneCallPerTier, type RateLimitStore } from "./lib/edge/rate-limit/store";
import { gateResponse, readCredential, type Credential, type TokenVerifier } from "./lib/edge/token-gate";
import { newNonce, securityHeaders } from "./lib/edge/security-headers";
import { bodySizeDecision } from "./lib/edge/body-size";
import { classifyRoute, requiresToken } from "./lib/edge/routes";
import { edgeLogger, type EdgeLogger } from "./lib/edge/log";
import { appendVary, copyHeaders, edgeProblem } from "./lib/edge/respond";

export interface EdgeDependencies {
  config: EdgeConfig;
  store: RateLimitStore;
  /** Counts the fail-open tiers while `store` does not answer (ADR 015). */
  fallbackStore?: RateLimitStore;
  verifyToken: TokenVerifier;
  logger: (requestId: string) => EdgeLogger;
}

const CSRF_DETAIL = {
  "cross-site": "Cross-site requests may not change state.",
  "origin-null": "Requests from an opaque origin may not change state.",
  "origin-mismatch": "This origin may not change state here.",
  "origin-missing": "Send an Origin header with state-changing requests.",
} as const;

export function createMiddleware(deps: EdgeDependencies) {
  const { config } = deps;
  const { steps } = config;
  // Benchmarks only (BENCH_MIDDLEWARE_STEPS, refused in a deployment): the ladder's "empty
  // middleware" rung, Next.js's own cost of running a middleware at all.
  if (!steps.headers) return async (_request: NextRequest): Promise<Response> => NextResponse.next();

  return async function edgeMiddleware(request: NextRequest): Promise<Response> {
    // 1. Request ID.
    const requestId = requestIdFrom(request.headers);
    const log = deps.logger(requestId);
    const route = classifyRoute(request.nextUrl.pathname);
    const nonce = newNonce();
    const security = securityHeaders({ nonce, api: route.api || route.wellKnown, mailedLink: route.mailedLink }, config);
    const extra = new Headers();

    // Every response leaves through here: request ID, security headers, Vary, and whatever the
    // steps below collected (CORS, rate-limit fields).
    const finish = (response: Response): Response => {
      copyHeaders(response.headers, security);
      copyHeaders(response.headers, extra);
      appendVary(response.headers, CSRF_VARY);
      response.headers.set(REQUEST_ID_HEADER, requestId);
      response.headers.delete("x-powered-by");
      return response;
    };

    try {
      // 2. Client IP.
      const ip = clientIp(request.headers, config.trustedProxy);
      const ipKey = rateLimitKeyForIp(ip);

      // 3. CORS.
      if (isPreflight(request)) {
        const preflight = preflightDecision(request, config);
        if (!preflight.allowed) {
          log.info("CORS preflight refused", { reason: preflight.reason, path: request.nextUrl.pathname });
          return finish(edgeProblem("ERR_FORBIDDEN", requestId, "This origin, method or header is not allowed."));
        }
        return finish(new Response(null, { status: 204, headers: preflight.headers }));
      }
      copyHeaders(extra, corsResponseHeaders(request, route, config));

      // 4. CSRF.
      const csrf = csrfDecision(request, route, config);
      if (!csrf.ok) {
        log.warn("state-changing request refused", { reason: csrf.reason, method: request.method, path: request.nextUrl.pathname });
        return finish(
          csrf.status === 415
            ? edgeProblem("ERR_UNSUPPORTED_MEDIA_TYPE", requestId, "Send the body as application/json.")
            : edgeProblem("ERR_FORBIDDEN", requestId, CSRF_DETAIL[csrf.reason]),
        );
      }

      // 4b. Duplicate security cookies. The handler refuses them too, and audits it.
      const duplicated = duplicatedSecurityCookies(request.headers, toleratedDuplicates(request.nextUrl.pathname, request.method));
      if (duplicated.length > 0) {
        log.warn("duplicate security cookie refused", { cookies: duplicated.join(","), path: request.nextUrl.pathname });
        const refusal = edgeProblem("ERR_COOKIE_DUPLICATE", requestId, DUPLICATE_COOKIE_DETAIL);
        for (const cookie of clearingDuplicates(duplicated, request.nextUrl)) refusal.headers.append("set-cookie", cookie);
        return finish(refusal);
      }

      // 5. Rate limits. (`steps` is all true outside the benchmarks' overhead ladder.)
      const gated = steps.token && requiresToken(route);
      const credential: Credential = gated ? await readCredential(request.headers, deps.verifyToken) : { kind: "none" };
      if (steps.rateLimit) {
        const hits = edgeTiers(
          {
            route,
            method: request.method,
            ipKey,
            userId: credential.kind === "valid" ? credential.subject : null,
            refreshTokenId: route.refresh ? refreshTokenId(readCookie(request.headers, REFRESH_COOKIE)) : null,
          },
          config.policies,
        );
        const limits = await countTiers(deps.store, hits, { log, ...(deps.fallbackStore === undefined ? {} : { fallback: deps.fallbackStore }) });
        copyHeaders(extra, limits.headers);
        if (limits.outcome !== "allowed") {
          log.info("rate limit reached", { tiers: limits.violated.join(","), key: ipKey, retryAfter: limits.retryAfterSeconds });
          return finish(rateLimitedResponse(limits, requestId));
        }
      }

      // A path the router cannot percent-decode: refused here as a 400 problem, since past this
      // point Next.js answers it with a bare 500 (lib/edge/routes.ts, `undecodable`).
      if (route.undecodable) return finish(edgeProblem("ERR_VALIDATION", requestId, "The path is not valid percent-encoding."));

      // 6. Token gate.
      if (gated) {
        const refusal = gateResponse(credential, requestId);
        if (refusal !== null) return finish(refusal);
      }

      // 7. Security headers: applied by finish(); the CSP also goes to Next.js on the request.
      const forwarded = new Headers(request.headers);
      forwarded.set(REQUEST_ID_HEADER, requestId);
      forwarded.set("content-security-policy", security.get("content-security-policy") as string);
      forwarded.set("x-nonce", nonce);

      // 8. Body size.
      const size = bodySizeDecision(request.headers);
      if (!size.ok) {
        log.info("oversized body refused", { status: size.status, limit: size.limit, path: request.nextUrl.pathname });
        return finish(
          size.status === 413
            ? edgeProblem("ERR_BODY_TOO_LARGE", requestId, `The body may be at most ${size.limit} bytes.`)
            : edgeProblem("ERR_VALIDATION", requestId, "Content-Length is not a valid length."),
        );
      }

      return finish(NextResponse.next({ request: { headers: forwarded } }));
    } catch (error) {
      log.error("edge layer failed; refusing the request", { error: error instanceof Error ? error.name : "unknown" });
      return finish(edgeProblem("ERR_INTERNAL", requestId, "Something went wrong. Quote the request ID if you report it."));
    }
  };
}

let configured: ReturnType<typeof createMiddleware> | undefined;

function defaultDependencies(): EdgeDependencies {
  const config = edgeConfigFrom(env);
  const shared = rateLimitStoreFrom(env);
  const store = env.BENCH_RATE_LIMIT_CALLS === "per-tier" ? oneCallPerTier(shared) : shared;
  const fallbackStore = fallbackStoreFor(store, env);
  return { config, store, ...(fallbackStore === undefined ? {} : { fallbackStore }), verifyToken: verifiedTokenCache().verify, logger: (id) => edgeLogger(id) };
}

export function middleware(request: NextRequest): Promise<Response> {
  // Built on first use, in module scope: the store (and Upstash's ephemeral cache) then lives as
  // long as this edge instance, across requests.
  configured ??= createMiddleware(defaultDependencies());
  return configured(request);
}

export const config = {
  // Everything except Next's own static files. `/api` is deliberately included: a matcher that
  // skips the API is a classic way to leave it unprotected.
  matcher: ["/((?!_next/static|_next/image).*)"],
};
