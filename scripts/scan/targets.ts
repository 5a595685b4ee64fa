/**
 * How to call every route in the manifest (tests/security/support/manifest.ts, read from
 * `app/**\/route.ts`) that takes input, as a legitimate caller would: the
 * request sqlmap starts from and then mutates, one parameter at a time. A route method without a
 * target must be listed in NO_INPUT with the reason, or the scan fails; so a new route is
 * either scanned or explicitly argued out.
 *
 * An owner-scoped resource's targets are derived from the OpenAPI document (docs/openapi.json,
 * generated from the contracts): its body example, a sample of each query parameter, and an
 * object the scan made through the resource's own create endpoint for the `{id}` segment. The
 * rest are written here, because each needs a credential or a state of its own.
 */
import { RULES } from "../../lib/authz/policy";
import type { OpenApiDocument, OpenApiOperation, OpenApiParameter } from "../../lib/http/openapi";
import { PASSKEY_ASSERTION_EXAMPLE, PASSKEY_ATTESTATION_EXAMPLE } from "../../lib/auth/mfa/passkey-public";

/** A passkey id of the right shape that no one owns. */
const PROBE_PASSKEY = "sqlmapprobepasskey0000";

export type Body = { type: "json"; value: Record<string, unknown> } | { type: "form"; value: string };

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface SqlmapTarget {
  method: HttpMethod;
  /** The manifest path this target covers, as the manifest writes it (`[id]`, `[...nextauth]`). */
  route: string;
  /** The concrete path and query; a `*` marks a path segment as the parameter under test. */
  url: string;
  body?: Body;
  /** Who sends it: the signed-in admin, a user made for this target alone, or nobody. */
  as: "admin" | "fresh-user" | "anonymous";
  /** Cookies that are themselves input (the refresh token is looked up by its id). */
  cookieParams?: string[];
}

/** Route methods whose only input is the access token, which the JWT attack corpus covers instead. */
export const NO_INPUT: Readonly<Record<string, string>> = {
  "GET /.well-known/jwks.json": "no input at all",
  "GET /api/health": "no input at all",
  "GET /api/openapi.json": "no input at all: the committed document, the same for everyone",
  "GET /api/cron/prune": "its only input is the Authorization header, compared in constant time with CRON_SECRET; any query is refused",
  "GET /api/me": "no input besides the access token",
  "GET /api/auth/sessions": "no input besides the access token",
  "POST /api/auth/logout-all": "no body; no input besides the access token",
  "GET /api/reports/notes": "any query parameter is refused; no input besides the service token",
  "GET /api/auth/oauth/link": "its only input is the encrypted pending-link cookie, opened before any lookup",
  "GET /api/auth/oauth/accounts": "any query parameter is refused; no input besides the access token",
  "POST /api/auth/email/verify/resend": "no body; no input besides the access token",
  "GET /api/auth/mfa": "any query parameter is refused; no input besides the access token",
  "POST /api/auth/mfa/totp": "no body; no input besides the access token",
  "DELETE /api/auth/mfa/totp": "no body; no input besides the access token",
  "POST /api/auth/mfa/recovery-codes": "no body; no input besides the access token",
  "POST /api/auth/passkeys/registration/options": "no body; no input besides the access token",
  "POST /api/auth/step-up/passkey/options": "no body; no input besides the access token",
  "POST /api/auth/login/second-factor/passkey/options": "no body; its only input is the pending sign-in cookie, looked up by its SHA-256",
  "POST /api/auth/passkeys/authentication/options": "no body and no cookie read: it only sets a fresh nonce cookie",
};

/** Two objects of an owner-scoped resource, made by the scan's principal: one to probe, one for DELETE to delete. */
export interface OwnedObjects {
  id: string;
  doomedId: string;
}

export interface TargetIds {
  /** By collection path (`/api/notes`), for each resource ownedCollections() names. */
  owned: Readonly<Record<string, OwnedObjects>>;
  otherUserId: string;
  clientId: string;
  clientSecret: string;
  otherClientId: string;
}

