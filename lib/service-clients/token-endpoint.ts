/**
 * The OAuth 2.0 token endpoint, client credentials grant only (RFC 6749 §4.4).
 *
 * A service client proves who it is with its secret, by exactly one method: HTTP Basic
 * (§2.3.1, which every server must support) or `client_id` + `client_secret` in the form body
 * (`client_secret_post`). Sending both is refused, as §2.3 requires. Parameters come only from
 * the form body: a query string is refused, because a secret in a URL ends up in logs and
 * histories (§2.3.1, §3.2). The token it gets is an ordinary access token (lib/auth/tokens.ts)
 * with `role: "service"`, `sub` and `sid` set to the client id, the granted `scope`, the same
 * RS256 keys and lifetime, and no refresh token (§4.4.3): a client that needs another one asks again.
 *
 * Errors follow §5.2 (`{"error": …, "error_description": …}`), not problem+json, because OAuth
 * client libraries parse that shape. Every failed client authentication is the same
 * `invalid_client` answer, whether the id was unknown, the secret wrong or the client disabled;
 * the audit log records which (docs/decisions/021-service-principals-client-credentials.md).
 */
import "server-only";
import { z } from "zod";
import { recordAuditEvent, type AuditContext } from "../audit";
import type { Db } from "../db/client";
import { isAppError, type ErrorCode } from "../http/errors";
import { json } from "../http/handler";
import { assertNoQuery } from "../http/query";
import { readForm } from "../http/read-form";
import { signAccessToken } from "../auth/tokens";
import { isScope, parseScopeParameter, type Scope } from "../authz/scopes";
import { authenticateClient } from "./clients";

export type OAuthErrorCode = "invalid_request" | "invalid_client" | "invalid_grant" | "unauthorized_client" | "unsupported_grant_type" | "invalid_scope";

/** A §5.2 error. Descriptions are fixed ASCII text without `"` or `\`, as §5.2 requires. */
export class OAuthError extends Error {
  readonly code: OAuthErrorCode;
  readonly description: string;
  readonly status: 400 | 401;

  constructor(code: OAuthErrorCode, description: string) {
    super(description);
    this.name = "OAuthError";
    this.code = code;
    this.description = description;
    this.status = code === "invalid_client" ? 401 : 400;
  }
}

const OAUTH_ERROR_CODES = [
  "invalid_request",
  "invalid_client",
  "invalid_grant",
  "unauthorized_client",
  "unsupported_grant_type",
  "invalid_scope",
] as const satisfies readonly OAuthErrorCode[];

/** The request as RFC 6749 §4.4.2 and §2.3.1 define it: the form fields this endpoint reads. */
export const TokenRequestForm = z.strictObject({
  grant_type: z.enum(["client_credentials", "password", "authorization_code"]),
  client_id: z.string().max(100).optional(),
  client_secret: z.string().max(200).optional(),
  scope: z.string().max(100).optional(),
});

export const TokenResponseSchema = z.strictObject({
  access_token: z.string().min(1),
  token_type: z.literal("Bearer"),
  expires_in: z.number().int().positive(),
  scope: z.string(),
});

export type TokenResponseBody = z.infer<typeof TokenResponseSchema>;

/** §5.2; `error_description` limited to the characters §5.2 allows. */
export const OAuthErrorSchema = z.strictObject({
  error: z.enum(OAUTH_ERROR_CODES),
  error_description: z.string().regex(/^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/),
});

// Token responses, and errors that may echo what a client sent, are never stored by a cache (§5.1).
const NO_STORE = { "cache-control": "no-store", pragma: "no-cache" } as const;

export function tokenResponse(body: TokenResponseBody): Response {
  return json(body, { headers: NO_STORE });
}

export function oauthErrorResponse(error: OAuthError): Response {
  // 401 must name a scheme the client can use (RFC 9110 §15.5.2); Basic is the one §2.3.1 requires.
  const headers = new Headers(NO_STORE);
  if (error.status === 401) headers.set("www-authenticate", 'Basic realm="palisade"');
  return json({ error: error.code, error_description: error.description }, { status: error.status, headers });
}

interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** `application/x-www-form-urlencoded` decoding, which §2.3.1 applies to the id and secret before Basic. */
function formDecode(value: string): string | null {
  try {
    return decodeURIComponent(value.replaceAll("+", " "));
  } catch {
    return null;
  }
}

function basicCredentials(header: string): ClientCredentials {
  const match = /^basic ([A-Za-z0-9+/]+={0,2})$/i.exec(header.trim());
  if (match === null) throw new OAuthError("invalid_client", "Authenticate with HTTP Basic or client_secret_post.");
  let decoded: string;
  try {
    decoded = new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(atob(match[1] as string), (c) => c.charCodeAt(0)));
  } catch {
    throw new OAuthError("invalid_client", "The Basic credentials are not valid base64 UTF-8.");
  }
  const colon = decoded.indexOf(":");
  const clientId = colon === -1 ? null : formDecode(decoded.slice(0, colon));
  const clientSecret = colon === -1 ? null : formDecode(decoded.slice(colon + 1));
  if (clientId === null || clientSecret === null) throw new OAuthError("invalid_client", "The Basic credentials are malformed.");
  return { clientId, clientSecret };
}

