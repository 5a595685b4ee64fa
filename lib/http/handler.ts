/**
 * The wrapper every route handler goes through. It gives the handler its request ID and a
 * logger bound to it, and it turns anything thrown into a problem+json response:
 * - AppError → its own status and safe detail;
 * - an unreachable database → 503, so a client retries instead of seeing a crash or a hang;
 * - anything else → logged in full server-side, answered with a generic 500 that carries no
 *   message or stack (the source article: "log them server-side").
 */
import "server-only";
import type { Logger } from "pino";
import { AppError, isAppError } from "./errors";
import { problemResponse } from "./problem";
import { REQUEST_ID_HEADER, requestIdFrom } from "../edge/request-id";
import { isDatabaseUnavailable } from "../db/errors";
import { requestLogger } from "../log";

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

export function route<P = Record<string, never>>(handler: Handler<P>) {
  return async (request: Request, context: RouteContext<P>): Promise<Response> => {
    const requestId = requestIdFrom(request.headers);
    const log = requestLogger(requestId);
    let response: Response;
    try {
      response = await handler({ request, params: await context.params, requestId, log });
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

export function errorResponse(error: unknown, requestId: string, log: Logger): Response {
  if (isAppError(error)) {
    if (error.status >= 500) log.error({ err: error.cause ?? error, code: error.code }, "request failed");
    return problemResponse(error, requestId);
  }
  if (isDatabaseUnavailable(error)) {
    log.error({ err: error }, "database unavailable");
    return problemResponse(
      new AppError("ERR_DB_UNAVAILABLE", { detail: "Please try again shortly.", headers: { "retry-after": "5" } }),
      requestId,
    );
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
