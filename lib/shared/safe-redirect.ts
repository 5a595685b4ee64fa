/**
 * Where to send a browser after sign-in: a path on this origin (`safeRedirect`, for the pages and
 * the SPA) or an absolute URL on an allowed origin (`safeRedirectUrl`, for the end of a provider
 * sign-in). One module for both, so there is one set of path rules to get right. It is pure and
 * uses Web APIs only: the browser, the server and the edge can all load it.
 *
 * Threat: an open redirect (CWE-601). `/signin?next=…` is a link anyone can craft, and a provider
 * sign-in carries a "come back to" URL (next-auth's `callbackUrl`) through the provider and back;
 * if either could name another origin, a phishing mail could send a real sign-in page's users on
 * to a fake one, and they would arrive there just after typing their password. Browsers are
 * lenient about what a "path" is, so the obvious `startsWith("/")` check lets many tricks through:
 * - `//evil.com` and `/\evil.com` are protocol-relative (browsers read `\` as `/`);
 * - `/\t/evil.com` becomes `//evil.com`, because URL parsing strips tabs and newlines;
 * - `/%2F%2Fevil.com` is harmless here, but a layer that decodes once more makes it `//evil.com`;
 * - `javascript:…`, `https:evil.com` and `data:…` are not paths at all;
 * - `https://app.example.com.evil.com` and `https://app.example.com@evil.com` look like ours.
 * Defence: allowlists, not blocklists.
 * - The path must be a single-slash path with no backslash, whitespace or control character,
 *   before and after percent-decoding, and the URL parser must agree that it stays on this origin.
 * - An absolute URL must start with `http://` or `https://`, carry no user name or password, and
 *   have exactly APP_URL or one of CORS_ORIGINS as its origin (string equality after parsing, so a
 *   look-alike host never matches); its path then meets the same path rules.
 * - Before either, the raw value is refused if it contains a backslash, whitespace or a control
 *   character anywhere: the value is judged as the attacker wrote it, not as the parser repairs it.
 * See the OWASP Unvalidated Redirects and Forwards Cheat Sheet and docs/oauth.md ("Redirects").
 */

/** Where a signed-in user goes when no (safe) destination was given. */
export const DEFAULT_AFTER_SIGN_IN = "/dashboard";

/** Long enough for any real path and query; a longer value is an attack or a bug. */
const MAX_LENGTH = 2048;

/** Stands in for this origin while parsing; `.invalid` can never resolve (RFC 6761). */
const PLACEHOLDER_ORIGIN = "https://palisade.invalid";

/** Backslash, ASCII control characters, space, DEL and the C1 controls. */
const UNSAFE_CHARACTERS = /[\\\u0000-\u0020\u007f-\u009f]/;

/** The sign-in flow's own pages: sending a user back to one of them would loop. */
const FLOW_PATHS = ["/signin", "/register", "/resume"];

/** Percent-decode until stable (at most three rounds), or null when the encoding is broken. */
function fullyDecoded(value: string): string | null {
  let current = value;
  for (let round = 0; round < 3; round++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return null;
    }
    if (next === current) return current;
    current = next;
  }
  return current;
}

function looksLikeLocalPath(value: string): boolean {
  return value.startsWith("/") && !value.startsWith("//") && !UNSAFE_CHARACTERS.test(value);
}

function isFlowPath(pathname: string): boolean {
  return FLOW_PATHS.some((flow) => pathname === flow || pathname.startsWith(`${flow}/`));
}

/**
 * `value` as a same-origin path (with its query and fragment), or `fallback`. Accepts `unknown`
 * because it is meant to be fed straight from a query string.
 */
export function safeRedirect(value: unknown, fallback: string = DEFAULT_AFTER_SIGN_IN): string {
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_LENGTH) return fallback;
  if (!looksLikeLocalPath(value)) return fallback;

  // The same rules for the decoded form, so no later decoding step can turn it into a URL.
  // Spaces are fine once decoded (`?q=a%20b`); control characters and slashes at the start are not.
  const decoded = fullyDecoded(value);
  if (decoded === null || decoded.startsWith("//") || decoded.startsWith("/\\") || /[\u0000-\u001f\u007f-\u009f]/.test(decoded)) {
    return fallback;
  }

  // Finally, the parser the browser itself will use must keep it on this origin.
  let url: URL;
  try {
    url = new URL(value, PLACEHOLDER_ORIGIN);
  } catch {
    return fallback;
  }
  if (url.origin !== PLACEHOLDER_ORIGIN || isFlowPath(url.pathname)) return fallback;
  // The parser resolves dot segments, so `/.//evil.com` and `/x/..//evil.com` come out as the
  // path `//evil.com` (protocol-relative once used as a URL), and `/a/../%2F/evil.com` as one
  // that decodes to it: the result gets the same checks as the input.
  const decodedPath = fullyDecoded(url.pathname);
  if (url.pathname.startsWith("//") || decodedPath === null || decodedPath.startsWith("//") || decodedPath.startsWith("/\\")) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}

export interface RedirectPolicy {
  /** APP_URL: relative targets resolve against it. */
  appOrigin: string;
  /** Every origin a target may have: APP_URL and CORS_ORIGINS. */
  allowedOrigins: ReadonlySet<string>;
}

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
