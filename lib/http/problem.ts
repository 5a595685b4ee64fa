/**
 * RFC 9457 problem details: the single shape of every error this API returns.
 *
 * Every body carries `requestId`, so a client can quote it and an operator can find the log
 * line. Bodies are built only from an AppError's fixed title and safe detail; a caught error's
 * message or stack never reaches this module's output.
 */
import { AppError, type ErrorCode, type FieldErrors, problemSlug } from "./errors";
import { REQUEST_ID_HEADER } from "../shared/request-id";

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  requestId: string;
  errors?: FieldErrors;
  [extension: string]: unknown;
}

export function problemBody(error: AppError, requestId: string, extensions: Record<string, unknown> = {}): ProblemBody {
  return {
    ...error.extensions,
    ...extensions,
    type: `/problems/${problemSlug(error.code)}`,
    title: error.title,
    status: error.status,
    ...(error.detail === undefined ? {} : { detail: error.detail }),
    requestId,
    ...(error.errors === undefined ? {} : { errors: error.errors }),
  };
}

export function problemResponse(error: AppError, requestId: string, extensions: Record<string, unknown> = {}): Response {
  const headers = new Headers(error.headers);
  headers.set("content-type", PROBLEM_CONTENT_TYPE);
  // Error bodies are per-request and may describe the caller's session: never cache them.
  headers.set("cache-control", "no-store");
  headers.set(REQUEST_ID_HEADER, requestId);
  return new Response(JSON.stringify(problemBody(error, requestId, extensions)), {
    status: error.status,
    headers,
  });
}

/** Shorthand for the common case of answering with a code and an optional detail. */
export function problem(code: ErrorCode, requestId: string, detail?: string): Response {
  return problemResponse(new AppError(code, detail === undefined ? {} : { detail }), requestId);
}
