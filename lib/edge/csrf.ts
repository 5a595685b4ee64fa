/**
 * CSRF defence for state-changing requests that carry our auth cookies.
 *
 * Threat: a page on another site makes the victim's browser send a request to us; the browser
 * attaches the victim's cookies, and a handler that trusts cookies acts as the victim. Next.js
 * protects Server Actions but not route handlers, and SameSite cookies alone are not enough:
 * a sibling subdomain is "same-site", Lax lets top-level navigations through, and older or
 * misconfigured browsers ignore it (docs/decisions/010-csrf-beyond-samesite.md).
 *
 * Defence, for POST, PUT, PATCH and DELETE when an access or refresh cookie is present (a request
 * without them has no ambient authority to abuse; bearer tokens are never sent automatically):
 * 1. `Sec-Fetch-Site` (Fetch Metadata, set by the browser and not writable by page scripts):
 *    `same-origin` passes, `cross-site` is refused.
 * 2. Otherwise (`same-site`, `none`, or no header from an older client) the `Origin` must be on
 *    the allowlist, compared exactly; `Origin: null` and look-alike hosts are refused. Without an
 *    `Origin`, the `Referer`'s origin is used; with neither, the request is refused.
 * 3. A JSON endpoint only takes `application/json` bodies. An HTML form can send only
 *    `text/plain`, `multipart/form-data` or `application/x-www-form-urlencoded` without a CORS
 *    preflight, so this keeps a form from smuggling a body even if a check above were bypassed.
 * Responses carry `Vary: Origin, Sec-Fetch-Site` because the answer depends on both (Next.js
 * replaces `Vary` on pages with its own list; pages send no CORS headers, and the requests this
 * check can refuse are never cached).
 * See the OWASP CSRF Prevention Cheat Sheet ("Verifying Origin With Standard Headers",
 * "Fetch Metadata").
 */
import { isJsonContentType } from "../http/read-json";
import { ACCESS_COOKIE, REFRESH_COOKIE } from "../auth/cookie-names";
import { readCookie } from "../auth/cookies";
import type { EdgeConfig } from "./config";
import { isAllowedOrigin } from "./cors";
import type { RouteClass } from "./routes";

export const UNSAFE_METHODS: ReadonlySet<string> = new Set(["POST", "PUT", "PATCH", "DELETE"]);
export const CSRF_VARY = ["Origin", "Sec-Fetch-Site"] as const;

export type CsrfDecision =
  | { ok: true }
  | { ok: false; status: 403; reason: "cross-site" | "origin-null" | "origin-mismatch" | "origin-missing" }
  | { ok: false; status: 415; reason: "content-type" };

export function carriesAuthCookies(headers: Headers): boolean {
  return readCookie(headers, ACCESS_COOKIE) !== undefined || readCookie(headers, REFRESH_COOKIE) !== undefined;
}

/** True when the request has a body: a non-zero Content-Length, or a chunked upload. */
function hasBody(headers: Headers): boolean {
  const length = headers.get("content-length");
  if (length !== null) return length.trim() !== "0";
  return headers.has("transfer-encoding");
}

function requestOrigin(headers: Headers): string | null {
  const origin = headers.get("origin");
  if (origin !== null) return origin;
  const referer = headers.get("referer");
  if (referer === null) return null;
  try {
    return new URL(referer).origin;
  } catch {
    return "null";
  }
}

export function csrfDecision(request: Request, route: RouteClass, config: Pick<EdgeConfig, "allowedOrigins">): CsrfDecision {
  if (!UNSAFE_METHODS.has(request.method) || !carriesAuthCookies(request.headers)) return { ok: true };

  const fetchSite = request.headers.get("sec-fetch-site");
  if (fetchSite === "cross-site") return { ok: false, status: 403, reason: "cross-site" };
  if (fetchSite !== "same-origin") {
    // same-site (a sibling subdomain may be compromised), none, or an older client: the origin
    // itself must be one we trust.
    const origin = requestOrigin(request.headers);
    if (origin === null) return { ok: false, status: 403, reason: "origin-missing" };
    if (origin === "null") return { ok: false, status: 403, reason: "origin-null" };
    if (!isAllowedOrigin(origin, config)) return { ok: false, status: 403, reason: "origin-mismatch" };
  }

  const type = request.headers.get("content-type");
  if (route.api && route.body === "json" && (type !== null || hasBody(request.headers)) && !isJsonContentType(type)) {
    return { ok: false, status: 415, reason: "content-type" };
  }
  return { ok: true };
}
