/**
 * Every test of the security suite, by the stable ID its title starts with (`[jwt.alg-none] …`):
 * what it proves, the OWASP ASVS 5.0 requirements it is evidence for, and the OWASP API Security
 * Top 10 (2023) category where one applies. The scorecard joins test results to this list on the
 * ID; tests/security/catalogue.test.ts keeps the two in step. Its one import reads the committed
 * route manifest (JSON, through node:fs), so any tool can load it, the scorecard script included.
 *
 * ASVS 5.0 chapters used: V1 encoding and sanitization, V2 validation and business logic, V3 web
 * frontend, V4 API and web service, V6 authentication, V7 session management, V8 authorization,
 * V9 self-contained tokens, V10 OAuth and OIDC, V13 configuration, V14 data protection, V15 secure
 * coding and architecture, V16 security logging and error handling.
 */
import { committedManifest } from "./manifest";

export interface CatalogueEntry {
  id: string;
  /** The figures family the test belongs to (test-results/security/figures/<family>.json). */
  family: "jwt-attacks" | "wycheproof" | "csrf-matrix" | "api-top10" | "ssrf" | "inventory" | "fuzz" | "regressions";
  proves: string;
  asvs: readonly string[];
  apiTop10?: "API1" | "API2" | "API3" | "API4" | "API5" | "API6" | "API7" | "API8" | "API9" | "API10";
}

