/**
 * Where the server sends a browser after a provider sign-in: an absolute URL on an allowed
 * origin, or nothing (the caller then uses the default).
 *
 * Threat: an open redirect (CWE-601) at the very end of a sign-in. The sign-in flow carries a
 * "come back to" URL (next-auth's `callbackUrl`) through the provider and back; if it could name
 * any origin, a link to our real sign-in could deliver freshly signed-in users to a look-alike
 * site. Browsers and URL parsers are lenient, so `//evil.com`, `/\evil.com`, `https:evil.com`,
 * `/%5Cevil.com`, `https://app.example.com.evil.com` and tab- or newline-split values all need
 * to fail.
 *
 * Defence, an allowlist at two levels:
 * - The origin: an absolute URL must start with `http://` or `https://` and its origin must be
 *   exactly APP_URL or one of CORS_ORIGINS (string equality after parsing; no suffix or pattern
 *   rules, so a look-alike host never matches), with no user name or password in it.
 * - The path: one implementation for the whole app, lib/client/safe-redirect.ts (the SPA's),
 *   which accepts only a single-slash path with no backslash, whitespace or control character
 *   before and after percent-decoding.
 * Before either, the raw value is refused if it contains a backslash, whitespace or a control
 * character anywhere: URL parsing silently drops tabs and newlines and reads `\` as `/`, so the
 * value must be judged as the attacker wrote it, not as the parser repairs it.
 * See the OWASP Unvalidated Redirects and Forwards Cheat Sheet and docs/oauth.md ("Redirects").
 */
import { safeRedirect } from "../client/safe-redirect";

export interface RedirectPolicy {
  /** APP_URL: relative targets resolve against it. */
  appOrigin: string;
  /** Every origin a target may have: APP_URL and CORS_ORIGINS. */
  allowedOrigins: ReadonlySet<string>;
}

/** Long enough for any real destination; a longer value is an attack or a bug. */
const MAX_LENGTH = 2048;
/** Backslash, ASCII control characters, space, DEL and the C1 controls. */
const UNSAFE_CHARACTERS = /[\\\u0000-\u0020\u007f-\u009f]/;
/** Only these two schemes, spelled out with both slashes: `https:evil.com` is not absolute here. */
const ABSOLUTE_HTTP = /^https?:\/\//i;

export function redirectPolicy(appOrigin: string, corsOrigins: readonly string[]): RedirectPolicy {
  return { appOrigin, allowedOrigins: new Set([appOrigin, ...corsOrigins]) };
}

/**
 * `value` as an absolute URL on an allowed origin, or null. Accepts `unknown` because it is fed
 * straight from a form field, a query string or a cookie.
 */
export function safeRedirectUrl(value: unknown, policy: RedirectPolicy): string | null {
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_LENGTH) return null;
  if (UNSAFE_CHARACTERS.test(value)) return null;

  if (!ABSOLUTE_HTTP.test(value)) {
    // A relative target: the shared path rules decide, and it stays on APP_URL.
    const path = safeRedirect(value, "");
    return path === "" ? null : `${policy.appOrigin}${path}`;
  }

  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  // `https://app.example.com@evil.com` has host evil.com; `https://evil.com@app.example.com`
  // is on our host but trains users to trust such links. Neither belongs in a redirect.
  if (url.username !== "" || url.password !== "") return null;
  if (!policy.allowedOrigins.has(url.origin)) return null;
  const path = safeRedirect(`${url.pathname}${url.search}${url.hash}`, "");
  return path === "" ? null : `${url.origin}${path}`;
}
