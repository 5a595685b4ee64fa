/**
 * Stable error codes and the one error type every layer throws.
 *
 * A client sees the code's fixed title and status, never a library's message: internal
 * messages leak implementation detail (OWASP ASVS 5.0 V16.5.1). Each code maps to exactly one
 * HTTP status here, so a handler cannot answer the same failure two different ways.
 */

export const ERROR_CODES = {
  ERR_VALIDATION: { status: 400, title: "Invalid request" },
  ERR_EMAIL_LINK_INVALID: { status: 400, title: "This link is not valid" },
  ERR_MALFORMED_JSON: { status: 400, title: "Malformed JSON body" },
  ERR_BODY_TOO_DEEP: { status: 400, title: "JSON body is nested too deeply" },
  ERR_FORBIDDEN_KEY: { status: 400, title: "JSON body contains a forbidden key" },
  ERR_COOKIE_DUPLICATE: { status: 400, title: "Conflicting cookies" },
  ERR_UNAUTHENTICATED: { status: 401, title: "Authentication required" },
  ERR_TOKEN_INVALID: { status: 401, title: "Invalid access token" },
  ERR_TOKEN_EXPIRED: { status: 401, title: "Access token expired" },
  ERR_REFRESH_INVALID: { status: 401, title: "Invalid or expired session" },
  ERR_REFRESH_REUSED: { status: 401, title: "Invalid or expired session" },
  ERR_INVALID_CREDENTIALS: { status: 401, title: "Invalid email or password" },
  ERR_LINK_EXPIRED: { status: 401, title: "No sign-in is waiting to be connected" },
  ERR_SECOND_FACTOR_INVALID: { status: 401, title: "That code is not correct" },
  ERR_SECOND_FACTOR_EXPIRED: { status: 401, title: "No sign-in is waiting for a second factor" },
  ERR_STEP_UP_REQUIRED: { status: 401, title: "Confirm it is you" },
  ERR_FORBIDDEN: { status: 403, title: "Forbidden" },
  ERR_REAUTH_REQUIRED: { status: 403, title: "Recent sign-in required" },
  ERR_SECOND_FACTOR_REQUIRED: { status: 403, title: "Set up a second factor first" },
  ERR_NOT_FOUND: { status: 404, title: "Not found" },
  ERR_METHOD_NOT_ALLOWED: { status: 405, title: "Method not allowed" },
  ERR_CONFLICT: { status: 409, title: "Conflict" },
  ERR_EMAIL_TAKEN: { status: 409, title: "Email address already registered" },
  ERR_EMAIL_UNVERIFIED: { status: 409, title: "The account's email address is not confirmed" },
  ERR_ALREADY_ENROLLED: { status: 409, title: "This factor is already set up" },
  ERR_LAST_ADMIN: { status: 409, title: "The last administrator cannot be demoted or disabled" },
  ERR_BODY_TOO_LARGE: { status: 413, title: "Request body too large" },
  ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, title: "Unsupported media type" },
  ERR_RATE_LIMITED: { status: 429, title: "Too many requests" },
  ERR_INTERNAL: { status: 500, title: "Internal server error" },
  ERR_PROVIDER_UNAVAILABLE: { status: 502, title: "The sign-in provider could not be reached" },
  ERR_DB_UNAVAILABLE: { status: 503, title: "Service temporarily unavailable" },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Field path → messages, as sent in a validation problem's `errors` member. */
export type FieldErrors = Record<string, string[]>;

export interface AppErrorOptions {
  /** Safe, client-facing explanation. Never pass a caught error's message here. */
  detail?: string;
  errors?: FieldErrors;
  /** Extra response headers, e.g. `Retry-After` or `WWW-Authenticate`. */
  headers?: Record<string, string>;
  /** Extra problem members (RFC 9457 §3.2), e.g. `violated-policies` on a rate-limit refusal. */
  extensions?: Record<string, unknown>;
  /** The underlying error, kept for the server log only. */
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  readonly errors: FieldErrors | undefined;
  readonly headers: Record<string, string>;
  readonly extensions: Record<string, unknown>;

  constructor(code: ErrorCode, options: AppErrorOptions = {}) {
    super(options.detail ?? ERROR_CODES[code].title, { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.title = ERROR_CODES[code].title;
    this.detail = options.detail;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
    this.extensions = options.extensions ?? {};
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** `ERR_BODY_TOO_LARGE` → `body-too-large`, the slug in the problem `type` URI. */
export function problemSlug(code: ErrorCode): string {
  return code.replace(/^ERR_/, "").toLowerCase().replaceAll("_", "-");
}
