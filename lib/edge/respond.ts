/**
 * Small helpers the middleware uses to build and finish responses. No policy lives here.
 */
import { AppError, type ErrorCode } from "../http/errors";
import { problemResponse } from "../http/problem";

/** Add names to a response's `Vary`, keeping what is there and never listing a name twice. */
export function appendVary(headers: Headers, names: readonly string[]): void {
  const current = (headers.get("vary") ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  if (current.includes("*")) return;
  const seen = new Set(current.map((name) => name.toLowerCase()));
  for (const name of names) {
    if (!seen.has(name.toLowerCase())) {
      current.push(name);
      seen.add(name.toLowerCase());
    }
  }
  if (current.length > 0) headers.set("vary", current.join(", "));
}

/** Copy every header from `source` onto `target` (replacing same-named ones, except Vary, which merges). */
export function copyHeaders(target: Headers, source: Headers): void {
  for (const [name, value] of source) {
    if (name === "vary") appendVary(target, value.split(","));
    else target.set(name, value);
  }
}

/** A problem+json response for an edge refusal, with a safe detail and optional headers. */
export function edgeProblem(code: ErrorCode, requestId: string, detail: string, headers: Record<string, string> = {}): Response {
  return problemResponse(new AppError(code, { detail, headers }), requestId);
}
