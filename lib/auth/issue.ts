/**
 * The end of every successful sign-in (password, refresh, or identity provider): an access token
 * and, when a new refresh token was minted, the refresh cookie, on a `no-store` response.
 */
import "server-only";
import { json } from "../http/handler";
import type { PublicUser } from "../users/public-user";
import { accessCookie, refreshCookie } from "./cookies";
import type { IssuedSession } from "./refresh";
import { signAccessToken } from "./tokens";

export async function sessionResponse(
  user: PublicUser,
  sessionId: string,
  refresh: IssuedSession | null,
  status = 200,
): Promise<Response> {
  const { token, expiresIn } = await signAccessToken({ sub: user.id, role: user.role, sid: sessionId });
  const response = json({ user }, { status });
  response.headers.append("set-cookie", accessCookie(token, expiresIn));
  if (refresh !== null) response.headers.append("set-cookie", refreshCookie(refresh.refreshToken, refresh.refreshExpiresAt));
  // Token-bearing responses must never be stored by a browser or a shared cache.
  response.headers.set("cache-control", "no-store");
  return response;
}
