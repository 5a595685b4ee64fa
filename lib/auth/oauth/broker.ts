/**
 * The identity broker's HTTP side: which endpoints under /api/auth it serves, what of each request
 * next-auth gets to see, and what of next-auth's answer reaches the browser. next-auth speaks OAuth
 * 2.0 and OpenID Connect to GitHub, Google or an OIDC issuer (./next-auth-adapter.ts), and hands the
 * verified identity to our own session model (./handoff.ts). A provider sign-in ends exactly like a
 * password sign-in: a new refresh family (lib/auth/sessions.ts) and our two cookies
 * (lib/auth/issue.ts). The whole flow, with a sequence diagram: docs/oauth.md.
 *
 * Threats and defences:
 * - Two session models: next-auth never issues its own session. The `signIn` callback always
 *   answers with a redirect, which makes next-auth stop before it creates its session cookie;
 *   any such cookie in a response is dropped anyway, and one arriving from a browser is expired.
 *   Its `session` endpoint is not served, and no module outside lib/auth/oauth imports next-auth.
 *   Authorization reads our access token only (lib/auth/guards.ts); ADR 032.
 * - Forged callbacks, login CSRF, code injection, token replay: `state`, PKCE and `nonce` are on
 *   (./providers.ts). Starting a sign-in takes either a POST with next-auth's double-submit CSRF
 *   token or a link the browser itself marks as our own navigation (Fetch Metadata; ADR 033), so
 *   another site cannot start one in a visitor's browser.
 * - Host-header poisoning of `redirect_uri` and of redirects: next-auth's base URL is pinned to
 *   APP_URL (./next-auth-adapter.ts), and no request header reaches next-auth.
 * - Parameter smuggling into the provider's authorization URL: next-auth v4 copies a sign-in
 *   request's query string into it, so the broker passes none; a sign-in body may carry only
 *   `csrfToken`, `callbackUrl` and `json`.
 * - Open redirect: the destination is checked against APP_URL and CORS_ORIGINS (lib/shared/safe-redirect.ts)
 *   where it enters (next-auth's `redirect` callback) and again when it is read back from its cookie.
 * - A smaller surface: only the endpoints a sign-in needs are served (see `route`); the rest 404.
 */
import "server-only";
import type { Logger } from "pino";
import { z } from "zod";
import { env } from "../../env";
import { recordAuditEvent } from "../../audit";
import { getDb } from "../../db/client";
import { AppError } from "../../http/errors";
import { requestContext } from "../../http/request-context";
import { readForm } from "../../http/read-form";
import { queryObject } from "../../http/validate";
import { getUser } from "../guards";
import { sessionCookies } from "../issue";
import { safeRedirectUrl } from "../../shared/safe-redirect";
import { isConfiguredProvider, type ProviderId } from "./configured";
import { absolute, brokerOptions, COOKIES, DEFAULT_DESTINATION, destinationAfter, POLICY, SESSION_COOKIE, type Exchange } from "./handoff";
import { BROKER_URL, callNextAuth, type NextAuthInput } from "./next-auth-adapter";
import { pendingLinkCookie, sealPendingLink } from "./pending-link";
import { ACCOUNT_PATH, oauthOutcomePath, SECOND_FACTOR_PATH, SIGN_IN_PATH, type OAuthOutcomeCode } from "./sign-in-page";

/**
 * Cookies from a Cookie header, decoded the way next-auth encodes them. A name sent twice is left
 * out: one copy was planted by another host (lib/auth/duplicate-cookies.ts, which refuses such a
 * request before it gets here), and next-auth would otherwise take the first, the planted one.
 */
function parseCookies(header: string | null): Record<string, string> {
  const cookies: Record<string, string> = {};
  const seen = new Set<string>();
  for (const part of (header ?? "").split(";")) {
    const index = part.indexOf("=");
    if (index === -1) continue;
    const name = part.slice(0, index).trim();
    if (name === "") continue;
    if (seen.has(name)) {
      delete cookies[name];
      continue;
    }
    seen.add(name);
    const raw = part.slice(index + 1).trim();
    try {
      cookies[name] = decodeURIComponent(raw);
    } catch {
      cookies[name] = raw;
    }
  }
  return cookies;
}