/** In a target's url, replaced by a second session of the fresh user (the first one sends the request). */
export const OWN_SESSION = "{session}";

export const REFRESH_COOKIE = "__Secure-palisade-rt";

const json = (value: Record<string, unknown>): Body => ({ type: "json", value });
/** A well-formed mailed-link token that no message carried: sqlmap mutates it. */
const PROBE_TOKEN = "Xo3bY0ac5vJm1kQ2pRrT8wZ4nL6yF9hE0gD7sA1uCqB";
const PASSWORD_CHANGE = { currentPassword: "scanner passphrase that is long enough", newPassword: "another passphrase for the scan run" };

/** Every target; ids come from the principals and objects the stack created. */
export function sqlmapTargets(ids: TargetIds, origin: string, document: OpenApiDocument): SqlmapTarget[] {
  const written = handWrittenTargets(ids, origin);
  const covered = new Set(written.map((target) => `${target.method} ${target.route}`));
  return [...written, ...ownedResourceTargets(document, ids.owned).filter((target) => !covered.has(`${target.method} ${target.route}`))];
}

function handWrittenTargets(ids: TargetIds, origin: string): SqlmapTarget[] {
  return [
    {
      method: "POST",
      route: "/api/auth/register",
      url: "/api/auth/register",
      as: "anonymous",
      body: json({ email: "sqlmap-probe@palisade.test", name: "Probe", password: "a passphrase for the sqlmap probe" }),
    },
    {
      method: "POST",
      route: "/api/auth/login",
      url: "/api/auth/login",
      as: "anonymous",
      body: json({ email: "sqlmap-probe@palisade.test", password: "a passphrase for the sqlmap probe" }),
    },
    { method: "POST", route: "/api/auth/login/second-factor", url: "/api/auth/login/second-factor", as: "anonymous", body: json({ code: "123456" }) },
    // Sent without the nonce cookie, like the second step without its pending cookie: it reaches
    // the handler, whose refusal comes before any query by the body.
    {
      method: "POST",
      route: "/api/auth/passkeys/authentication",
      url: "/api/auth/passkeys/authentication",
      as: "anonymous",
      body: json({ response: PASSKEY_ASSERTION_EXAMPLE }),
    },
    { method: "POST", route: "/api/auth/step-up", url: "/api/auth/step-up", as: "fresh-user", body: json({ password: PASSWORD_CHANGE.currentPassword }) },
    {
      method: "POST",
      route: "/api/auth/password/forgot",
      url: "/api/auth/password/forgot",
      as: "anonymous",
      body: json({ email: "sqlmap-probe@palisade.test" }),
    },
    {
      method: "POST",
      route: "/api/auth/password/reset",
      url: "/api/auth/password/reset",
      as: "anonymous",
      body: json({ token: PROBE_TOKEN, newPassword: PASSWORD_CHANGE.newPassword }),
    },
    { method: "POST", route: "/api/auth/email/verify", url: "/api/auth/email/verify", as: "anonymous", body: json({ token: PROBE_TOKEN }) },
    { method: "POST", route: "/api/auth/email/confirm", url: "/api/auth/email/confirm", as: "anonymous", body: json({ token: PROBE_TOKEN }) },
    { method: "POST", route: "/api/auth/email/undo", url: "/api/auth/email/undo", as: "anonymous", body: json({ token: PROBE_TOKEN }) },
    { method: "POST", route: "/api/auth/email", url: "/api/auth/email", as: "fresh-user", body: json({ email: "sqlmap-moved@palisade.test" }) },
    { method: "POST", route: "/api/auth/refresh", url: "/api/auth/refresh", as: "fresh-user", cookieParams: [REFRESH_COOKIE] },
    { method: "POST", route: "/api/auth/logout", url: "/api/auth/logout", as: "fresh-user", cookieParams: [REFRESH_COOKIE] },
    { method: "POST", route: "/api/auth/password", url: "/api/auth/password", as: "fresh-user", body: json(PASSWORD_CHANGE) },
    { method: "DELETE", route: "/api/auth/sessions/[id]", url: `/api/auth/sessions/${OWN_SESSION}*`, as: "fresh-user" },
    { method: "DELETE", route: "/api/me", url: "/api/me", as: "fresh-user", body: json({ password: PASSWORD_CHANGE.currentPassword }) },
    {
      method: "POST",
      route: "/api/auth/oauth/password",
      url: "/api/auth/oauth/password",
      as: "fresh-user",
      body: json({ newPassword: PASSWORD_CHANGE.newPassword }),
    },
    { method: "POST", route: "/api/auth/oauth/link", url: "/api/auth/oauth/link", as: "anonymous", body: json({ password: PASSWORD_CHANGE.currentPassword }) },
    { method: "DELETE", route: "/api/auth/oauth/accounts/[provider]", url: "/api/auth/oauth/accounts/oidc*", as: "fresh-user" },
    // The fresh user has started no enrolment: a well-formed code meets the 409 before any lookup by it.
    { method: "POST", route: "/api/auth/mfa/totp/confirm", url: "/api/auth/mfa/totp/confirm", as: "fresh-user", body: json({ code: "123456" }) },
    // The fresh user has asked for no registration challenge and owns no passkey: each is refused
    // past validation (400, 404), where an injected value would have had to reach a query first.
    {
      method: "POST",
      route: "/api/auth/passkeys/registration",
      url: "/api/auth/passkeys/registration",
      as: "fresh-user",
      body: json({ response: PASSKEY_ATTESTATION_EXAMPLE, name: "Probe key" }),
    },
    { method: "PATCH", route: "/api/auth/passkeys/[id]", url: `/api/auth/passkeys/${PROBE_PASSKEY}*`, as: "fresh-user", body: json({ name: "Probe key" }) },
    { method: "DELETE", route: "/api/auth/passkeys/[id]", url: `/api/auth/passkeys/${PROBE_PASSKEY}*`, as: "fresh-user" },
    { method: "GET", route: "/api/auth/[...nextauth]", url: `/api/auth/signin/oidc?next=${encodeURIComponent("/dashboard")}`, as: "anonymous" },
    { method: "GET", route: "/api/auth/[...nextauth]", url: "/api/auth/callback/oidc?code=probe-code&state=probe-state", as: "anonymous" },
    {
      method: "POST",
      route: "/api/auth/[...nextauth]",
      url: "/api/auth/signin/oidc",
      as: "anonymous",
      body: { type: "form", value: `csrfToken=probe&callbackUrl=${encodeURIComponent(`${origin}/dashboard`)}&json=true` },
    },
    { method: "GET", route: "/api/admin/users", url: "/api/admin/users?page=1&limit=10&sort=email&order=asc", as: "admin" },
    {
      method: "POST",
      route: "/api/admin/users",
      url: "/api/admin/users",
      as: "admin",
      body: json({ email: "sqlmap-made@palisade.test", name: "Made", password: "a passphrase for the sqlmap probe", role: "user" }),
    },
    {
      method: "PATCH",
      route: "/api/admin/users/[id]",
      url: `/api/admin/users/${ids.otherUserId}*`,
      as: "admin",
      body: json({ role: "user", disabled: false }),
    },
    { method: "GET", route: "/api/admin/audit", url: `/api/admin/audit?page=1&limit=10&type=user.registered&userId=${ids.otherUserId}`, as: "admin" },
    { method: "GET", route: "/api/admin/clients", url: "/api/admin/clients?page=1&limit=10&sort=name&order=asc", as: "admin" },
    { method: "POST", route: "/api/admin/clients", url: "/api/admin/clients", as: "admin", body: json({ name: "Scan job", scopes: ["reports:read"] }) },
    { method: "PATCH", route: "/api/admin/clients/[id]", url: `/api/admin/clients/${ids.otherClientId}*`, as: "admin", body: json({ disabled: false }) },
    {
      method: "POST",
      route: "/api/oauth/token",
      url: "/api/oauth/token",
      as: "anonymous",
      body: { type: "form", value: `grant_type=client_credentials&client_id=${ids.clientId}&client_secret=${ids.clientSecret}&scope=reports%3Aread` },
    },
  ];
}

