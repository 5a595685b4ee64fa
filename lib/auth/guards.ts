/**
 * Who is calling: the authoritative check, done in the route handler where the data is read.
 *
 * The edge middleware already refused requests without a valid token, but a middleware can be
 * skipped (CVE-2025-29927), so every handler runs one of these itself, the one its contract names
 * (lib/http/endpoint.ts):
 * - `getUser(request)` returns the signed-in user, or null (pages, and the broker's callback);
 * - `requireUser(request)` throws a 401 problem when there is none.
 *
 * The token is taken from `Authorization: Bearer` (API clients) or the access cookie (the SPA).
 * Beyond the signature, the session behind the token must still be live and its user enabled,
 * and the role comes from the database, not the token: a revoked session, a disabled user or a
 * demoted admin loses access on the next request, not 15 minutes later. (Services that verify
 * our tokens on their own, through the JWKS, do have that 15-minute window; docs/tokens.md.)
 */
import "server-only";
import { AppError } from "../http/errors";
import { getDb } from "../db/client";
import { ACCESS_COOKIE } from "./cookie-names";
import { readCookie } from "./cookies";
import { TokenError, verifyAccessToken, type AccessTokenClaims } from "./tokens";
import { roleName } from "../users/public-user";
import { permits, RULES, type Action, type Actor, type ActorFor, type ServiceActor, type UserActor } from "../authz/policy";
import { activeClientScopes } from "../service-clients/clients";
import { env } from "../env";
import { isAdminOnly } from "../authz/admin-actions";
import { hasSecondFactor } from "./mfa/second-factor";
import { liveSessionRole } from "./sessions";

/**
 * The raw access token of a request, or null when none was sent. A malformed Authorization header
 * is an error rather than "no token", so a broken client is told why it is refused.
 */
export function accessTokenFrom(request: Request): string | null {
  const authorization = request.headers.get("authorization");
  if (authorization !== null) {
    const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(authorization);
    if (match === null) throw new TokenError("ERR_TOKEN_INVALID", "malformed authorization header");
    return match[1] as string;
  }
  return readCookie(request.headers, ACCESS_COOKIE) ?? null;
}

async function claimsOf(request: Request): Promise<AccessTokenClaims | null> {
  const token = accessTokenFrom(request);
  return token === null ? null : verifyAccessToken(token);
}

async function liveUser(claims: AccessTokenClaims): Promise<UserActor | null> {
  if (claims.role === "service") return null;
  const role = await liveSessionRole(await getDb(), claims.sid, claims.sub);
  return role === null ? null : { kind: "user", id: claims.sub, role: roleName(role), sessionId: claims.sid };
}

/** The signed-in user, or null for no token, an invalid token, or a dead session. */
export async function getUser(request: Request): Promise<UserActor | null> {
  try {
    const claims = await claimsOf(request);
    return claims === null ? null : await liveUser(claims);
  } catch (error) {
    if (error instanceof TokenError) return null;
    throw error;
  }
}

export async function requireUser(request: Request): Promise<UserActor> {
  const claims = await claimsOf(request);
  if (claims === null) {
    throw new AppError("ERR_UNAUTHENTICATED", { headers: { "www-authenticate": 'Bearer realm="palisade"' } });
  }
  const user = await liveUser(claims);
  if (user === null) {
    throw new AppError("ERR_UNAUTHENTICATED", {
      detail: "Your session has ended. Sign in again.",
      headers: { "www-authenticate": 'Bearer error="invalid_token"' },
    });
  }
  return user;
}

/*
 * Policy guards: the same token and liveness checks as above, for people and for service clients,
 * then the function-level rule from lib/authz/policy.ts.
 * - `requireActor(request)` returns whoever is calling, or throws 401. A service client's token
 *   counts only while its client exists and is enabled, and only for the scopes it still holds:
 *   disabling a client, or withdrawing a scope, takes effect on the next request.
 * - `requirePermission(request, action)` also throws 403 when the policy does not grant the
 *   action to this actor. Every refusal is the same 403, so a caller never learns which role or
 *   scope it lacked. Object-level rules (whose note this is) are enforced by the owner-scoped
 *   queries that follow (docs/decisions/020-authorization-model.md).
 */

async function liveService(claims: AccessTokenClaims): Promise<ServiceActor | null> {
  // Our token endpoint sets sub and sid to the client id; a service token that does not was not minted by it.
  if (claims.role !== "service" || claims.sid !== claims.sub) return null;
  const held = await activeClientScopes(await getDb(), claims.sub);
  if (held === null) return null;
  const granted = (claims.scope ?? "").split(" ");
  return { kind: "service", clientId: claims.sub, scopes: held.filter((scope) => granted.includes(scope)) };
}

export async function requireActor(request: Request): Promise<Actor> {
  const claims = await claimsOf(request);
  if (claims === null) {
    throw new AppError("ERR_UNAUTHENTICATED", { headers: { "www-authenticate": 'Bearer realm="palisade"' } });
  }
  if (claims.role === "service") {
    const service = await liveService(claims);
    if (service === null) {
      throw new AppError("ERR_UNAUTHENTICATED", {
        detail: "This client's token is no longer valid. Request a new one.",
        headers: { "www-authenticate": 'Bearer error="invalid_token"' },
      });
    }
    return service;
  }
  const user = await liveUser(claims);
  if (user === null) {
    throw new AppError("ERR_UNAUTHENTICATED", {
      detail: "Your session has ended. Sign in again.",
      headers: { "www-authenticate": 'Bearer error="invalid_token"' },
    });
  }
  return user;
}

export async function requirePermission<A extends Action>(request: Request, action: A): Promise<ActorFor<A>> {
  const actor = await requireActor(request);
  if (!permits(actor, action)) throw new AppError("ERR_FORBIDDEN", { detail: "You do not have access to this resource." });
  await requireAdminSecondFactor(actor, action);
  return actor;
}

/**
 * The operator's policy (`ADMIN_SECOND_FACTOR=required`, the default in a deployment; ADR 047):
 * an administrator's password alone must not open the tools that change everyone's accounts.
 * Checked after the permission, so a caller without it still gets the plain 403.
 */
async function requireAdminSecondFactor(actor: Actor, action: Action): Promise<void> {
  if (env.ADMIN_SECOND_FACTOR !== "required" || actor.kind !== "user" || !isAdminOnly(action)) return;
  if (await hasSecondFactor(await getDb(), actor.id)) return;
  throw new AppError("ERR_SECOND_FACTOR_REQUIRED", { detail: "Set up a second factor on your security page before using the admin tools." });
}

/**
 * The guard an endpoint's permission names (lib/http/endpoint.ts). A rule about one's own account
 * (`object: "self"`) is for people only: a service token is no one's account, so it gets the same
 * 401 as no token at all, as `requireUser` answers; every other rule is `requirePermission`.
 */
export async function requireCaller<A extends Action>(request: Request, action: A): Promise<ActorFor<A>> {
  const rule = RULES[action];
  if (!("object" in rule) || rule.object !== "self") return requirePermission(request, action);
  const actor = await requireUser(request);
  if (!permits(actor, action)) throw new AppError("ERR_FORBIDDEN", { detail: "You do not have access to this resource." });
  return actor;
}