/** Set-Cookie headers, minus any next-auth session cookie (defence in depth: none is ever made). */
function withoutSessionCookies(headers: Headers): string[] {
  return headers.getSetCookie().filter((cookie) => !SESSION_COOKIE.test(cookie));
}

function expiredCookie(name: string, path = "/"): string {
  return `${name}=; Path=${path}; Max-Age=0; HttpOnly; Secure; SameSite=Lax`;
}

function redirectTo(location: string, cookies: string[] = []): Response {
  const response = new Response(null, { status: 302, headers: { location } });
  for (const cookie of cookies) response.headers.append("set-cookie", cookie);
  return response;
}

/** The path below /api/auth, one or more segments; `route` below decides which exist. */
export const BrokerParams = z.strictObject({ nextauth: z.array(z.string()).min(1) });

/**
 * The query, read per endpoint by the broker: `next` when a sign-in starts from a link, and the
 * provider's own parameters on its callback (RFC 6749 §4.1.2: code, state, error, …).
 */
export const BrokerQuery = z.record(z.string(), z.string());

export const CsrfTokenSchema = z.strictObject({ csrfToken: z.string() });

/** A sign-in started from a script; any other field is refused (see `signInBody`). */
export const SignInForm = z.strictObject({
  csrfToken: z.string().max(100),
  callbackUrl: z.string().max(2048).optional(),
  json: z.enum(["true", "false"]).optional(),
});

const SIGN_IN_FIELDS = new Set(Object.keys(SignInForm.shape));

async function signInBody(request: Request): Promise<Record<string, string>> {
  const form = await readForm(request, 4 * 1024);
  const body: Record<string, string> = {};
  for (const [name, value] of form) {
    if (!SIGN_IN_FIELDS.has(name)) {
      throw new AppError("ERR_VALIDATION", { detail: "Unexpected field in the sign-in form.", errors: { [name.slice(0, 64)]: ["Unexpected field."] } });
    }
    body[name] = value;
  }
  return body;
}

export interface BrokerRequest {
  request: Request;
  /** The path below /api/auth, as the catch-all route received it. */
  segments: readonly string[];
  requestId: string;
  log: Logger;
}

type Route =
  | { kind: "csrf" }
  | { kind: "start"; provider: ProviderId }
  | { kind: "start-from-link"; provider: ProviderId }
  | { kind: "callback"; provider: ProviderId }
  | { kind: "to-sign-in-page"; code?: OAuthOutcomeCode };

/**
 * The endpoints served, and nothing else:
 * - GET  /api/auth/signin/{provider}?next=  starts a sign-in from a link on our own page;
 * - GET  /api/auth/csrf                     next-auth's CSRF token, for the POST below;
 * - POST /api/auth/signin/{provider}        starts a sign-in from a script (form: csrfToken, callbackUrl, json);
 * - GET  /api/auth/callback/{provider}      the provider's redirect back;
 * - GET  /api/auth/signin, /api/auth/error  next-auth's own pages: sent to the SPA's sign-in page.
 */
function route(method: string, segments: readonly string[]): Route | null {
  const [action, provider, ...rest] = segments;
  if (rest.length > 0) return null;
  if (method === "GET" && action === "csrf" && provider === undefined) return { kind: "csrf" };
  if (method === "GET" && action === "signin" && isConfiguredProvider(provider)) return { kind: "start-from-link", provider };
  if (method === "POST" && action === "signin" && isConfiguredProvider(provider)) return { kind: "start", provider };
  if (method === "GET" && action === "callback" && isConfiguredProvider(provider)) return { kind: "callback", provider };
  if (method === "GET" && action === "signin") return { kind: "to-sign-in-page" };
  if (method === "GET" && action === "error" && provider === undefined) return { kind: "to-sign-in-page", code: "sign-in-failed" };
  return null;
}

