/**
 * The wrapper every route handler goes through. It gives the handler its request ID and a
 * logger bound to it, and it turns anything thrown into a problem+json response:
 * - AppError → its own status and safe detail;
 * - an unreachable database → 503, so a client retries instead of seeing a crash or a hang;
 * - anything else → logged in full server-side, answered with a generic 500 that carries no
 *   message or stack (the source article: "log them server-side").
 * Before the handler runs, a request carrying any security cookie twice is refused and audited
 * (cookie tossing; lib/auth/duplicate-cookies.ts). The edge refuses it first; this is the layer
 * that still holds when the edge is skipped, and the one with a database to record it in.
 */
import "server-only";
import type { Logger } from "pino";
import { AppError, isAppError } from "./errors";
import { problemResponse } from "./problem";
import { REQUEST_ID_HEADER, requestIdFrom } from "../shared/request-id";
import { isDatabaseUnavailable } from "../db/errors";
import { requestLogger } from "../log";
import { recordAuditEvent } from "../audit";
import { getDb } from "../db/client";
import { clearingDuplicates, DUPLICATE_COOKIE_DETAIL, duplicatedSecurityCookies } from "../auth/duplicate-cookies";
import { requestContext } from "./request-context";

export interface RouteContext<P> {
  params: Promise<P>;
}

export interface HandlerContext<P> {
  request: Request;
  params: P;
  requestId: string;
  log: Logger;
}

type Handler<P> = (context: HandlerContext<P>) => Promise<Response>;

export interface RouteOptions {
  /** Security cookies this handler reads every copy of itself (only logout: lib/auth/logout.ts). */
  duplicateCookiesAllowed?: readonly string[];
}

export function route<P = Record<string, never>>(handler: Handler<P>, options: RouteOptions = {}) {
  return async (request: Request, context: RouteContext<P>): Promise<Response> => {
    const requestId = requestIdFrom(request.headers);
    const log = requestLogger(requestId);
    let response: Response;
    try {
      response =
        (await duplicateCookieRefusal(request, requestId, options.duplicateCookiesAllowed ?? [])) ??
        (await handler({ request, params: await context.params, requestId, log }));
    } catch (error) {
      // A refused caller is a security event (OWASP ASVS 5.0 V16.3.2): who, where, and why, in
      // the log; the client gets only the problem.
      if (isAppError(error) && (error.status === 401 || error.status === 403)) {
        log.warn({ code: error.code, status: error.status, method: request.method, path: new URL(request.url).pathname }, "access refused");
      }
      response = errorResponse(error, requestId, log);
    }
    response.headers.set(REQUEST_ID_HEADER, requestId);
    if (!response.headers.has("cache-control")) response.headers.set("cache-control", "no-store");
    return response;
  };
}

async function duplicateCookieRefusal(request: Request, requestId: string, allowed: readonly string[]): Promise<Response | null> {
  const url = new URL(request.url);
  const duplicated = duplicatedSecurityCookies(request.headers, allowed);
  if (duplicated.length === 0) return null;
  await recordAuditEvent(await getDb(), requestContext(request, requestId), {
    type: "cookie.duplicate_refused",
    details: { cookies: duplicated.join(","), path: url.pathname.slice(0, 128) },
  });
  const response = problemResponse(new AppError("ERR_COOKIE_DUPLICATE", { detail: DUPLICATE_COOKIE_DETAIL }), requestId);
  for (const cookie of clearingDuplicates(duplicated, url)) response.headers.append("set-cookie", cookie);
  return response;
}

export function errorResponse(error: unknown, requestId: string, log: Logger): Response {
  if (isAppError(error)) {
    if (error.status >= 500) log.error({ err: error.cause ?? error, code: error.code }, "request failed");
    return problemResponse(error, requestId);
  }
  if (isDatabaseUnavailable(error)) {
    log.error({ err: error }, "database unavailable");
    return problemResponse(new AppError("ERR_DB_UNAVAILABLE", { detail: "Please try again shortly.", headers: { "retry-after": "5" } }), requestId);
  }
  log.error({ err: error }, "unhandled error");
  return problemResponse(new AppError("ERR_INTERNAL", { detail: "Something went wrong. Quote the request ID if you report it." }), requestId);
}

/** JSON success response; the shape is the caller's to keep within its schema. */
export function json(body: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set("content-type", "application/json");
  return new Response(JSON.stringify(body), { ...init, headers });
}
