/**
 * The OWASP ASVS 5.0.0 requirements at Levels 1 and 2 in the chapters that apply to Palisade,
 * each with the evidence that proves it here. The requirement texts are short summaries in our
 * own words; the standard (https://github.com/OWASP/ASVS/tree/v5.0.0/5.0/en) is authoritative.
 *
 * Evidence comes from three places: the security suite's catalogue (tests/security/support/
 * catalogue.ts names the requirements each `[id]` test proves, joined automatically), the tests
 * listed here by file and title, and documents, source checks and scanner records. Out of scope
 * as whole chapters: V5 (file handling: the app accepts, stores and serves no files) and V17
 * (WebRTC: none).
 */
import type { AbsenceCheck, Evidence } from "./join";

export interface Requirement {
  id: string;
  level: 1 | 2;
  text: string;
  evidence: Evidence;
}

export interface Chapter {
  id: string;
  title: string;
  requirements: readonly Requirement[];
}

/** Test references by suite: `unit("tokens", "rejects alg none")` is `tests/unit/tokens.test.ts > rejects alg none`. */
export const unit = (file: string, title?: string) => `tests/unit/${file}.test.ts${title === undefined ? "" : ` > ${title}`}`;
export const integ = (file: string, title?: string) => `tests/integration/${file}.test.ts${title === undefined ? "" : ` > ${title}`}`;
const e2e = (file: string, title?: string) => `tests/e2e/${file}.spec.ts${title === undefined ? "" : ` > ${title}`}`;

const SOURCE = ["app", "lib", "components", "middleware.ts"] as const;
const absent = (what: string, pattern: RegExp): AbsenceCheck => ({ what, pattern, dirs: SOURCE });

const NO_OOB = "no out-of-band factor (SMS, push, mailed codes): the second factors are TOTP, recovery codes and passkeys (ADR 046, ADR 047)";
const PLATFORM_TLS = "TLS is terminated in front of the app (Vercel, or the operator's proxy); the app itself serves plain HTTP behind it";

function r(id: string, level: 1 | 2, text: string, evidence: Evidence): Requirement {
  return { id, level, text, evidence };
}