export async function handleBrokerRequest({ request, segments, requestId, log }: BrokerRequest): Promise<Response> {
  const target = route(request.method, segments);
  if (target === null) throw new AppError("ERR_NOT_FOUND");
  const cookies = parseCookies(request.headers.get("cookie"));
  const exchange: Exchange = { caller: null, context: requestContext(request, requestId), destination: DEFAULT_DESTINATION };
  const base = { cookies, providerId: undefined, query: {}, body: undefined } satisfies Partial<NextAuthInput>;

  switch (target.kind) {
    case "to-sign-in-page":
      return redirectTo(absolute(target.code === undefined ? SIGN_IN_PATH : oauthOutcomePath(target.code)));
    case "csrf":
      return callNextAuth({ ...base, method: "GET", action: "csrf" }, brokerOptions(exchange));
    case "start":
      return startSignIn(await signInBody(request), target.provider, base.cookies, exchange);
    case "start-from-link":
      return startFromLink(request, target.provider, exchange);
    case "callback": {
      const query = queryObject(new URL(request.url));
      // The destination comes only from the cookie set when the sign-in started.
      delete query.callbackUrl;
      const user = await getUser(request);
      exchange.caller = user;
      const response = await callNextAuth({ ...base, method: "GET", action: "callback", providerId: target.provider, query }, brokerOptions(exchange));
      return finishCallback(response, exchange, target.provider, query, cookies, log);
    }
  }
}

/**
 * Whether a GET to start a sign-in came from a navigation on our own pages (a click on a
 * "Continue with …" link) or one the person made themselves (typed, bookmarked), rather than
 * from another site. The browser states it in `Sec-Fetch-Site`, which page scripts cannot set
 * (Fetch Metadata); `cross-site` and `same-site` (a sibling subdomain) are refused. A browser
 * too old to send it must show a Referer from APP_URL instead (the Referrer-Policy keeps the
 * origin on same-origin navigations). This is the same rule the edge applies to state changes
 * (lib/edge/csrf.ts), and it does for a link what next-auth's CSRF token does for its POST.
 */
function isOwnNavigation(request: Request): boolean {
  const site = request.headers.get("sec-fetch-site");
  if (site !== null) return site === "same-origin" || site === "none";
  const referer = request.headers.get("referer");
  if (referer === null) return false;
  try {
    return new URL(referer).origin === env.APP_URL;
  } catch {
    return false;
  }
}

/**
 * GET /api/auth/signin/{provider}?next=…: a sign-in started by following a link. It needs no
 * script, and sidesteps a CSP limit: the pages' `form-action 'self'` also applies to the
 * redirects a form submission follows, so a posted form could not continue to the provider.
 * Once the navigation is known to be our own, the broker makes the next-auth CSRF pair for this
 * one internal call; nothing of it reaches the browser.
 */
async function startFromLink(request: Request, provider: ProviderId, exchange: Exchange): Promise<Response> {
  if (!isOwnNavigation(request)) {
    throw new AppError("ERR_FORBIDDEN", { detail: "Start signing in from Palisade's own sign-in page." });
  }
  const { next, ...unexpected } = queryObject(new URL(request.url));
  if (Object.keys(unexpected).length > 0) throw new AppError("ERR_VALIDATION", { detail: "Only `next` may be given when starting a sign-in." });

  const csrf = await callNextAuth({ method: "GET", action: "csrf", providerId: undefined, query: {}, body: undefined, cookies: {} }, brokerOptions(exchange));
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const csrfName = COOKIES.csrfToken?.name as string;
  const pair = csrf.headers.getSetCookie().find((cookie) => cookie.startsWith(`${csrfName}=`));
  const csrfCookie = decodeURIComponent(pair?.slice(csrfName.length + 1).split(";")[0] ?? "");
  return startSignIn({ csrfToken, ...(next === undefined ? {} : { callbackUrl: next }) }, provider, { [csrfName]: csrfCookie }, exchange);
}

async function jsonUrl(response: Response): Promise<string> {
  try {
    const body = (await response.clone().json()) as { url?: unknown };
    return typeof body.url === "string" ? body.url : "";
  } catch {
    return "";
  }
}

