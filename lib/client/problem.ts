/**
 * The browser's view of an API error: every failure the server sends is an RFC 9457 problem
 * (`application/problem+json`: type, title, status, detail, requestId, errors). This module turns
 * one into an `ApiError` the UI can show.
 *
 * The UI shows only the problem's `title` and `detail`, which the server builds from fixed,
 * client-safe text (lib/http/problem.ts). A body that is not a problem (a proxy's HTML error
 * page, a truncated response) is never shown: it becomes a generic message, so nothing a
 * middlebox says reaches the page as if the app had said it.
 */
import { challengeMethods, type StepUpMethod } from "./step-up";

export type FieldErrors = Record<string, string[]>;

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  requestId?: string;
  errors?: FieldErrors;
  /** For a 429 or 503 from the rate limits: the tiers that refused (`global`, `credential`, `auth-ip`…). */
  violatedPolicies?: string[];
  /** For a step-up refusal (ERR_STEP_UP_REQUIRED): the ways the account may prove it is still them. */
  stepUp?: { methods: StepUpMethod[] };
}

const GENERIC_TITLE = "Something went wrong";
const GENERIC_DETAIL = "The server could not complete the request. Try again in a moment.";

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  /** Seconds to wait before trying again, from `Retry-After` (429, 503), or null. */
  readonly retryAfterSeconds: number | null;
  /**
   * True when the session ended while this request was made (refresh failed). The client is
   * already on its way to the sign-in page, so the UI should not show this as an error.
   */
  readonly sessionEnded: boolean;

  constructor(problem: Problem, options: { retryAfterSeconds?: number | null; sessionEnded?: boolean } = {}) {
    super(problem.detail ?? problem.title);
    this.name = "ApiError";
    this.status = problem.status;
    this.problem = problem;
    this.retryAfterSeconds = options.retryAfterSeconds ?? null;
    this.sessionEnded = options.sessionEnded ?? false;
  }

  /** Messages for one field, as the server's `errors` member names it. */
  fieldErrors(field: string): string[] {
    return this.problem.errors?.[field] ?? [];
  }
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError;
}

/** The problem for a request that never got an answer (offline, DNS, connection reset). */
export function networkProblem(): Problem {
  return { type: "about:blank", title: "Cannot reach the server", status: 0, detail: "Check your connection and try again." };
}

/**
 * `Retry-After` as seconds: either delta-seconds or an HTTP date (RFC 9110 §10.2.3). Null when
 * absent or unreadable; never negative.
 */
export function parseRetryAfter(header: string | null, now: number = Date.now()): number | null {
  if (header === null) return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - now) / 1000));
}

function isStringArrayRecord(value: unknown): value is FieldErrors {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  return Object.values(value).every((messages) => Array.isArray(messages) && messages.every((m) => typeof m === "string"));
}

/** Read a problem body defensively: only the members we know, only with the types we expect. */
export function toProblem(body: unknown, status: number): Problem {
  if (typeof body !== "object" || body === null) return { type: "about:blank", title: GENERIC_TITLE, status, detail: GENERIC_DETAIL };
  const record = body as Record<string, unknown>;
  const text = (key: string): string | undefined => (typeof record[key] === "string" ? (record[key] as string) : undefined);
  const detail = text("detail");
  const requestId = text("requestId");
  const violated = record["violated-policies"];
  const violatedPolicies = Array.isArray(violated) && violated.every((name) => typeof name === "string") ? (violated as string[]) : undefined;
  const stepUp =
    typeof record.stepUp === "object" && record.stepUp !== null ? { methods: challengeMethods((record.stepUp as Record<string, unknown>).methods) } : undefined;
  return {
    type: text("type") ?? "about:blank",
    title: text("title") ?? GENERIC_TITLE,
    status,
    ...(detail === undefined ? {} : { detail }),
    ...(requestId === undefined ? {} : { requestId }),
    ...(isStringArrayRecord(record.errors) ? { errors: record.errors } : {}),
    ...(violatedPolicies === undefined ? {} : { violatedPolicies }),
    ...(stepUp === undefined ? {} : { stepUp }),
  };
}

/** Build the ApiError for a non-2xx response. */
export async function apiErrorFrom(response: Response): Promise<ApiError> {
  const type = response.headers.get("content-type") ?? "";
  let body: unknown = null;
  if (type.includes("json")) {
    try {
      body = await response.json();
    } catch {
      body = null;
    }
  } else {
    // Never shown (see above), so not read either; released so the request does not linger.
    await response.body?.cancel().catch(() => undefined);
  }
  const problem = toProblem(body, response.status);
  return new ApiError(problem, { retryAfterSeconds: parseRetryAfter(response.headers.get("retry-after")) });
}