const ITEM = /\/\{id\}$/;

function ownerScoped(operation: OpenApiOperation): boolean {
  const access = operation["x-access"];
  if (!("permission" in access)) return false;
  const rule = RULES[access.permission];
  return "object" in rule && rule.object === "owner";
}

function operationsOf(document: OpenApiDocument): { method: HttpMethod; path: string; operation: OpenApiOperation }[] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ method: method.toUpperCase() as HttpMethod, path, operation })),
  );
}

/** The collections of owner-scoped resources, each with the body example its create endpoint documents. */
export function ownedCollections(document: OpenApiDocument): { collection: string; example: Record<string, unknown> }[] {
  return operationsOf(document).flatMap(({ method, path, operation }) => {
    const example = operation.requestBody?.content["application/json"]?.example;
    return method === "POST" && !path.includes("{") && ownerScoped(operation) && example !== undefined ? [{ collection: path, example: { ...example } }] : [];
  });
}

/** A value each query parameter accepts, so sqlmap has every parameter to mutate: its default, its first choice, or a number. */
export function sampleQuery(parameters: readonly OpenApiParameter[] | undefined): string {
  const pairs = (parameters ?? [])
    .filter((parameter) => parameter.in === "query")
    .map((parameter) => {
      const schema = parameter.schema as { default?: unknown; enum?: unknown[]; pattern?: string };
      const value = schema.default ?? schema.enum?.[0] ?? (schema.pattern !== undefined && new RegExp(schema.pattern).test("1") ? "1" : "probe");
      return `${encodeURIComponent(parameter.name)}=${encodeURIComponent(String(value))}`;
    });
  return pairs.length === 0 ? "" : `?${pairs.join("&")}`;
}

