/**
 * The one way the browser calls the API.
 *
 * - Same-origin paths under `/api/` only. An absolute URL is refused outright, so cookies can
 *   never be attached to a request for another origin, whatever a caller passes in.
 * - Cookies are the credentials: `credentials: "same-origin"` sends them (for a same-origin
 *   client it is `"include"` without the cross-origin case). No token is ever read, written or
 *   kept in localStorage or sessionStorage; an XSS bug finds nothing to steal here.
 * - Bodies are JSON (`Content-Type: application/json`). The server refuses any other type on
 *   its JSON routes, so a cross-site HTML form can never produce a request it accepts.
 * - On a 401 that says the access token is missing or expired (RFC 6750: `WWW-Authenticate:
 *   Bearer`), the session is refreshed once (./session-sync.ts) and the request retried once.
 *   A 401 from the credential endpoints themselves (a wrong password) is an answer, not an
 *   expiry, and is returned as is. When the refresh is refused, the user is sent to sign-in
 *   and comes back here afterwards.
 * - A 401 whose challenge is RFC 9470's `error="insufficient_user_authentication"` is not an
 *   expiry: the token is fine, the action wants a recent proof that it is still the same person
 *   (./step-up.ts). A refresh would not give one, so none is made; the injected `stepUp` asks
 *   the person, and when they confirm, the request is retried once. Cancelled, or refused a
 *   second time, the server's own 401 reaches the caller: never a loop of dialogs.
 * - Responses are checked against a zod schema, so a component renders data of the shape it
 *   declares, or an error state; never `undefined.map`.
 */
import type { z } from "zod";
import "./zod-browser";
import { ApiError, apiErrorFrom, networkProblem } from "./problem";
import type { RefreshOutcome, SessionSync } from "./session-sync";
import { challengeMaxAge, isStepUpChallenge, type StepUp } from "./step-up";

/** 401s from these are answers about credentials, never a reason to refresh. */
const CREDENTIAL_PATHS: ReadonlySet<string> = new Set([
  "/api/auth/login",
  "/api/auth/login/second-factor",
  "/api/auth/login/second-factor/passkey/options",
  "/api/auth/passkeys/authentication",
  "/api/auth/passkeys/authentication/options",
  "/api/auth/register",
  "/api/auth/refresh",
  "/api/auth/logout",
  "/api/auth/oauth/link",
]);

/** Where the step-up dialog sends its proof (./step-up.ts). */
export const STEP_UP_PATH = "/api/auth/step-up";

export type Method = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";

export interface RequestOptions {
  body?: unknown;
  signal?: AbortSignal;
}

export interface ApiClientDependencies {
  fetch: typeof fetch;
  session: Pick<SessionSync, "generation" | "refresh">;
  /** The session is over: leave for the sign-in page (and come back afterwards). */
  onSessionEnded: () => void;
  /**
   * Ask the person to prove it is still them (./step-up.ts). Without it, a step-up refusal
   * reaches the caller as the 401 it is.
   */
  stepUp?: StepUp;
}

export interface ApiClient {
  request<T>(method: Method, path: string, schema: z.ZodType<T> | null, options?: RequestOptions): Promise<T>;
  get<T>(path: string, schema: z.ZodType<T>, options?: Pick<RequestOptions, "signal">): Promise<T>;
  post<T = undefined>(path: string, body?: unknown, schema?: z.ZodType<T>): Promise<T>;
  patch<T = undefined>(path: string, body: unknown, schema?: z.ZodType<T>): Promise<T>;
  delete(path: string, body?: unknown): Promise<void>;
}

function assertApiPath(path: string): URL {
  // Parsed against a placeholder so only a same-origin, absolute-path reference gets through.
  const url = new URL(path, "https://palisade.invalid");
  if (url.origin !== "https://palisade.invalid" || !path.startsWith("/api/") || !url.pathname.startsWith("/api/")) {
    throw new TypeError(`API paths must be same-origin paths under /api/, got ${JSON.stringify(path)}`);
  }
  return url;
}