const jwt = (id: string, proves: string, asvs: readonly string[]): CatalogueEntry => ({
  id: `jwt.${id}`,
  family: "jwt-attacks",
  proves,
  asvs,
  apiTop10: "API2",
});
/** The ID of the fuzz test of one endpoint: `fuzz.get-api-notes-id` for `GET /api/notes/{id}`. */
export function fuzzSlug(method: string, path: string): string {
  return `${method}-${path}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/-+$/, "");
}

/**
 * Every API method the router serves, from the committed route manifest, as the fuzzer names it
 * (`[id]` and `[...nextauth]` become `{id}` and `{nextauth}`): a new route gets its fuzz entry
 * here without anyone writing it, and the manifest's own test keeps the list current.
 */
function fuzzedEndpoints(): string[] {
  return (committedManifest() ?? [])
    .filter((entry) => entry.kind === "api")
    .flatMap((entry) => (entry.methods ?? []).map((method) => `${method} ${entry.path.replace(/\[(?:\.\.\.)?([A-Za-z]+)\]/g, "{$1}")}`));
}

const fuzz = (endpoint: string): CatalogueEntry => ({
  id: `fuzz.${fuzzSlug(...(endpoint.split(" ") as [string, string]))}`,
  family: "fuzz",
  proves: `${endpoint}: schema-driven and hostile input never causes a 5xx, and every response matches its exact schema`,
  asvs: ["2.2.1", "1.5.2", "15.3.5", "16.5.1", "16.5.3"],
  apiTop10: "API8",
});

export const SECURITY_TEST_CATALOGUE: readonly CatalogueEntry[] = [
  jwt("control", "an honestly signed token with the attack tokens' claims is accepted (the corpus is meaningful)", ["9.1.1"]),
  jwt("corpus-complete", "the corpus runs every attack group it defines", ["9.1.1"]),
  jwt("alg-none", 'alg "none" in any case, missing or empty alg: refused', ["9.1.1", "9.1.2"]),
  jwt("signature", "stripped, flipped, zeroed, truncated or transplanted signatures: refused", ["9.1.1"]),
  jwt("hs256-public-key", "HS256/HS384 keyed with our public key (PEM, DER, JWK, modulus): refused (algorithm confusion)", ["9.1.1", "9.1.2"]),
  jwt("embedded-key", "keys carried in the token (jwk, x5c, x5t): never trusted", ["9.1.3"]),
  jwt("remote-key", "jku, x5u, a URL kid or issuer: never fetched, never trusted", ["9.1.3", "1.3.6"]),
  jwt("kid", "path traversal, SQL, command injection, unknown and mistyped kid values select no key", ["9.1.3", "1.2.4"]),
  jwt("other-alg", "RS384, RS512, PS256, ES256, EdDSA, HS512 and JWE algorithms: refused, even with our key", ["9.1.2"]),
  jwt("time-claims", "expired, not-yet-valid, future-issued, overlong and mistyped exp/nbf/iat: refused", ["9.2.1"]),
  jwt("iss-aud", "wrong, missing, array or look-alike iss and aud: refused", ["9.2.3", "10.3.1"]),
  jwt("typ-confusion", "typ JWT, a refresh token, an OIDC ID token, a service token on a person's route: refused", ["9.2.2"]),
  jwt("crit-b64", 'unknown "crit" extensions and "b64": false: refused', ["9.1.1"]),
  jwt("malformed", "malformed segments, non-JSON parts and duplicate JSON keys: refused without a server error", ["9.1.1", "1.5.3", "16.5.3"]),
  jwt("oversize", "16 KiB and 1 MiB tokens in the header and the cookie: refused, never 2xx or 5xx", ["9.1.1", "2.4.1"]),
  jwt("weak-secret", "HS256 tokens signed with common weak secrets: refused", ["9.1.2"]),
  jwt("no-outbound-fetch", "no attack token made the app fetch anything", ["9.1.3", "1.3.6"]),
  jwt("query-string", "a valid token in the query string is ignored", ["14.2.1"]),
  jwt("bearer-no-fallback", "a bad Authorization header is refused even with a valid cookie", ["9.1.1"]),
  jwt("deleted-user", "a valid token of a deleted user is refused at once", ["7.4.2", "8.3.2"]),
  jwt("disabled-user", "a valid token of a disabled user is refused at once", ["7.4.2", "8.3.2"]),
  jwt("disabled-admin", "a disabled admin's valid token loses the admin route at once", ["7.4.2", "8.3.2"]),
  jwt("logged-out", "a valid token of a signed-out session is refused at once", ["7.4.1"]),

  {
    id: "wycheproof.rs256",
    family: "wycheproof",
    proves: "the verifier accepts exactly the valid RS256 Wycheproof JWS vectors and refuses every other vector",
    asvs: ["9.1.1", "9.1.2", "11.3.2"],
  },

  {
    id: "csrf.cross-site-refused",
    family: "csrf-matrix",
    proves: "every cross-site context × method × auth cookie is refused with 403 and changes nothing",
    asvs: ["3.5.1", "3.5.2", "3.3.2"],
    apiTop10: "API8",
  },
  {
    id: "csrf.auth-endpoints",
    family: "csrf-matrix",
    proves: "refresh, logout, logout-all, password change, account and session deletion refuse a foreign origin",
    asvs: ["3.5.1"],
    apiTop10: "API8",
  },
  {
    id: "csrf.content-type",
    family: "csrf-matrix",
    proves: "a form or text body to a JSON endpoint is refused with 415",
    asvs: ["3.5.2", "4.1.1"],
    apiTop10: "API8",
  },
  {
    id: "csrf.same-origin-control",
    family: "csrf-matrix",
    proves: "same-origin requests pass (the matrix's refusals are caused by the context)",
    asvs: ["3.5.1"],
  },

  {
    id: "api1.note-bola",
    family: "api-top10",
    proves: "user B cannot read, change or delete user A's note; 404 as if it did not exist",
    asvs: ["8.2.2"],
    apiTop10: "API1",
  },
  { id: "api1.admin-cannot-read-notes", family: "api-top10", proves: "an admin cannot reach a user's note either", asvs: ["8.2.2"], apiTop10: "API1" },
  {
    id: "api1.session-bola",
    family: "api-top10",
    proves: "user B cannot end user A's session; a foreign id and a missing id look the same",
    asvs: ["8.2.2", "7.5.2"],
    apiTop10: "API1",
  },
  {
    id: "api2.refresh-reuse",
    family: "api-top10",
    proves: "replaying a retired refresh token revokes the whole session",
    asvs: ["7.2.4", "7.4.1"],
    apiTop10: "API2",
  },
  {
    id: "api2.cookie-attributes",
    family: "api-top10",
    proves: "session cookies are __Host-/__Secure-, HttpOnly, Secure, SameSite, path-scoped; access tokens live 15 minutes",
    asvs: ["3.3.1", "3.3.2", "3.3.3", "3.3.4", "7.3.1"],
    apiTop10: "API2",
  },
  { id: "api2.logout-all", family: "api-top10", proves: "signing out everywhere ends every other session at once", asvs: ["7.4.1", "7.5.2"], apiTop10: "API2" },
  {
    id: "api3.mass-assignment",
    family: "api-top10",
    proves: "role, ownerId, id, timestamps and other unexpected fields are refused, never applied",
    asvs: ["15.3.3", "8.2.3", "2.2.1"],
    apiTop10: "API3",
  },
  {
    id: "api3.no-sensitive-fields",
    family: "api-top10",
    proves: "responses carry no hash, secret, password, owner id or internal flag, and match exact schemas",
    asvs: ["15.3.1", "8.2.3", "14.2.6"],
    apiTop10: "API3",
  },
  {
    id: "api4.body-size",
    family: "api-top10",
    proves: "declared and streamed bodies over 64 KiB are refused with 413",
    asvs: ["2.4.1", "4.2.1"],
    apiTop10: "API4",
  },
  {
    id: "api4.login-throttle",
    family: "api-top10",
    proves: "the sixth failed sign-in from one address gets 429 with Retry-After",
    asvs: ["6.3.1", "2.4.1"],
    apiTop10: "API4",
  },
  {
    id: "api4.mail-flood",
    family: "api-top10",
    proves: "a fourth mailed link to one address within the window is refused with 429 on the mail-address tier, whatever addresses ask",
    asvs: ["2.4.1", "6.4.3"],
    apiTop10: "API4",
  },
  {
    id: "api4.bounded-queries",
    family: "api-top10",
    proves: "oversized pages, repeated query keys and deep JSON are refused with 400",
    asvs: ["2.2.1", "2.4.1"],
    apiTop10: "API4",
  },
  { id: "api5.user-to-admin", family: "api-top10", proves: "a user gets 403 from every admin route", asvs: ["8.2.1", "8.3.1"], apiTop10: "API5" },
  {
    id: "api5.forged-role-claim",
    family: "api-top10",
    proves: "a validly signed token claiming admin for a user is still 403: the role comes from the database",
    asvs: ["8.3.1", "8.3.2"],
    apiTop10: "API5",
  },
  {
    id: "api5.service-token",
    family: "api-top10",
    proves: "a service client's token reaches only its scope, never people's or admin routes",
    asvs: ["8.2.1", "10.3.2"],
    apiTop10: "API5",
  },
  { id: "api5.method-override", family: "api-top10", proves: "method-override headers are ignored", asvs: ["4.1.4", "3.5.3"], apiTop10: "API5" },
  {
    id: "api6.login-enumeration",
    family: "api-top10",
    proves: "an unknown email and a wrong password get the same status and body",
    asvs: ["6.3.8"],
    apiTop10: "API6",
  },
  {
    id: "api6.signup-enumeration",
    family: "api-top10",
    proves:
      "sign-up answers a taken and a new address with the same status, body shape and no cookie; the production build mails each its own message after answering",
    asvs: ["6.3.1", "6.4.1"],
    apiTop10: "API6",
  },
  {
    id: "api6.reset-enumeration",
    family: "api-top10",
    proves: "forgot password answers a known and an unknown address alike; the known one is mailed a link built from APP_URL, the unknown one a notice",
    asvs: ["6.4.3"],
    apiTop10: "API6",
  },
  {
    id: "api6.password-spraying",
    family: "api-top10",
    proves: "failed sign-ins to one account from many addresses are throttled per account",
    asvs: ["6.3.1", "6.1.1"],
    apiTop10: "API6",
  },
  {
    id: "api7.outbound-allow-list",
    family: "api-top10",
    proves: "every outbound call site in server code is on a reviewed allow-list",
    asvs: ["13.2.4", "13.2.5", "1.3.6"],
    apiTop10: "API7",
  },
  {
    id: "api8.security-headers",
    family: "api-top10",
    proves: "CSP with nonce and frame-ancestors, nosniff, XFO, Referrer-Policy, COOP on APIs and pages; no X-Powered-By",
    asvs: ["3.4.3", "3.4.4", "3.4.5", "3.4.6", "3.4.8", "13.4.6"],
    apiTop10: "API8",
  },
  {
    id: "api8.cors-foreign-origin",
    family: "api-top10",
    proves: "foreign, look-alike and null origins get no CORS grant; the configured partner does",
    asvs: ["3.4.2"],
    apiTop10: "API8",
  },
  {
    id: "api8.no-stack-traces",
    family: "api-top10",
    proves: "errors are problem+json with the request ID, with no stack trace, path or library message",
    asvs: ["16.5.1", "16.5.3", "13.4.2", "4.1.1"],
    apiTop10: "API8",
  },
  {
    id: "api9.manifest-current",
    family: "api-top10",
    proves: "the committed route manifest matches app/**/route.ts",
    asvs: ["4.1.4", "13.4.5"],
    apiTop10: "API9",
  },
  {
    id: "api10.provider-profile-validated",
    family: "api-top10",
    proves: "a hostile identity provider's profile (foreign issuer, non-boolean email_verified, bidi names) is validated, not trusted",
    asvs: ["10.5.2", "10.5.3", "2.2.1"],
    apiTop10: "API10",
  },
  {
    id: "api10.callback-unconfigured",
    family: "api-top10",
    proves: "a callback or sign-in for a provider that is not configured is refused without a 5xx or a session",
    asvs: ["10.5.3", "16.5.3"],
    apiTop10: "API10",
  },

  {
    id: "ssrf.every-input",
    family: "ssrf",
    proves: "a listener URL in every string field, query and path parameter, cookie and URL header of every endpoint is never fetched",
    asvs: ["1.3.6", "13.2.4"],
    apiTop10: "API7",
  },

  {
    id: "inventory.crawl",
    family: "inventory",
    proves: "every link the pages render, signed out and as admin, is in the route manifest",
    asvs: ["13.4.5"],
    apiTop10: "API9",
  },
  {
    id: "inventory.wordlist",
    family: "inventory",
    proves: "well-known paths, leaked files (.env, .git, keys) and an API wordlist answer nothing outside the manifest",
    asvs: ["13.4.1", "13.4.2", "13.4.3", "13.4.5", "13.4.7"],
    apiTop10: "API9",
  },
  {
    id: "inventory.broker-endpoints",
    family: "inventory",
    proves: "the identity broker's catch-all answers only its reviewed endpoints",
    asvs: ["13.4.5"],
    apiTop10: "API9",
  },
  {
    id: "inventory.methods",
    family: "inventory",
    proves: "every API route refuses the methods it does not export with 405",
    asvs: ["4.1.4", "13.4.4"],
    apiTop10: "API9",
  },

  { id: "fuzz.coverage", family: "fuzz", proves: "the fuzzer covers exactly the API methods in the route manifest", asvs: ["2.2.1"], apiTop10: "API9" },
  ...fuzzedEndpoints().map(fuzz),

  {
    id: "regress.unstorable-text",
    family: "regressions",
    proves: "a NUL or lone surrogate in stored text is a 400, not a 500 (found by fuzzing)",
    asvs: ["2.2.1", "16.5.3"],
    apiTop10: "API8",
  },
  {
    id: "regress.undecodable-path",
    family: "regressions",
    proves: "a path that is not valid percent-encoding is a 400 problem at the edge, not the router's bare 500",
    asvs: ["16.5.1", "16.5.3", "2.2.1"],
    apiTop10: "API8",
  },
  {
    id: "regress.image-optimizer",
    family: "regressions",
    proves: "the unused image optimizer (outside the edge layer, fetches URLs) answers 404",
    asvs: ["13.4.5", "13.2.5", "1.3.6"],
    apiTop10: "API7",
  },
];
