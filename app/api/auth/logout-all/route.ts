import { endpoint } from "@/lib/http/endpoint";
import { endAllSessions, SESSION_COOKIES_CLEARED, signedOut } from "@/lib/auth/logout";

/** Ends every session of the caller, on every device. */
export const POST = endpoint(
  {
    summary: "Sign out everywhere",
    access: { permission: "account:update" },
    responses: { 204: { description: "Every session is ended, and this browser's cookies cleared", headers: SESSION_COOKIES_CLEARED } },
  },
  async ({ request, actor, db, context }) => {
    await endAllSessions(db, actor, context);
    return signedOut(new Response(null, { status: 204 }), new URL(request.url));
  },
);