async function startSignIn(body: Record<string, string>, provider: ProviderId, cookies: Record<string, string>, exchange: Exchange): Promise<Response> {
  // Checked where it enters. Without a (safe) one, next-auth would remember its own origin as the
  // destination; ours is the default page after sign-in.
  const form = { ...body, callbackUrl: safeRedirectUrl(body.callbackUrl, POLICY) ?? DEFAULT_DESTINATION };
  const response = await callNextAuth({ method: "POST", action: "signin", providerId: provider, query: {}, body: form, cookies }, brokerOptions(exchange));
  // With `json=true` next-auth answers { url }, otherwise a redirect; either names where to go.
  const next = response.headers.get("location") ?? (await jsonUrl(response));
  if (next.startsWith(`${BROKER_URL}/signin`)) {
    // next-auth's answer to a missing or wrong CSRF token: no flow was started.
    throw new AppError("ERR_FORBIDDEN", { detail: "The sign-in form has expired. Reload the page and try again." });
  }
  if (next.startsWith(`${BROKER_URL}/error`)) {
    // Discovery or the authorization URL failed: the provider is unreachable or misconfigured.
    throw new AppError("ERR_PROVIDER_UNAVAILABLE", { detail: "The sign-in provider could not be reached. Try again later." });
  }
  const cleaned = new Response(response.body, { status: response.status, headers: response.headers });
  cleaned.headers.delete("set-cookie");
  for (const cookie of withoutSessionCookies(response.headers)) cleaned.headers.append("set-cookie", cookie);
  return cleaned;
}

async function finishCallback(
  response: Response,
  exchange: Exchange,
  provider: ProviderId,
  query: Record<string, string>,
  cookies: Record<string, string>,
  log: Logger,
): Promise<Response> {
  // next-auth's cookies (the spent state, PKCE and nonce cookies, cleared), never a session; and
  // the destination cookie, which has served its purpose.
  const callbackUrlCookie = COOKIES.callbackUrl?.name as string;
  const setCookies = withoutSessionCookies(response.headers).filter((cookie) => !cookie.startsWith(`${callbackUrlCookie}=`));
  setCookies.push(expiredCookie(callbackUrlCookie));
  for (const name of Object.keys(cookies)) if (SESSION_COOKIE.test(name)) setCookies.push(expiredCookie(name));

  const { outcome, failure } = exchange;
  if (failure !== undefined) log.error({ err: failure, provider }, "provider sign-in failed after the protocol checks");

  if (outcome === undefined) {
    // next-auth refused before the hand-off: a bad or missing state, PKCE verifier or nonce, an
    // invalid ID token, a failed code exchange, or an error the provider sent back. Or our own failure.
    const providerError = query.error !== undefined;
    if (failure === undefined) {
      await recordAuditEvent(await getDb(), exchange.context, {
        type: "oauth.sign_in_refused",
        actorId: exchange.caller?.id ?? null,
        details: { provider, reason: providerError ? "provider_error" : "callback_rejected" },
      });
    }
    const code: OAuthOutcomeCode = query.error === "access_denied" ? "provider-denied" : "sign-in-failed";
    return redirectTo(absolute(oauthOutcomePath(code, exchange.caller === null ? SIGN_IN_PATH : ACCOUNT_PATH)), setCookies);
  }

  if (outcome.kind === "signed-in") {
    setCookies.push(...(await sessionCookies(outcome.user, outcome.session, outcome.session)));
  } else if (outcome.kind === "second-factor") {
    // No session yet: the second step finishes the sign-in, then goes where it was headed.
    setCookies.push(outcome.cookie);
    const destination = new URL(destinationAfter(exchange));
    return redirectTo(absolute(`${SECOND_FACTOR_PATH}?next=${encodeURIComponent(destination.pathname + destination.search)}`), setCookies);
  } else if (outcome.kind === "refused" && outcome.pendingLink !== null) {
    setCookies.push(pendingLinkCookie(await sealPendingLink(outcome.pendingLink)));
  }
  return redirectTo(destinationAfter(exchange), setCookies);
}
