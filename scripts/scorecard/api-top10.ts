/**
 * The OWASP API Security Top 10 (2023), each category with the tests that attack it here. The
 * security suite's catalogue adds its own tests to a category by naming it (`API1` … `API10`)
 * among an entry's references; the rest are listed by file and title, as in ./asvs.ts.
 */
import { integ, unit } from "./asvs";
import type { Evidence } from "./join";

export interface ApiCategory {
  id: string;
  name: string;
  /** What the category means for this app, in a line. */
  here: string;
  evidence: Evidence;
}

export const API_TOP10: readonly ApiCategory[] = [
  {
    id: "API1",
    name: "Broken object level authorization",
    here: "another user's note or session is a 404, from a query that includes the owner",
    evidence: { tests: [integ("notes", "ownership is part of every query"), integ("authz-matrix")] },
  },
  {
    id: "API2",
    name: "Broken authentication",
    here: "forged, replayed and confused tokens are refused; sign-in failures are limited per address and per account",
    evidence: { tests: [unit("tokens"), unit("wycheproof-jws"), unit("edge-auth-attempts"), integ("token-service", "refresh rotation and reuse detection")] },
  },
  {
    id: "API3",
    name: "Broken object property level authorization",
    here: "strict schemas refuse unexpected fields (a role at sign-up); serializers return only public fields",
    evidence: { tests: [integ("authz-write-attacks"), integ("token-service", "rejects a role in the body")] },
  },
  {
    id: "API4",
    name: "Unrestricted resource consumption",
    here: "rate limits per address (sized by a measured browser session), user, refresh token and request that hashes a secret; 64 KiB bodies; paging capped at 100; repeated failures are one audit row with a count, and a daily prune bounds the token, session and audit tables",
    evidence: {
      tests: [
        unit("edge-rate-limit"),
        unit("edge-body-size"),
        unit("read-json", "stops reading a chunked body"),
        unit("query"),
        integ("audit", "a flood of failed sign-ins from one address is one row with its count"),
        integ("prune", "a million refresh-token rows"),
      ],
    },
  },
  {
    id: "API5",
    name: "Broken function level authorization",
    here: "every handler's contract names its permission from one policy table, and the guard runs before the request is read; every route × caller is tested",
    evidence: { tests: [integ("authz-matrix"), unit("authz-routes"), integ("edge-gate-defence-in-depth")] },
  },
  {
    id: "API6",
    name: "Unrestricted access to sensitive business flows",
    here: "registration and sign-in are rate limited per address, and their failures per address and account; the last admin cannot be removed",
    evidence: {
      tests: [unit("edge-auth-attempts"), unit("edge-rate-limit", "make the server hash at will"), integ("admin", "refuses to demote the last admin")],
    },
  },
  {
    id: "API7",
    name: "Server side request forgery",
    here: "no endpoint fetches a URL a client supplies; token headers that point at keys (jku, x5u) are never followed",
    evidence: { tests: [integ("oauth-handoff", "takes its callback URL from APP_URL")] },
  },
  {
    id: "API8",
    name: "Security misconfiguration",
    here: "a deployment refuses to boot with a weak default; security headers and CORS on every response",
    evidence: { tests: [unit("env"), unit("edge-security-headers"), unit("edge-cors")], scanners: ["observatory"] },
  },
  {
    id: "API9",
    name: "Improper inventory management",
    here: "every route declares one contract; the public routes are one reviewed table; an OpenAPI 3.1 document generated from the contracts describes every route, and every response the integration suite receives is checked against it",
    evidence: { tests: [unit("authz-routes"), unit("edge-routes"), unit("authz-table"), unit("openapi-document"), unit("openapi-response-check")] },
  },
  {
    id: "API10",
    name: "Unsafe consumption of APIs",
    here: "identity-provider answers are verified (signature, issuer, audience, nonce) and validated before use",
    evidence: { tests: [integ("oauth-identity"), integ("oauth-handoff", "protocol checks before the hand-off")] },
  },
];
