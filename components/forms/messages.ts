/**
 * Turning a caught error into the one message a form shows. Only the problem's fixed title and
 * safe detail reach the page (lib/client/problem.ts); anything else is a generic sentence.
 */
import { isApiError } from "@/lib/client/problem";
import type { FormMessage } from "./form-status";

export function errorMessage(error: unknown, fallbackTitle = "Something went wrong"): FormMessage {
  if (isApiError(error)) {
    const { problem } = error;
    return {
      tone: "error",
      title: problem.title,
      ...(problem.detail === undefined ? {} : { detail: problem.detail }),
      // A request ID helps only when something broke on the server; a 4xx is the user's to fix.
      ...(problem.requestId === undefined || problem.status < 500 ? {} : { requestId: problem.requestId }),
    };
  }
  return { tone: "error", title: fallbackTitle, detail: "Try again in a moment." };
}

/** True for errors the UI should not show: the page is already leaving for sign-in, or the request was cancelled. */
export function isSilent(error: unknown): boolean {
  if (isApiError(error)) return error.sessionEnded;
  return error instanceof DOMException && error.name === "AbortError";
}

/** True for an API error with one stable code, named by its problem type's slug (`email-link-invalid`). */
export function isProblem(error: unknown, slug: string): boolean {
  return isApiError(error) && error.problem.type === `/problems/${slug}`;
}