export const ASVS_CHAPTERS: readonly Chapter[] = [
  {
    id: "V1",
    title: "Encoding and sanitization",
    requirements: [
      r("1.1.1", 2, "Input is decoded into its canonical form once, before it is processed.", {
        tests: [unit("read-json", "refuses invalid UTF-8"), unit("edge-token-gate", "reads a trailing or doubled slash as the router does")],
      }),
      r("1.1.2", 2, "Output is encoded for its interpreter as the last step, by the component that uses it.", {
        tests: [unit("edge-log", "cannot be forged into a second line"), integ("audit", "neutralises a forged log line")],
      }),
      r("1.2.1", 1, "Output is encoded for its context (HTML, attributes, headers) where it is written.", {
        tests: [unit("client-problem", "never shows the body of a response that is not a problem"), unit("request-id")],
      }),
      r("1.2.2", 1, "URLs built from untrusted data are encoded, and only safe protocols are allowed.", {
        tests: [integ("oauth-redirects"), unit("client-safe-redirect")],
      }),
      r("1.2.3", 1, "JavaScript and JSON are never built by string concatenation with untrusted data.", {
        tests: [unit("edge-log", "cannot be forged into a second line"), unit("route-errors", "generic 500")],
      }),
      r("1.2.4", 1, "Database queries are parameterised, so input cannot change a query (SQL injection).", {
        scanners: ["sqlmap"],
        absent: [absent("raw SQL built from strings", /\$(queryRawUnsafe|executeRawUnsafe)\b/)],
      }),
      r("1.2.5", 1, "Operating-system commands cannot be injected.", {
        absent: [absent("process execution in the app", /from\s+["']node:child_process["']|require\(["']child_process["']\)/)],
      }),
      r("1.2.6", 2, "LDAP injection is prevented.", { na: "no LDAP" }),
      r("1.2.7", 2, "XPath injection is prevented.", { na: "no XML or XPath" }),
      r("1.2.8", 2, "LaTeX processors are configured safely.", { na: "no LaTeX" }),
      r("1.2.9", 2, "Special characters are escaped in regular expressions built from input.", {
        absent: [absent("regular expressions built at run time", /new RegExp\(/)],
      }),
      r("1.3.1", 1, "Rich-text (WYSIWYG) HTML input is sanitised.", { na: "notes are plain text, rendered as text; no HTML is accepted" }),
      r("1.3.2", 1, "eval() and other dynamic code execution are not used.", {
        tests: [unit("edge-security-headers", "adds unsafe-eval only under next dev")],
        absent: [absent("eval or new Function", /\beval\(|new Function\(/)],
      }),
      r("1.3.3", 2, "Data passed to a dangerous context is restricted to safe characters and lengths first.", {
        tests: [unit("request-id"), unit("edge-log")],
      }),
      r("1.3.4", 2, "User-supplied SVG is sanitised.", { na: "the app accepts no SVG or other uploads" }),
      r("1.3.5", 2, "User-supplied template or expression content (Markdown, CSS, XSL) is sanitised or disabled.", {
        na: "no user content is interpreted: notes are shown as text",
      }),
      r("1.3.6", 2, "Server-side request forgery is prevented with allowlists of protocols, hosts and ports.", {
        tests: [integ("oauth-handoff", "takes its callback URL from APP_URL")],
      }),
      r("1.3.7", 2, "Templates are never built from untrusted input (template injection).", {
        na: "pages are compiled React components; no template is built at run time",
      }),
      r("1.3.8", 2, "JNDI queries are sanitised.", { na: "no Java, no JNDI" }),
      r("1.3.9", 2, "Content sent to memcache is sanitised.", { na: "no memcache; the rate-limit store receives only hashed or fixed-format keys" }),
      r("1.3.10", 2, "Format strings cannot be abused.", { na: "no format-string interpreter receives input; logs are structured JSON" }),
      r("1.3.11", 2, "Input sent to mail systems (SMTP/IMAP) is sanitised.", { na: "the app sends no mail" }),
      r("1.4.1", 2, "Memory-safe strings and buffers are used.", { na: "TypeScript on a managed runtime; no unmanaged code of our own" }),
      r("1.4.2", 2, "Integer sign, range and overflow checks guard memory operations.", { na: "no manual memory management" }),
      r("1.4.3", 2, "Dynamically allocated memory is released, and references to it cleared.", { na: "garbage-collected runtime" }),
      r("1.5.1", 1, "XML parsers are configured restrictively (no external entities).", { na: "the app parses no XML" }),
      r("1.5.2", 2, "Deserialisation of untrusted data is safe: plain data only, prototype keys refused.", {
        tests: [unit("read-json", "prototype pollution"), unit("read-json", "refuses deeply nested JSON")],
      }),
    ],
  },
  {
    id: "V2",
    title: "Validation and business logic",
    requirements: [
      r("2.1.1", 1, "Documentation defines the validation rules for input.", { docs: ["README.md", "lib/auth/schemas.ts", "lib/notes/public-note.ts"] }),
      r("2.1.2", 2, "Documentation defines how combined data items are checked for consistency.", { docs: ["docs/decisions/020-authorization-model.md"] }),
      r("2.1.3", 2, "Business-logic limits (per user, per time) are documented.", { docs: ["docs/edge.md", "docs/decisions/012-account-keyed-auth-limit.md"] }),
      r("2.2.1", 1, "Input is validated positively against expected structure and values.", {
        tests: [unit("validate"), integ("authz-write-attacks")],
      }),
      r("2.2.2", 1, "Validation is enforced on the server, not only in the browser.", {
        tests: [unit("route-errors"), integ("authz-write-attacks")],
      }),
      r("2.2.3", 2, "Combinations of related items are checked (e.g. an update must change something).", {
        tests: [integ("notes", "refuses an update with nothing to change"), integ("oauth", "refuses two authentication methods at once")],
      }),
      r("2.3.1", 1, "Business-logic flows run only in their expected order.", {
        tests: [
          integ("token-service", "a token two generations old is reuse"),
          integ("oauth-linking", "refuses a password confirmation without a pending link"),
        ],
      }),
      r("2.3.2", 2, "Business-logic limits are enforced as documented.", {
        tests: [integ("admin", "refuses to demote the last admin"), integ("notes", "accepts the limits exactly"), unit("edge-rate-limit")],
      }),
      r("2.3.3", 2, "Transactions make multi-step operations succeed or roll back as a whole.", {
        tests: [integ("migrations", "rolls back a failing migration completely"), integ("admin", "two admins demoting each other")],
      }),
      r("2.3.4", 2, "Locking prevents races on limited resources (double spending, double booking).", {
        tests: [integ("token-service", "fifty parallel refreshes"), unit("edge-auth-attempts", "cannot be raced")],
      }),
      r("2.4.1", 2, "Anti-automation controls stop excessive calls (rate limits).", {
        tests: [unit("edge-rate-limit"), unit("edge-auth-attempts"), e2e("rate-limit-human", "ten people behind one address")],
      }),
    ],
  },
  {
    id: "V3",
    title: "Web frontend security",
    requirements: [
      r("3.2.1", 1, "Browsers cannot render a response in the wrong context (an API answer as a page).", {
        tests: [unit("edge-security-headers", "gives API responses a policy that loads nothing")],
      }),
      r("3.2.2", 1, "Content meant as text is rendered as text, never as markup.", {
        tests: [e2e("security-headers", "a script injected into the server's HTML without the nonce does not run")],
      }),
      r("3.3.1", 1, "Cookies are Secure, with the __Secure- prefix when not __Host-.", { tests: [unit("cookies")] }),
      r("3.3.2", 2, "Each cookie's SameSite value fits its purpose.", { tests: [unit("cookies")] }),
      r("3.3.3", 2, "Cookies use the __Host- prefix unless they must be shared with other hosts.", {
        tests: [unit("cookies")],
        gap: "the refresh cookie is __Secure- rather than __Host-, because __Host- requires Path=/ and the refresh token is scoped to /api/auth; a sibling subdomain could plant a cookie of that name (docs/threat-model.md)",
      }),
      r("3.3.4", 2, "Cookies not meant for scripts are HttpOnly.", { tests: [unit("cookies")] }),
      r("3.4.1", 1, "Strict-Transport-Security is sent with a max-age of at least a year (and subdomains at Level 2).", {
        tests: [unit("edge-security-headers", "HSTS")],
        scanners: ["observatory"],
      }),
      r("3.4.2", 1, "CORS Access-Control-Allow-Origin is a fixed value or checked against an allowlist.", { tests: [unit("edge-cors")] }),
      r("3.4.3", 2, "A Content-Security-Policy restricts scripts (nonces or hashes), object-src and base-uri.", {
        tests: [unit("edge-security-headers", "CSP directives"), unit("edge-security-headers", "CSP nonce")],
        scanners: ["observatory"],
      }),
      r("3.4.4", 2, "Every response carries X-Content-Type-Options: nosniff.", {
        tests: [unit("edge-security-headers", "security headers on every response the edge produces")],
      }),
      r("3.4.5", 2, "A referrer policy keeps URLs from leaking to other sites.", {
        tests: [unit("edge-security-headers", "security headers on every response the edge produces")],
      }),
      r("3.4.6", 2, "frame-ancestors controls who may frame the app.", {
        tests: [unit("edge-security-headers", "CSP directives")],
        scanners: ["observatory"],
      }),
      r("3.5.1", 1, "Cross-origin requests to sensitive functions are refused unless they come from the app (CSRF).", {
        tests: [unit("edge-csrf")],
      }),
      r("3.5.2", 1, "Sensitive functions cannot be reached with requests that skip the CORS preflight.", {
        tests: [unit("edge-csrf", "the JSON content-type rule")],
      }),
      r("3.5.3", 1, "Sensitive functions use state-changing methods, never GET, and check Sec-Fetch-* where it helps.", {
        tests: [unit("edge-csrf", "does not apply to safe methods"), integ("oauth-handoff", "refuses to start from another site")],
      }),
      r("3.5.4", 2, "Separate applications live on separate hostnames.", { na: "one application on one origin" }),
      r("3.5.5", 2, "Messages from postMessage are validated (origin and content).", {
        tests: [unit("client-session", "ignores malformed messages on the channel")],
      }),
      r("3.7.1", 2, "Only supported, secure client technologies are used (no plugins).", {
        tests: [unit("edge-security-headers", "CSP directives")],
      }),
      r("3.7.2", 2, "Automatic redirects go only to allowlisted destinations.", {
        tests: [integ("oauth-redirects"), unit("client-safe-redirect")],
      }),
    ],
  },
  {
    id: "V4",
    title: "API and web service",
    requirements: [
      r("4.1.1", 1, "Every response with a body has a Content-Type that matches it, with a charset.", {
        tests: [unit("route-errors")],
        gap: "JSON and problem responses say application/json and application/problem+json without a charset parameter; JSON is UTF-8 by definition (RFC 8259), but the requirement asks for the parameter",
      }),
      r("4.1.2", 2, "Only browser-facing endpoints redirect http to https; APIs do not silently redirect.", { unverified: PLATFORM_TLS }),
      r("4.1.3", 2, "Headers set by trusted intermediaries (X-Forwarded-For, X-Real-IP) cannot be set by clients.", {
        tests: [unit("edge-client-ip")],
      }),
      r("4.2.1", 2, "Every component agrees on where a message ends (request smuggling).", {
        tests: [unit("edge-body-size", "refuses the malformed Content-Length")],
        unverified: "the front proxy's framing is the platform's; the app refuses malformed lengths",
      }),
      r("4.3.1", 2, "GraphQL queries are limited (allowlist, depth, cost).", { na: "no GraphQL" }),
      r("4.3.2", 2, "GraphQL introspection is off in production.", { na: "no GraphQL" }),
      r("4.4.1", 1, "WebSockets use TLS (wss).", { na: "no WebSockets" }),
      r("4.4.2", 2, "The WebSocket handshake checks Origin.", { na: "no WebSockets" }),
      r("4.4.3", 2, "WebSocket sessions are tied to the app's session management.", { na: "no WebSockets" }),
      r("4.4.4", 2, "Dedicated WebSocket tokens are random and bound to the session.", { na: "no WebSockets" }),
    ],
  },
  {
    id: "V6",
    title: "Authentication",
    requirements: [
      r("6.1.1", 1, "Documentation says how rate limits and anti-automation stop credential stuffing and brute force without locking owners out.", {
        docs: ["docs/decisions/012-account-keyed-auth-limit.md", "docs/edge.md"],
      }),
      r("6.1.2", 2, "A list of context-specific words that passwords may not contain is documented.", { docs: ["docs/decisions/005-password-policy.md"] }),
      r("6.1.3", 2, "Every authentication pathway is documented, with the same controls on each.", { docs: ["docs/tokens.md", "docs/oauth.md"] }),
      r("6.2.1", 1, "Passwords are at least 8 characters (15 recommended).", { tests: [unit("password-policy", "refuses 14 characters and accepts 15")] }),
      r("6.2.2", 1, "Users can change their password.", { tests: [integ("token-service", "changing the password")] }),
      r("6.2.3", 1, "Changing a password needs the current one and the new one.", {
        tests: [integ("token-service", "changing the password"), integ("oauth-add-password", "the change-password endpoint no longer sets a first password")],
      }),
      r("6.2.4", 1, "New passwords are checked against at least the 3,000 most common passwords.", {
        tests: [unit("password-policy", "bundles at least the 10,000 most common passwords")],
      }),
      r("6.2.5", 1, "Passwords of any composition are accepted; no composition rules.", { tests: [unit("password-policy", "no composition rules")] }),
      r("6.2.6", 1, "Password fields use type=password.", { tests: [e2e("auth")] }),
      r("6.2.7", 1, "Paste, password managers and browser helpers are allowed.", {}),
      r("6.2.8", 1, "The password is verified exactly as typed: no truncation or case folding.", { tests: [unit("password-policy", "never truncates")] }),
      r("6.2.9", 2, "Passwords of at least 64 characters are allowed.", { tests: [unit("password-policy", "accepts a 128-character Unicode password")] }),
      r("6.2.10", 2, "Passwords do not expire on a schedule; they change when compromised or by the user.", {
        docs: ["docs/decisions/005-password-policy.md"],
      }),
      r("6.2.11", 2, "The documented context-specific words are refused in passwords.", {
        tests: [unit("password-policy", "refuses a password built from the user")],
      }),
      r("6.2.12", 2, "New passwords are checked against breached passwords.", {
        tests: [unit("password-policy", "bundles at least the 10,000 most common passwords")],
      }),
      r("6.3.1", 1, "Credential stuffing and brute force are stopped as documented.", {
        tests: [unit("edge-auth-attempts"), integ("token-service", "refuses the sixth attempt on an account")],
      }),
      r("6.3.2", 1, "No default accounts (root, admin, sa) exist.", { docs: ["prisma/seed.ts"] }),
      r("6.3.3", 2, "Multi-factor authentication, or a combination of single factors, is required.", {
        tests: [
          integ("second-factor-sign-in", "a right password for an account with a second factor opens nothing"),
          integ("second-factor-sign-in", "the pending sign-in is not a session"),
          integ("second-factor-sign-in", "a right code signs in, with auth_time and amr pwd+otp+mfa"),
          integ("second-factor-sign-in", "a provider sign-in for an account with a second factor opens nothing until the factor passes"),
          integ("second-factor-sign-in", "answers the RFC 9470 challenge"),
          integ("passkey-routes", "a synced passkey signs in"),
          integ("admin-second-factor", "refuses an administrator without a second factor every admin tool"),
          e2e("second-factor"),
        ],
        docs: ["docs/decisions/047-second-factor-sign-in-and-step-up.md"],
      }),
      r("6.3.4", 2, "There are no undocumented authentication pathways, and all share the same controls.", {
        tests: [
          integ("oauth-handoff", "sets the same two cookies as a password sign-in"),
          integ("oauth-handoff", "does not accept a genuine next-auth session token"),
        ],
      }),
      r("6.4.1", 1, "System-generated initial passwords and activation codes are random, short-lived and single-use.", {
        tests: [
          integ("password-reset", "stores only the token's SHA-256"),
          integ("email-verification", "refuses a replayed confirmation link"),
          integ("email-verification", "refuses an expired confirmation link"),
          integ("mailed-link-attacks"),
        ],
      }),
      r("6.4.2", 1, "There are no password hints or secret questions.", { docs: ["lib/auth/schemas.ts"] }),
      r("6.4.3", 2, "Password reset is secure and does not bypass other factors.", {
        tests: [
          integ("password-reset", "answers a known and an unknown address alike"),
          integ("password-reset", "sets the new password, proves the address, ends every session, signs no one in"),
          integ("password-reset", "refuses a replayed link"),
          integ("password-reset", "refuses an expired link"),
          integ("password-reset", "a newer request cancels the older link"),
          integ("password-reset", "builds every link from APP_URL"),
          e2e("password-reset"),
        ],
      }),
      r("6.4.4", 2, "A lost second factor is recovered with identity proofing.", {
        gap: "a person who loses the authenticator and every recovery code has no way back but an administrator, and no route offers that yet (ADR 047)",
      }),
      r("6.5.1", 2, "Lookup secrets, OOB requests and TOTP codes are usable once.", {
        tests: [
          integ("second-factor-sign-in", "a TOTP code seen once is refused the second time"),
          integ("second-factor-sign-in", "a recovery code signs in once"),
          integ("mfa-foundation"),
        ],
      }),
      r("6.5.2", 2, "Stored lookup secrets are hashed with a salt.", {
        tests: [integ("mfa-management", "stored only as hashes"), unit("mfa-recovery-codes")],
        docs: ["docs/decisions/046-second-factors-foundation.md"],
      }),
      r("6.5.3", 2, "Lookup secrets and OOB codes come from a CSPRNG.", { tests: [unit("mfa-recovery-codes")], docs: ["lib/auth/mfa/recovery-codes.ts"] }),
      r("6.5.4", 2, "Lookup secrets and OOB codes carry at least 20 bits of entropy.", { tests: [unit("mfa-recovery-codes")] }),
      r("6.5.5", 2, "OOB requests and TOTP codes have short lifetimes.", { tests: [unit("mfa-totp")] }),
      r("6.6.1", 2, "Phone (PSTN) authentication is offered only with a stronger alternative.", { na: NO_OOB }),
      r("6.6.2", 2, "OOB requests are bound to the original authentication request.", { na: NO_OOB }),
      r("6.6.3", 2, "Code-based OOB authentication is rate limited.", { na: NO_OOB }),
      r("6.8.1", 2, "With several identity providers, one provider cannot assert another's users.", {
        tests: [integ("oauth-linking", "refuses to move a provider account that belongs to another user"), integ("oauth-handoff", "mix-up")],
      }),
      r("6.8.2", 2, "Signatures on authentication assertions (ID tokens) are always verified.", {
        tests: [integ("oauth-handoff", "protocol checks before the hand-off")],
      }),
      r("6.8.3", 2, "SAML assertions are processed once, within their validity.", { na: "no SAML" }),
      r("6.8.4", 2, "An expected authentication strength from the provider is checked (acr, amr).", {
        na: "no provider is asked for a particular strength; a provider sign-in counts as one factor, like a password",
      }),
    ],
  },
  {
    id: "V7",
    title: "Session management",
    requirements: [
      r("7.1.1", 2, "The inactivity timeout and absolute session lifetime are documented and justified.", { docs: ["docs/tokens.md"] }),
      r("7.1.2", 2, "The number of concurrent sessions allowed, and what happens at the limit, is documented.", { docs: ["docs/threat-model.md"] }),
      r("7.1.3", 2, "Every system that creates sessions in a federated sign-in is documented, with its controls.", {
        docs: ["docs/oauth.md", "docs/decisions/032-no-next-auth-session.md"],
      }),
      r("7.2.1", 1, "Session tokens are verified by a trusted backend service.", {
        tests: [integ("edge-gate-defence-in-depth"), integ("token-service", "guards on a protected handler")],
      }),
      r("7.2.2", 1, "Sessions use dynamically generated tokens, not static API keys.", {
        tests: [unit("tokens", "gives every token a fresh jti"), integ("oauth", "issues a service token over HTTP Basic")],
      }),
      r("7.2.3", 1, "Reference tokens are unique, from a CSPRNG, with at least 128 bits of entropy.", {
        tests: [integ("token-service", "refuses a malformed, unknown or forged refresh token")],
      }),
      r("7.2.4", 1, "A new session token is issued at authentication, and the old one ended.", {
        tests: [integ("token-service", "signs in with the right password"), integ("token-service", "rotates the refresh token")],
      }),
      r("7.3.1", 2, "An inactivity timeout ends idle sessions.", { tests: [integ("token-service", "ends a session idle for more than 7 days")] }),
      r("7.3.2", 2, "An absolute lifetime ends every session.", { tests: [integ("token-service", "ends a session 30 days after sign-in")] }),
      r("7.4.1", 1, "An ended session's tokens stop working.", {
        tests: [integ("token-service", "logout revokes this session"), integ("token-service", "a deleted user loses access at once")],
      }),
      r("7.4.2", 1, "All sessions end when an account is disabled or deleted.", {
        tests: [integ("token-service", "a disabled user loses access at once"), integ("admin", "a disabled user loses every session at once")],
      }),
      r("7.4.3", 2, "After a credential change, the user can end (or the app ends) every other session.", {
        tests: [integ("token-service", "changing the password keeps this session and revokes all others")],
      }),
      r("7.4.4", 2, "Every authenticated page offers an easy, visible logout.", { tests: [e2e("sessions")] }),
      r("7.4.5", 2, "Administrators can end a user's sessions.", { tests: [integ("admin", "a disabled user loses every session at once")] }),
      r("7.5.1", 2, "Changing sensitive account attributes requires full re-authentication.", {
        tests: [integ("token-service", "needs the current password"), integ("oauth-add-password", "refuses to add a password when the sign-in is not recent")],
      }),
      r("7.5.2", 2, "Users can see their active sessions and end any of them.", {
        tests: [integ("token-service", "lists the caller"), integ("token-service", "revokes one of the caller")],
      }),
      r("7.6.1", 2, "Session lifetimes between the app and identity providers behave as documented.", {
        docs: ["docs/oauth.md", "docs/decisions/032-no-next-auth-session.md"],
      }),
      r("7.6.2", 2, "A provider sign-in needs the user's explicit action; no silent session is created.", {
        tests: [integ("oauth-handoff", "refuses to start from another site")],
      }),
    ],
  },
  {
    id: "V8",
    title: "Authorization",
    requirements: [
      r("8.1.1", 1, "Documentation defines function-level and data-level access rules.", { docs: ["docs/authorization.md"] }),
      r("8.1.2", 2, "Documentation defines field-level access rules for reading and writing.", { docs: ["docs/decisions/020-authorization-model.md"] }),
      r("8.2.1", 1, "Function-level access is limited to callers with an explicit permission.", {
        tests: [integ("authz-matrix"), unit("authz-policy")],
      }),
      r("8.2.2", 1, "Data-level access is limited to the caller's own objects (IDOR, BOLA).", {
        tests: [integ("notes", "ownership is part of every query"), integ("authz-matrix")],
      }),
      r("8.2.3", 2, "Field-level access is enforced for reading and writing (BOPLA).", {
        tests: [integ("authz-write-attacks"), integ("token-service", "rejects a role in the body")],
      }),
      r("8.3.1", 1, "Authorization is enforced on the server, never only in the client or the middleware.", {
        tests: [integ("edge-gate-defence-in-depth"), integ("token-service", "refuse a handler called directly with no token")],
      }),
      r("8.4.1", 2, "Multi-tenant applications enforce tenant separation.", { na: "one tenant; per-user ownership is 8.2.2" }),
    ],
  },
  {
    id: "V9",
    title: "Self-contained tokens",
    requirements: [
      r("9.1.1", 1, "Tokens are accepted only after their signature is verified.", {
        tests: [unit("tokens", "rejects a tampered payload"), unit("wycheproof-jws")],
      }),
      r("9.1.2", 1, "Only allowlisted algorithms are accepted; never none.", {
        tests: [unit("tokens", "rejects alg none"), unit("tokens", "rejects HS256 signed with our public key")],
      }),
      r("9.1.3", 1, "Verification keys come only from trusted, preconfigured sources (jku, x5u, jwk ignored).", {
        tests: [unit("tokens", "rejects a token signed by a key that is not ours")],
      }),
      r("9.2.1", 1, "A token is accepted only inside its validity period (nbf, exp).", { tests: [unit("tokens", "expiry and clock skew")] }),
      r("9.2.2", 2, "The token's type is checked, so one kind of token cannot stand in for another.", {
        tests: [unit("tokens", "rejects typ"), unit("tokens", "rejects a refresh token presented as an access token")],
      }),
      r("9.2.3", 2, "Only tokens meant for this service (audience) are accepted.", { tests: [unit("tokens", "rejects the wrong audience")] }),
      r("9.2.4", 2, "A key that signs tokens for several audiences puts the audience in every token.", {
        tests: [unit("tokens", "carries the RFC 9068 header and every claim")],
      }),
    ],
  },
  {
    id: "V10",
    title: "OAuth and OIDC",
    requirements: [
      r("10.1.1", 2, "Tokens reach only the components that need them (no tokens readable by browser scripts).", {
        tests: [unit("cookies"), unit("client-session", "never touches storage"), integ("oauth-handoff", "never sets next-auth")],
      }),
      r("10.1.2", 2, "The client accepts authorization-server values only for flows this browser started (state, PKCE, nonce).", {
        tests: [integ("oauth-handoff", "refuses a callback in a browser that did not start the sign-in")],
      }),
      r("10.2.1", 2, "The code flow is protected against CSRF with PKCE or state.", {
        tests: [integ("oauth-handoff", "refuses a callback whose state was tampered with"), integ("oauth-identity", "turns on state and PKCE everywhere")],
      }),
      r("10.2.2", 2, "A client of several authorization servers defends against mix-up.", { tests: [integ("oauth-handoff", "mix-up")] }),
      r("10.3.1", 2, "The resource server accepts only access tokens meant for it (audience).", { tests: [unit("tokens", "rejects the wrong audience")] }),
      r("10.3.2", 2, "The resource server enforces authorization from the token's delegated rights (scope).", {
        tests: [integ("oauth", "a scope withdrawn from the client stops working at once")],
      }),
      r("10.3.3", 2, "Access decisions identify users by claims that cannot be reassigned (iss and sub).", {
        tests: [integ("oauth", "a service token whose sid is not its client id")],
      }),
      r("10.3.4", 2, "Required authentication strength or recency is checked before access.", {
        tests: [integ("oauth-add-password", "refuses to add a password when the sign-in is not recent")],
      }),
      r("10.4.1", 1, "The authorization server checks redirect URIs exactly.", {
        na: "our authorization server has only the client-credentials grant: no redirects",
      }),
      r("10.4.2", 1, "Authorization codes work once.", { na: "no authorization-code grant is offered" }),
      r("10.4.3", 1, "Authorization codes are short-lived.", { na: "no authorization-code grant is offered" }),
      r("10.4.4", 1, "Each client may use only the grants it needs.", {
        tests: [integ("oauth", "a missing grant_type is invalid_request")],
      }),
      r("10.4.5", 1, "Refresh-token replay is mitigated (rotation with reuse detection, or sender constraint).", {
        tests: [integ("token-service", "replayed refresh token after the grace window revokes the whole family")],
      }),
      r("10.4.6", 2, "The code grant requires PKCE.", { na: "no authorization-code grant is offered" }),
      r("10.4.7", 2, "Unauthenticated dynamic client registration is controlled.", { na: "no dynamic client registration" }),
      r("10.4.8", 2, "Refresh tokens have an absolute expiry.", { tests: [integ("token-service", "ends a session 30 days after sign-in")] }),
      r("10.4.9", 2, "Users can revoke refresh tokens through the app.", { tests: [integ("token-service", "revokes one of the caller")] }),
      r("10.4.10", 2, "Confidential clients authenticate on back-channel requests.", { tests: [integ("oauth", "client authentication")] }),
      r("10.4.11", 2, "Clients are given only the scopes they need.", {
        tests: [integ("oauth", "omitted: every granted scope; requested: exactly that subset")],
      }),
      r("10.5.1", 2, "ID-token replay is mitigated (nonce).", { tests: [integ("oauth-identity", "nonce with ID-token verification")] }),
      r("10.5.2", 2, "Users are identified from non-reassignable ID-token claims (sub), never from the email.", {
        tests: [integ("oauth-linking", "signs a returning provider account in to the same user")],
      }),
      r("10.5.3", 2, "A malicious authorization server cannot impersonate another through metadata (issuer check).", {
        tests: [integ("oauth-handoff", "mix-up")],
      }),
      r("10.5.4", 2, "The ID token's audience is this client.", { tests: [integ("oauth-handoff", "protocol checks before the hand-off")] }),
      r("10.5.5", 2, "Back-channel logout tokens are validated.", { na: "OIDC back-channel logout is not used" }),
      r("10.6.1", 2, "The OpenID provider allows only safe response modes.", { na: "the app is not an OpenID provider" }),
      r("10.6.2", 2, "The OpenID provider limits forced-logout denial of service.", { na: "the app is not an OpenID provider" }),
      r("10.7.1", 2, "The authorization server obtains the user's consent per client.", { na: "no user-delegated grants; service clients act for themselves" }),
      r("10.7.2", 2, "Consent prompts say clearly what is granted.", { na: "no user-delegated grants" }),
      r("10.7.3", 2, "Users can review and revoke consents.", { na: "no user-delegated grants" }),
    ],
  },
  {
    id: "V11",
    title: "Cryptography",
    requirements: [
      r("11.1.1", 2, "A key-management policy covers the key lifecycle.", { docs: ["docs/tokens.md"] }),
      r("11.1.2", 2, "A cryptographic inventory (keys, algorithms, certificates) is kept.", { docs: ["docs/threat-model.md"] }),
      r("11.2.1", 2, "Industry-validated cryptographic implementations are used.", { tests: [unit("wycheproof-jws")] }),
      r("11.2.2", 2, "Cryptography is agile: keys and algorithms can be replaced.", { tests: [unit("tokens", "key rotation")] }),
      r("11.2.3", 2, "Every primitive gives at least 128 bits of security.", {
        tests: [unit("tokens", "refuses an RSA key under 2048 bits")],
        gap: "RS256 with the 2048-bit keys that npm run keys:generate makes gives about 112 bits; 128 bits needs RSA-3072 (or ES256)",
      }),
      r("11.3.1", 1, "No insecure block modes (ECB) or weak padding.", {
        absent: [absent("ECB or CBC cipher modes", /-(ecb|cbc)\b/i)],
      }),
      r("11.3.2", 1, "Only approved ciphers and modes (such as AES-GCM).", {
        absent: [absent("legacy ciphers", /\b(des|rc4|blowfish|3des)\b['"-]/i)],
      }),
      r("11.3.3", 2, "Encrypted data is protected against modification (authenticated encryption).", { docs: ["docs/threat-model.md"] }),
      r("11.4.1", 1, "Only approved hash functions are used; MD5 and SHA-1 never for security.", {
        absent: [absent("MD5 or SHA-1", /createHash\(\s*["'](md5|sha1)["']/i)],
      }),
      r("11.4.2", 2, "Passwords are stored with an approved, slow password hash (argon2id parameters).", {
        tests: [unit("password-policy", "hashes with argon2id at m=19456 KiB, t=2, p=1")],
      }),
      r("11.4.3", 2, "Hashes in signatures and integrity checks are collision resistant.", {
        tests: [unit("tokens", "carries the RFC 9068 header and every claim")],
      }),
      r("11.4.4", 2, "Keys derived from passwords use an approved KDF with stretching.", { na: "no key is derived from a password" }),
      r("11.5.1", 2, "Security-relevant random values come from a CSPRNG with at least 128 bits of entropy.", {
        tests: [unit("edge-security-headers", "has 128 bits from the CSPRNG")],
        absent: [absent("Math.random", /Math\.random\(/)],
      }),
      r("11.6.1", 2, "Only approved public-key algorithms and modes are used.", {
        tests: [unit("tokens", "refuses a key of another type"), unit("tokens", "refuses an RSA key under 2048 bits")],
      }),
    ],
  },
  {
    id: "V12",
    title: "Secure communication",
    requirements: [
      r("12.1.1", 1, "Only current TLS versions (1.2, 1.3) are enabled.", { unverified: PLATFORM_TLS }),
      r("12.1.2", 2, "Only recommended cipher suites are enabled.", { unverified: PLATFORM_TLS }),
      r("12.1.3", 2, "mTLS client certificates are validated.", { na: "no mTLS" }),
      r("12.2.1", 1, "TLS protects all client connections, with no fallback to plain HTTP.", {
        tests: [unit("env", "refuses http:// origins in a deployment"), unit("edge-security-headers", "HSTS")],
        scanners: ["observatory"],
      }),
      r("12.2.2", 1, "External services use publicly trusted certificates.", { unverified: PLATFORM_TLS }),
      r("12.3.1", 2, "Outbound connections (database, rate-limit store, identity providers) use TLS.", {
        tests: [
          integ("oauth-identity", "refuses a plain-http issuer in a deployment"),
          unit("env", "refuses a deployment's database URL without TLS"),
          unit("env", "refuses a plain-http limiter store in a deployment"),
        ],
      }),
      r("12.3.2", 2, "TLS clients verify the certificates they receive.", {
        absent: [absent("disabled certificate verification", /rejectUnauthorized\s*:\s*false|NODE_TLS_REJECT_UNAUTHORIZED/)],
      }),
      r("12.3.3", 2, "Internal HTTP-based services talk over TLS.", {
        tests: [unit("env", "refuses a plain-http limiter store in a deployment"), unit("env", "refuses a deployment's database URL without TLS")],
      }),
      r("12.3.4", 2, "Internal TLS uses trusted certificates.", { unverified: PLATFORM_TLS }),
    ],
  },
  {
    id: "V13",
    title: "Configuration",
    requirements: [
      r("13.1.1", 2, "Every communication need (services, destinations) is documented.", { docs: ["docs/threat-model.md", ".env.example"] }),
      r("13.2.1", 2, "Backend connections authenticate with per-service credentials, not shared defaults.", {
        tests: [unit("env", "accepts a complete deployment")],
      }),
      r("13.2.2", 2, "Backend accounts have least privilege.", { unverified: "the database role and the Redis token are created by the operator" }),
      r("13.2.3", 2, "No default credentials are used for service authentication.", {
        tests: [unit("env", "refuses a deployment with every missing variable listed in one message")],
      }),
      r("13.2.4", 2, "An allowlist defines which external systems the app may call.", { docs: ["docs/threat-model.md"] }),
      r("13.2.5", 2, "The server may only send requests to allowlisted resources.", { docs: ["docs/threat-model.md"] }),
      r("13.3.1", 2, "Secrets live in a secrets store, never in source or build artefacts.", {
        docs: [".env.example"],
        unverified: "the store is the platform's (Vercel environment variables)",
      }),
      r("13.3.2", 2, "Access to secrets follows least privilege.", { unverified: "decided on the deployment platform" }),
      r("13.4.1", 1, "No source-control metadata (.git) is deployed or served.", {}),
      r("13.4.2", 2, "Debug modes are off in production.", {
        tests: [unit("edge-security-headers", "adds unsafe-eval only under next dev"), unit("route-errors", "generic 500")],
      }),
      r("13.4.3", 2, "No directory listings.", {}),
      r("13.4.4", 2, "The TRACE method is not supported.", {}),
      r("13.4.5", 2, "Internal documentation and monitoring endpoints are not exposed unless meant to be.", {}),
    ],
  },
  {
    id: "V14",
    title: "Data protection",
    requirements: [
      r("14.1.1", 2, "Sensitive data is identified and classified.", { docs: ["docs/threat-model.md"] }),
      r("14.1.2", 2, "Each protection level has documented requirements.", { docs: ["docs/threat-model.md"] }),
      r("14.2.1", 1, "Sensitive data travels in bodies or headers, never in URLs.", {
        tests: [integ("oauth", "refuses credentials in the URL")],
      }),
      r("14.2.2", 2, "Sensitive data is not cached by servers or intermediaries.", {
        tests: [integ("token-service", "signs in to both cookies with no internal field"), integ("health", "answers 200 with a real database round trip")],
      }),
      r("14.2.3", 2, "Sensitive data is not sent to untrusted parties (trackers, third-party scripts).", {
        tests: [unit("edge-security-headers", "CSP directives")],
      }),
      r("14.2.4", 2, "Protection controls (encryption, retention, integrity) match each data class.", {
        tests: [
          integ("prune", "deletes ended sessions past retention with their tokens"),
          integ("prune", "after a prune a live session still refreshes"),
          integ("prune", "refuses a caller with"),
        ],
      }),
      r("14.3.1", 1, "Authenticated data is cleared from the browser when the session ends.", {
        tests: [unit("client-session", "a refused refresh ends the session"), unit("client-session", "a deliberate sign-out in one tab reaches the others")],
      }),
      r("14.3.2", 2, "Responses with sensitive data carry anti-caching headers.", {
        tests: [integ("token-service", "rotates the refresh token and issues a new access token"), integ("oauth", "issues a service token over HTTP Basic")],
      }),
      r("14.3.3", 2, "Browser storage holds no sensitive data.", { tests: [unit("client-session", "never touches storage")] }),
    ],
  },
  {
    id: "V15",
    title: "Secure coding and architecture",
    requirements: [
      r("15.1.1", 1, "Documentation sets remediation timeframes for vulnerable components.", { docs: ["docs/threat-model.md"] }),
      r("15.1.2", 2, "An inventory (SBOM) of third-party components is kept.", { docs: ["package-lock.json"] }),
      r("15.1.3", 2, "Resource-hungry functions are documented with their defences.", { docs: ["docs/edge.md", "docs/threat-model.md"] }),
      r("15.2.1", 1, "Components are kept within the remediation timeframes (no known vulnerable versions).", {
        unverified: "needs `npm audit` against the live advisory database; not part of the offline test run",
      }),
      r("15.2.2", 2, "Resource-hungry functions are protected against availability loss.", {
        tests: [unit("edge-body-size"), unit("read-json", "stops reading a chunked body as soon as it passes the limit"), unit("edge-rate-limit")],
      }),
      r("15.2.3", 2, "Production contains only the functions it needs (no test or debug code).", {}),
      r("15.3.1", 1, "Responses return only the fields the caller needs.", {
        tests: [integ("token-service", "with no internal field"), integ("authz-matrix")],
      }),
      r("15.3.2", 2, "Backend calls to external URLs do not follow redirects unless meant to.", {
        unverified:
          "the identity broker's calls (openid-client, and the GitHub profile fetch in lib/auth/oauth/providers.ts) use their clients' default redirect handling; no test pins it",
      }),
      r("15.3.3", 2, "Mass assignment is prevented (only allowed fields are bound).", {
        tests: [integ("authz-write-attacks"), unit("validate", "rejects an unexpected field such as role")],
      }),
      r("15.3.4", 2, "Proxies and middleware pass the real client IP in trusted fields only.", { tests: [unit("edge-client-ip")] }),
      r("15.3.5", 2, "Types are checked strictly (no type juggling, strict comparisons).", { docs: ["eslint.config.mjs", "tsconfig.json"] }),
      r("15.3.6", 2, "JavaScript code is protected against prototype pollution.", {
        tests: [
          unit("read-json", "prototype pollution"),
          unit("read-form", "refuses the prototype-polluting name"),
          unit("query", "with a 400 naming the field"),
        ],
      }),
      r("15.3.7", 2, "HTTP parameter pollution is prevented.", {
        tests: [unit("validate", "rejects a repeated parameter"), unit("read-form", "refuses a repeated field")],
      }),
    ],
  },
  {
    id: "V16",
    title: "Security logging and error handling",
    requirements: [
      r("16.1.1", 2, "An inventory documents what each layer logs, where, and in which format.", { docs: ["docs/threat-model.md"] }),
      r("16.2.1", 2, "Each log entry says when, where, who and what.", {
        tests: [integ("audit", "records every listed security event at its source, with who, whom, where from and which request")],
      }),
      r("16.2.2", 2, "Log times come from synchronised clocks, in UTC.", { unverified: "clock synchronisation is the platform's" }),
      r("16.2.3", 2, "Logs go only to documented destinations.", { docs: ["docs/threat-model.md"] }),
      r("16.2.4", 2, "Logs use a format a log processor can read and correlate.", { tests: [unit("edge-log", "are one JSON object per line")] }),
      r("16.2.5", 2, "Sensitive data in logs is protected (masked, hashed or left out).", {
        tests: [unit("edge-auth-attempts", "never writes the email address"), integ("oauth", "never writes a secret or a token to the audit log")],
      }),
      r("16.3.1", 2, "Every authentication operation, successful or not, is logged.", {
        tests: [integ("audit", "records every listed security event")],
      }),
      r("16.3.2", 2, "Failed authorization attempts are logged.", {
        tests: [unit("route-refusal-log", "logs a 403 from a handler's guard"), unit("edge-csrf", "logs each refusal with its reason and the request ID")],
      }),
      r("16.3.3", 2, "Attempts to bypass security controls are logged (validation, CSRF, limits).", {
        tests: [unit("edge-csrf", "logs each refusal with its reason and the request ID"), unit("edge-rate-limit", "logs a warning per tier")],
      }),
      r("16.3.4", 2, "Unexpected errors and failing security controls are logged.", {
        tests: [
          unit("route-errors", "generic 500"),
          unit("edge-security-headers", "answers a crash with a generic 500 problem that leaks nothing and logs the failure"),
        ],
      }),
      r("16.4.1", 2, "Log data is encoded so entries cannot be injected.", {
        tests: [unit("edge-log", "cannot be forged into a second line"), integ("audit", "neutralises a forged log line")],
      }),
      r("16.4.2", 2, "Logs are protected from unauthorised access and change.", { tests: [integ("audit", "is for admins only")] }),
      r("16.4.3", 2, "Logs are sent to a logically separate system.", {
        unverified: "the process writes JSON lines to stdout; shipping them is the platform's log drain",
      }),
      r("16.5.1", 2, "Unexpected errors get a generic message, never internals.", { tests: [unit("route-errors", "generic 500")] }),
      r("16.5.2", 2, "The app keeps operating securely when an external resource fails.", {
        tests: [integ("health", "with the database down"), integ("edge-upstash-store", "the store down")],
      }),
      r("16.5.3", 2, "The app fails gracefully and closed (no fail-open on errors).", {
        tests: [
          unit("edge-security-headers", "answers a crash with a generic 500"),
          integ("edge-upstash-store", "refuses sign-in attempts while the store hangs"),
        ],
      }),
    ],
  },
];
