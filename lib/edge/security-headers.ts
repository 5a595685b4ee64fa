/**
 * Security headers on every response, pages and API alike.
 *
 * Threats and defences:
 * - XSS: a Content Security Policy with a fresh nonce per request. Only scripts carrying this
 *   response's nonce run (`'strict-dynamic'` lets them load their own chunks), so an injected
 *   `<script>` or inline handler does nothing; plugins, `<base>` hijacking and form posts to other
 *   origins are off (CSP Level 3; https://web.dev/articles/strict-csp). The nonce has 128 bits from
 *   the CSPRNG, so it cannot be guessed, and it is never reused: a cached or replayed page is the
 *   only way to learn one, and that page's nonce is dead by the next request. Next.js reads the
 *   nonce from the `Content-Security-Policy` *request* header that the middleware forwards and
 *   puts it on its own scripts; this needs dynamically rendered pages.
 * - Clickjacking: `frame-ancestors 'none'` and, for older browsers, `X-Frame-Options: DENY`.
 * - Protocol downgrade: HSTS for one year with subdomains and preload, in deployments only (they
 *   are https by rule; a browser ignores HSTS received over http anyway, and sending it from
 *   `localhost` would pin https on a developer's machine).
 * - MIME sniffing (`nosniff`), referrer leaks (`strict-origin-when-cross-origin`), powerful
 *   features (`Permissions-Policy`), cross-origin window and resource access (COOP, CORP).
 * API responses get a policy with no sources at all: they are data, never documents.
 */
import type { EdgeConfig } from "./config";

export const NONCE_BYTES = 16;

/** 128 random bits, base64: a fresh nonce for one response. */
export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  return btoa(String.fromCharCode(...bytes));
}

/** Directives for HTML documents. Rendered with `pageCsp()`. */
export function pageCsp(nonce: string, config: Pick<EdgeConfig, "deployed" | "development">): string {
  const directives: [string, ...string[]][] = [
    ["default-src", "'self'"],
    // React's development build evaluates strings to rebuild server error stacks; never in a build.
    ["script-src", "'self'", `'nonce-${nonce}'`, "'strict-dynamic'", ...(config.development ? ["'unsafe-eval'"] : [])],
    // The source article allows 'unsafe-inline' styles; Next puts the nonce on the styles it
    // inlines, so the stricter form costs nothing (docs/edge.md, "Security headers").
    ["style-src", "'self'", `'nonce-${nonce}'`],
    // https: for profile pictures from sign-in providers; data: for inline icons.
    ["img-src", "'self'", "data:", "https:"],
    ["font-src", "'self'"],
    // The SPA talks to its own origin only; in development 'self' also covers the HMR socket.
    ["connect-src", "'self'"],
    ["object-src", "'none'"],
    ["base-uri", "'none'"],
    ["frame-ancestors", "'none'"],
    ["form-action", "'self'"],
    ...(config.deployed ? ([["upgrade-insecure-requests"]] as [string][]) : []),
  ];
  return directives.map((parts) => parts.join(" ")).join("; ");
}

/** API responses (JSON, problem+json) load nothing and may not be framed. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export const HSTS = "max-age=31536000; includeSubDomains; preload";

/** Every feature the app does not use, off for this page and anything it embeds. */
export const PERMISSIONS_POLICY = [
  "accelerometer",
  "autoplay",
  "camera",
  "display-capture",
  "encrypted-media",
  "geolocation",
  "gyroscope",
  "magnetometer",
  "microphone",
  "midi",
  "payment",
  "screen-wake-lock",
  "serial",
  "usb",
  "xr-spatial-tracking",
]
  .map((feature) => `${feature}=()`)
  .join(", ");

export interface SecurityHeaderInput {
  nonce: string;
  /** An API or machine-readable route: the locked-down CSP. */
  api: boolean;
  /** A page a mailed single-use link opens (MAILED_LINK_PAGES in ./routes.ts): no referrer at all. */
  mailedLink?: boolean;
}

/** The response headers every answer carries. */
export function securityHeaders(input: SecurityHeaderInput, config: Pick<EdgeConfig, "deployed" | "development">): Headers {
  const headers = new Headers({
    "content-security-policy": input.api ? API_CSP : pageCsp(input.nonce, config),
    "referrer-policy": input.mailedLink === true ? "no-referrer" : "strict-origin-when-cross-origin",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "permissions-policy": PERMISSIONS_POLICY,
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
  });
  if (config.deployed) headers.set("strict-transport-security", HSTS);
  return headers;
}
