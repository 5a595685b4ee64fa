/**
 * Which routes are which, in one explicit table: the token gate, the CSRF content-type rule and
 * the rate-limit tiers all read it, so they cannot disagree.
 *
 * Threat: an allowlist of *protected* routes fails open. A new route nobody added to it is public
 * by default, and a path the matcher and the router read differently (`/%61pi/me`, `//api/me`)
 * slips past. So the gate is the other way round: every path under `/api/` needs a token unless
 * it is listed here, and a path is compared segment by segment after the same decoding the router
 * applies. Anything unusual classifies as protected, and is refused rather than let through
 * (CVE-2025-29927 showed what a skipped check costs; route handlers check again anyway).
 */

export type BodyFormat = "json" | "form";

export interface PublicRoute {
  /** Path segments; `[name]` matches one segment of letters, digits and dashes. */
  path: string;
  /** Why this route needs no access token. Kept next to the entry so a review sees it. */
  why: string;
  /** The request bodies it takes: JSON unless the protocol it speaks says otherwise. */
  body?: BodyFormat;
  /**
   * Its POST hashes or checks a password or a client secret, or verifies a passkey's signature:
   * CPU an anonymous caller can spend at will, or a credential it could try, so the `credential`
   * tier counts it (ADR 019).
   */
  credential?: true;
}

/** Every route that answers without an access token. Adding a line here is a security decision. */
export const PUBLIC_ROUTES: readonly PublicRoute[] = [
  { path: "/api/health", why: "liveness probe for load balancers and uptime checks" },
  { path: "/.well-known/jwks.json", why: "public keys, so other services can verify our tokens" },
  { path: "/api/openapi.json", why: "the API description: no secrets, the same for everyone" },
  { path: "/api/auth/register", why: "creates the account; there is no token yet", credential: true },
  { path: "/api/auth/login", why: "exchanges a password for tokens; there is no token yet", credential: true },
  { path: "/api/auth/login/second-factor", why: "finishes a sign-in with a second factor; there is no token until it does" },
  {
    path: "/api/auth/login/second-factor/passkey/options",
    why: "a passkey challenge for the second step; the pending sign-in's cookie names the account, there is no token yet",
  },
  {
    path: "/api/auth/passkeys/authentication/options",
    why: "a challenge for a passwordless passkey sign-in, bound to a nonce cookie it sets; there is no token yet",
    credential: true,
  },
  {
    path: "/api/auth/passkeys/authentication",
    why: "a passwordless sign-in: the nonce cookie and a user-verified passkey assertion authenticate it; there is no token yet",
    credential: true,
  },
  { path: "/api/auth/password/forgot", why: "a person who cannot sign in asks for a reset link; the link goes only to the address" },
  { path: "/api/auth/password/reset", why: "the mailed single-use token authenticates it; it hashes the new password", credential: true },
  { path: "/api/auth/email/verify", why: "the mailed single-use token authenticates it, in whichever browser opens the link" },
  { path: "/api/auth/email/confirm", why: "the single-use token mailed to the new address authenticates it, in whichever browser opens the link" },
  { path: "/api/auth/email/undo", why: "the single-use token mailed to the old address authenticates it; its owner may be signed out" },
  { path: "/api/auth/refresh", why: "runs when the access token has expired; the refresh cookie authenticates it" },
  { path: "/api/auth/logout", why: "must work with an expired access token; the refresh cookie names the session" },
  { path: "/api/oauth/token", why: "client-credentials grant; the client secret authenticates it", body: "form", credential: true },
  { path: "/api/cron/prune", why: "the scheduled retention job; CRON_SECRET authenticates it, and without one it is a 404" },
  // The identity broker (OAuth sign-in with GitHub, Google or OIDC, ending in our own token
  // pair): exactly the endpoints lib/auth/oauth/broker.ts serves. Starting a sign-in posts a form
  // carrying the broker's own double-submit CSRF token.
  { path: "/api/auth/csrf", why: "identity broker: issues its double-submit CSRF token" },
  { path: "/api/auth/signin", why: "identity broker: sends the browser to the sign-in page" },
  { path: "/api/auth/signin/[provider]", why: "identity broker: starts a provider sign-in", body: "form" },
  { path: "/api/auth/callback/[provider]", why: "identity broker: the provider redirects the browser back here" },
  { path: "/api/auth/error", why: "identity broker: sends the browser to the sign-in page with the error" },
  { path: "/api/auth/oauth/link", why: "links a provider to an existing account; the pending-link cookie and the password authenticate it", credential: true },
];