function asksForNewToken(response: Response, pathname: string): boolean {
  if (response.status !== 401 || CREDENTIAL_PATHS.has(pathname)) return false;
  const challenge = response.headers.get("www-authenticate");
  return /^Bearer\b/i.test(challenge ?? "") && !isStepUpChallenge(challenge);
}

function asksForStepUp(response: Response, pathname: string): boolean {
  // The step-up endpoint itself never asks for one; a wrong code there is just a wrong code.
  if (response.status !== 401 || pathname === STEP_UP_PATH) return false;
  return isStepUpChallenge(response.headers.get("www-authenticate"));
}

function unavailableError(): ApiError {
  return new ApiError({
    type: "about:blank",
    title: "Could not renew your session",
    status: 503,
    detail: "The server did not answer. Try again in a moment.",
  });
}

function sessionEndedError(): ApiError {
  return new ApiError({ type: "about:blank", title: "Your session has ended", status: 401, detail: "Sign in again to continue." }, { sessionEnded: true });
}

export function createApiClient(deps: ApiClientDependencies): ApiClient {
  function send(method: Method, path: string, options: RequestOptions): Promise<Response> {
    const hasBody = options.body !== undefined;
    const headers: Record<string, string> = { accept: "application/json" };
    if (hasBody) headers["content-type"] = "application/json";
    return deps.fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      cache: "no-store",
      ...(hasBody ? { body: JSON.stringify(options.body) } : {}),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  }

  async function sendOnce(method: Method, path: string, options: RequestOptions): Promise<Response> {
    try {
      return await send(method, path, options);
    } catch (error) {
      // An abort is the caller's own doing; let it surface as the AbortError it is.
      if (error instanceof DOMException && error.name === "AbortError") throw error;
      throw new ApiError(networkProblem());
    }
  }

  async function request<T>(method: Method, path: string, schema: z.ZodType<T> | null, options: RequestOptions = {}): Promise<T> {
    const { pathname } = assertApiPath(path);
    const sentGeneration = deps.session.generation();
    let response = await sendOnce(method, path, options);

    if (asksForNewToken(response, pathname)) {
      // The refused attempt's body is of no use; release it rather than leave the request open.
      await response.body?.cancel().catch(() => undefined);
      const outcome: RefreshOutcome = await deps.session.refresh(sentGeneration);
      if (outcome === "unavailable") throw unavailableError();
      if (outcome === "refreshed") response = await sendOnce(method, path, options);
      // Refused, or a fresh token still refused: the session is over (revoked, user disabled).
      if (outcome === "signed-out" || asksForNewToken(response, pathname)) {
        deps.onSessionEnded();
        throw sessionEndedError();
      }
    }

    if (asksForStepUp(response, pathname)) {
      const refused = await apiErrorFrom(response);
      const confirmed =
        deps.stepUp === undefined
          ? false
          : await deps.stepUp({ methods: refused.problem.stepUp?.methods ?? [], maxAge: challengeMaxAge(response.headers.get("www-authenticate")) });
      if (!confirmed) throw refused;
      // Once: a second refusal is shown as it is, so a server that never accepts cannot loop.
      response = await sendOnce(method, path, options);
    }

    if (!response.ok) throw await apiErrorFrom(response);
    if (schema === null || response.status === 204) {
      await response.body?.cancel().catch(() => undefined);
      return undefined as T;
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      body = undefined;
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new ApiError({
        type: "about:blank",
        title: "Unexpected response",
        status: response.status,
        detail: "The server answered in a form this page does not understand. Reload the page and try again.",
      });
    }
    return parsed.data;
  }

  return {
    request,
    get: (path, schema, options = {}) => request("GET", path, schema, options),
    post: <T>(path: string, body?: unknown, schema?: z.ZodType<T>) => request<T>("POST", path, schema ?? null, { body }),
    patch: <T>(path: string, body: unknown, schema?: z.ZodType<T>) => request<T>("PATCH", path, schema ?? null, { body }),
    delete: (path, body) => request<void>("DELETE", path, null, { body }),
  };
}
