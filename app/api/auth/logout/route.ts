import { endpoint } from "@/lib/http/endpoint";
import { REFRESH_COOKIE } from "@/lib/auth/cookie-names";
import { readCookies } from "@/lib/auth/cookies";
import { endPresentedSessions, SESSION_COOKIES_CLEARED, signedOut } from "@/lib/auth/logout";

/**
 * Ends the session of every refresh cookie sent, since one may have been planted by another host
 * (lib/auth/duplicate-cookies.ts), and clears every copy; always answers 204.
 */
export const POST = endpoint(
  {
    summary: "Sign out this browser",
    access: { public: "the refresh cookie names the session" },
    cookie: REFRESH_COOKIE,
    duplicateCookiesAllowed: [REFRESH_COOKIE],
    responses: {
      204: { description: "Signed out: the session of every refresh cookie sent is ended, and every copy cleared", headers: SESSION_COOKIES_CLEARED },
    },
  },
  async ({ request, db, context }) => {
    await endPresentedSessions(db, readCookies(request.headers, REFRESH_COOKIE), context);
    return signedOut(new Response(null, { status: 204 }), new URL(request.url));
  },
);