/** Every operation of every owner-scoped resource, as the scan's principal, who owns the objects it names. */
export function ownedResourceTargets(document: OpenApiDocument, owned: Readonly<Record<string, OwnedObjects>>): SqlmapTarget[] {
  return operationsOf(document).flatMap(({ method, path, operation }): SqlmapTarget[] => {
    if (!ownerScoped(operation)) return [];
    const example = operation.requestBody?.content["application/json"]?.example;
    const body = example === undefined ? {} : { body: json({ ...example }) };
    const route = path.replace(/\{(\w+)\}/g, "[$1]");
    if (!ITEM.test(path)) return [{ method, route, url: `${path}${sampleQuery(operation.parameters)}`, as: "admin", ...body }];
    const objects = owned[path.replace(ITEM, "")];
    // No object to name: left uncovered, so the scan stops and says which route it could not reach.
    if (objects === undefined) return [];
    // A marked path segment and a JSON body are tested in one run: sqlmap takes both as parameters.
    const id = method === "DELETE" ? objects.doomedId : objects.id;
    return [{ method, route, url: `${path.replace("{id}", id)}*${sampleQuery(operation.parameters)}`, as: "admin", ...body }];
  });
}

/** Route methods (`POST /api/notes`) that are neither a target nor argued out in NO_INPUT: each one stops the scan. */
export function uncovered(targets: readonly SqlmapTarget[], routeMethods: readonly string[]): string[] {
  const covered = new Set([...targets.map((target) => `${target.method} ${target.route}`), ...Object.keys(NO_INPUT)]);
  return routeMethods.filter((key) => !covered.has(key));
}
