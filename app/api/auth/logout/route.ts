import { getDb } from "@/lib/db/client";
import { route } from "@/lib/http/handler";
import { requestContext } from "@/lib/http/request-context";
import { REFRESH_COOKIE } from "@/lib/auth/cookie-names";
import { readCookies } from "@/lib/auth/cookies";
import { endPresentedSessions, signedOut } from "@/lib/auth/logout";

export const access = "public";

/**
 * Public (the refresh cookie names the session). Ends the session of every refresh cookie sent,
 * since one may have been planted by another host (lib/auth/duplicate-cookies.ts), and clears
 * every copy; always answers 204.
 */
export const POST = route(
  async ({ request, requestId }) => {
    await endPresentedSessions(await getDb(), readCookies(request.headers, REFRESH_COOKIE), requestContext(request, requestId));
    return signedOut(new Response(null, { status: 204 }), new URL(request.url));
  },
  { duplicateCookiesAllowed: [REFRESH_COOKIE] },
);
