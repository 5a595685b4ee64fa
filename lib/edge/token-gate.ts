/**
 * The token gate: every `/api/**` route not in PUBLIC_ROUTES (./routes.ts) needs a valid access
 * token, or it is answered 401 here, before the request reaches a function or a database.
 *
 * Threat: an unauthenticated client reaching protected handlers, one request per bug. The gate
 * shrinks that surface to the handlers listed as public, and turns floods of bad tokens into
 * cheap edge responses.
 *
 * It is a first layer, never the only one. A middleware can be skipped (CVE-2025-29927 let a
 * single header do it), so every protected handler checks the token, the session and the role
 * itself (lib/auth/guards.ts). For the same reason the gate forwards nothing it learned: no
 * "user id" header a handler might trust, because if the gate were skipped an attacker would
 * write it.
 *
 * Token sources, as the handlers read them (lib/auth/guards.ts): `Authorization: Bearer` first,
 * else the access cookie. Answers follow RFC 6750 §3: no token gets `WWW-Authenticate: Bearer
 * realm="palisade"`; a bad one adds `error="invalid_token"`.
 */
import { AppError, type ErrorCode } from "../http/errors";
import { problemResponse } from "../http/problem";
import { ACCESS_COOKIE } from "../auth/cookie-names";
import { readCookie } from "../auth/cookies";

/** What the gate needs from a verified token. */
export interface VerifiedClaims {
  sub: string;
}

/**
 * Verifies an access token, or throws. A thrown error with `code` ERR_TOKEN_INVALID or
 * ERR_TOKEN_EXPIRED (lib/auth/tokens.ts `TokenError`) means "bad token"; anything else is a
 * server fault and is rethrown, so a broken key configuration is a logged 500, not a quiet 401.
 */
export type TokenVerifier = (token: string) => Promise<VerifiedClaims>;

export type Credential = { kind: "none" } | { kind: "valid"; subject: string } | { kind: "invalid"; code: "ERR_TOKEN_INVALID" | "ERR_TOKEN_EXPIRED" };

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/;

function tokenErrorCode(error: unknown): "ERR_TOKEN_INVALID" | "ERR_TOKEN_EXPIRED" | null {
  if (typeof error !== "object" || error === null || !("code" in error)) return null;
  const code = (error as { code: unknown }).code;
  return code === "ERR_TOKEN_INVALID" || code === "ERR_TOKEN_EXPIRED" ? code : null;
}

/** The request's credential: verified once, used by the per-user rate limit and by the gate. */
export async function readCredential(headers: Headers, verify: TokenVerifier): Promise<Credential> {
  let token: string | undefined;
  const authorization = headers.get("authorization");
  if (authorization !== null) {
    // A malformed header is a bad credential, not an absent one: no silent fallback to the cookie.
    const match = BEARER.exec(authorization);
    if (match === null) return { kind: "invalid", code: "ERR_TOKEN_INVALID" };
    token = match[1];
  } else {
    token = readCookie(headers, ACCESS_COOKIE);
  }
  if (token === undefined || token === "") return { kind: "none" };
  try {
    return { kind: "valid", subject: (await verify(token)).sub };
  } catch (error) {
    const code = tokenErrorCode(error);
    if (code === null) throw error;
    return { kind: "invalid", code };
  }
}

/** 401 problem+json for a protected route without a valid token; null when the request may pass. */
export function gateResponse(credential: Credential, requestId: string): Response | null {
  if (credential.kind === "valid") return null;
  const code: ErrorCode = credential.kind === "none" ? "ERR_UNAUTHENTICATED" : credential.code;
  const challenge = credential.kind === "none" ? 'Bearer realm="palisade"' : 'Bearer realm="palisade", error="invalid_token"';
  const detail = credential.kind === "none" ? "Sign in, or send an access token." : "Refresh the access token, or sign in again.";
  return problemResponse(new AppError(code, { detail, headers: { "www-authenticate": challenge } }), requestId);
}