/** Exactly one authentication method, or a refusal that says what is wrong with the request's shape. */
function presentedCredentials(authorization: string | null, form: ReadonlyMap<string, string>): ClientCredentials & { method: "basic" | "post" } {
  const postedId = form.get("client_id");
  const postedSecret = form.get("client_secret");
  if (authorization !== null) {
    if (postedSecret !== undefined) throw new OAuthError("invalid_request", "Use one client authentication method, not two.");
    const basic = basicCredentials(authorization);
    if (postedId !== undefined && postedId !== basic.clientId) throw new OAuthError("invalid_request", "client_id does not match the Basic credentials.");
    return { ...basic, method: "basic" };
  }
  if (postedId === undefined || postedSecret === undefined) throw new OAuthError("invalid_client", "Client authentication is required.");
  return { clientId: postedId, clientSecret: postedSecret, method: "post" };
}

/** §3.3: no scope asks for everything granted; a requested scope must be a subset of the grant. */
function grantedScopes(requested: string | undefined, granted: readonly Scope[]): Scope[] {
  if (requested === undefined) {
    if (granted.length === 0) throw new OAuthError("invalid_scope", "This client holds no scope.");
    return [...granted];
  }
  const tokens = parseScopeParameter(requested);
  if (tokens === null) throw new OAuthError("invalid_scope", "The scope parameter is malformed.");
  const scopes = tokens.filter(isScope);
  if (scopes.length !== tokens.length || scopes.some((scope) => !granted.includes(scope))) {
    throw new OAuthError("invalid_scope", "The requested scope exceeds what this client was granted.");
  }
  return scopes;
}

// What a form the reader refused gets as error_description: fixed text, never the parameter it tripped on.
const FORM_PROBLEMS: Partial<Record<ErrorCode, string>> & { ERR_VALIDATION: string } = {
  ERR_UNSUPPORTED_MEDIA_TYPE: "Send the body as application/x-www-form-urlencoded.",
  ERR_BODY_TOO_LARGE: "The request body is too large.",
  ERR_FORBIDDEN_KEY: "The body contains a forbidden parameter name.",
  ERR_VALIDATION: "The body is malformed or repeats a parameter.",
};

/** Run the grant for one request: the token on success, or an OAuthError to answer with. */
export async function clientCredentialsGrant(db: Db, request: Request, context: AuditContext): Promise<TokenResponseBody> {
  try {
    assertNoQuery(request.url);
  } catch {
    throw new OAuthError("invalid_request", "Send parameters in the request body, never in the URL.");
  }
  let form: ReadonlyMap<string, string>;
  try {
    form = await readForm(request);
  } catch (error) {
    if (isAppError(error)) throw new OAuthError("invalid_request", FORM_PROBLEMS[error.code] ?? FORM_PROBLEMS.ERR_VALIDATION);
    throw error;
  }

  const presented = presentedCredentials(request.headers.get("authorization"), form);
  const client = await authenticateClient(db, presented.clientId, presented.clientSecret);
  if (!client.ok) {
    await recordAuditEvent(db, context, {
      type: "client.auth_failed",
      // An id that names no client is attacker-chosen text: only a real client's id is recorded.
      targetId: client.clientExists ? presented.clientId : null,
      details: { reason: client.reason, method: presented.method },
    });
    throw new OAuthError("invalid_client", "Client authentication failed.");
  }

  const grantType = form.get("grant_type");
  if (grantType === undefined || grantType === "") throw new OAuthError("invalid_request", "grant_type is required.");
  if (grantType !== "client_credentials") throw new OAuthError("unsupported_grant_type", "Only client_credentials is supported.");

  const scopes = grantedScopes(form.get("scope"), client.scopes);
  const scope = scopes.join(" ");
  const { token, expiresIn } = await signAccessToken({ sub: client.clientId, role: "service", sid: client.clientId, scope });
  await recordAuditEvent(db, context, { type: "client.token_issued", actorId: client.clientId, targetId: client.clientId, details: { scope } });
  return { access_token: token, token_type: "Bearer", expires_in: expiresIn, scope };
}

/** The endpoint as HTTP: the token, or the §5.2 error the grant refused with. */
export async function tokenEndpoint(db: Db, request: Request, context: AuditContext): Promise<Response> {
  try {
    return tokenResponse(await clientCredentialsGrant(db, request, context));
  } catch (error) {
    if (error instanceof OAuthError) return oauthErrorResponse(error);
    throw error;
  }
}
