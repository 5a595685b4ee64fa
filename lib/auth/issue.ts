/**
 * The end of every successful sign-in (password, refresh, or identity provider): an access token
 * and, when a new refresh token was minted, the refresh cookie, on a `no-store` response.
 */
import "server-only";
import { z } from "zod";
import { json } from "../http/handler";
import { PublicUserSchema, type PublicUser } from "../users/public-user";
import { accessCookie, refreshCookie } from "./cookies";
import type { IssuedSession, SessionGrant } from "./sessions";
import { signAccessToken } from "./tokens";

/**
 * The Set-Cookie values that sign a browser in: a fresh access token and, when a new refresh token
 * was minted, the refresh cookie. Responses that are not JSON (the identity broker's redirect at
 * the end of a provider sign-in) append these themselves, so every sign-in sets the same cookies.
 */
export async function sessionCookies(user: Pick<PublicUser, "id" | "role">, grant: SessionGrant, refresh: IssuedSession | null): Promise<string[]> {
  const { token, expiresIn } = await signAccessToken({
    sub: user.id,
    role: user.role,
    sid: grant.sessionId,
    authTime: Math.floor(grant.authTime.getTime() / 1000),
    amr: grant.amr,
  });
  const cookies = [accessCookie(token, expiresIn)];
  if (refresh !== null) cookies.push(refreshCookie(refresh.refreshToken, refresh.refreshExpiresAt));
  return cookies;
}

export async function sessionResponse(user: PublicUser, grant: SessionGrant, refresh: IssuedSession | null, status = 200): Promise<Response> {
  const response = json({ user }, { status });
  for (const cookie of await sessionCookies(user, grant, refresh)) response.headers.append("set-cookie", cookie);
  // Token-bearing responses must never be stored by a browser or a shared cache.
  response.headers.set("cache-control", "no-store");
  return response;
}

/** The body of every response that signs a browser in: who is now signed in, and nothing of the tokens. */
export const SignedInSchema = z.strictObject({ user: PublicUserSchema });

/** What every sign-in answer sets, as its contract documents it. */
export const SESSION_COOKIES_SET = {
  "Set-Cookie": "The access token's cookie and, when a new refresh token was minted, the refresh cookie: httpOnly, Secure, SameSite.",
} as const;