/**
 * The app's own icon files (app/icon.svg, app/favicon.ico), which the browser fetches again with
 * nearly every navigation. They are prebuilt files, as cheap to serve as `/_next/static`, which
 * the matcher skips, so the global tier does not count a GET or HEAD of exactly these paths
 * (ADR 019). A test checks the list against the files in app/.
 */
export const STATIC_METADATA_FILES: readonly string[] = ["/icon.svg", "/favicon.ico"];

/**
 * The pages a mailed single-use link opens (lib/users/email-tokens.ts). The token rides in the
 * fragment, which no browser puts in a Referer; these pages answer `Referrer-Policy: no-referrer`
 * as well, so not even the page's own address leaves with a request it makes (OWASP Forgot
 * Password Cheat Sheet).
 */
export const MAILED_LINK_PAGES: readonly string[] = ["/reset-password", "/verify-email", "/email/confirm", "/email/undo"];

/** The refresh endpoint, which has a rate-limit tier of its own. */
export const REFRESH_PATH = "/api/auth/refresh";

export interface RouteClass {
  /** The path as the router sees it: duplicate slashes collapsed, each segment decoded. */
  segments: readonly string[];
  /** Under `/api/` (compared case-insensitively, so `/API/me` cannot dodge the gate). */
  api: boolean;
  /** Under `/.well-known/`: machine-readable, like the API. */
  wellKnown: boolean;
  /** Listed in PUBLIC_ROUTES. */
  public: boolean;
  body: BodyFormat;
  refresh: boolean;
  /** Marked `credential` in PUBLIC_ROUTES. */
  credential: boolean;
  /** One of MAILED_LINK_PAGES, compared after the router's decoding. */
  mailedLink: boolean;
  /**
   * Exactly one of STATIC_METADATA_FILES, compared before any decoding or slash collapsing: a
   * path the router might read the same way (`//icon.svg`, `/icon%2Esvg`) is not this file.
   */
  staticFile: boolean;
  /**
   * A segment is not valid percent-encoding (`/notes/%E0%A4%A`). The router would fail to decode
   * it and answer with a bare 500 (found by the security suite's fuzzer), so the edge refuses it
   * with a 400 problem instead.
   */
  undecodable: boolean;
}

const PARAM = /^\[[a-z]+\]$/;
const PARAM_VALUE = /^[A-Za-z0-9-]{1,64}$/;

function splitPath(path: string): string[] {
  return path.split("/").filter((segment) => segment !== "");
}

const TABLE = PUBLIC_ROUTES.map((route) => ({ ...route, segments: splitPath(route.path) }));

/**
 * Decode each segment on its own, as the router does: `%2F` stays inside its segment instead of
 * becoming a separator, so `/api/auth%2Flogin` is not `/api/auth/login`. A segment that does not
 * decode is kept raw, which matches no public entry.
 */
function decodeSegments(pathname: string): { segments: string[]; undecodable: boolean } {
  let undecodable = false;
  const segments = splitPath(pathname).map((segment) => {
    try {
      return decodeURIComponent(segment);
    } catch {
      undecodable = true;
      return segment;
    }
  });
  return { segments, undecodable };
}

function matches(template: readonly string[], segments: readonly string[]): boolean {
  if (template.length !== segments.length) return false;
  return template.every((part, i) => {
    const segment = segments[i] as string;
    return PARAM.test(part) ? PARAM_VALUE.test(segment) : part === segment;
  });
}

export function classifyRoute(pathname: string): RouteClass {
  const { segments, undecodable } = decodeSegments(pathname);
  const api = segments[0]?.toLowerCase() === "api";
  const entry = TABLE.find((route) => matches(route.segments, segments));
  return {
    segments,
    api,
    wellKnown: segments[0] === ".well-known",
    public: entry !== undefined,
    body: entry?.body ?? "json",
    refresh: entry?.path === REFRESH_PATH,
    credential: entry?.credential === true,
    mailedLink: MAILED_LINK_PAGES.includes(`/${segments.join("/")}`),
    staticFile: STATIC_METADATA_FILES.includes(pathname),
    undecodable,
  };
}

/** Needs a verified access token at the edge: an API path that is not in PUBLIC_ROUTES. */
export function requiresToken(route: RouteClass): boolean {
  return route.api && !route.public;
}
