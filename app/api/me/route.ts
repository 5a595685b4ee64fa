import { endpoint } from "@/lib/http/endpoint";
import { json } from "@/lib/http/handler";
import { SESSION_COOKIES_CLEARED, signedOut } from "@/lib/auth/logout";
import { DeleteAccountSchema, deleteOwnAccount } from "@/lib/users/delete-account";
import { ownAccount } from "@/lib/users/own-account";
import { PublicUserSchema } from "@/lib/users/public-user";

/** The caller's own account. */
export const GET = endpoint(
  {
    summary: "The caller's own account",
    access: { permission: "account:read" },
    responses: { 200: { description: "The account", schema: PublicUserSchema } },
  },
  async ({ actor, db }) => json(await ownAccount(db, actor)),
);

/** Deletes the caller's own account after re-checking the password; signs out everywhere. */
export const DELETE = endpoint(
  {
    summary: "Delete the caller's own account",
    description: "Needs the current password (or, for an account without one, a recent sign-in). The last administrator cannot delete their own account.",
    access: { permission: "account:update" },
    sensitive: true,
    body: { kind: "json", schema: DeleteAccountSchema, example: { password: "violet river morning tea" } },
    responses: { 204: { description: "Deleted, and every cookie cleared", headers: SESSION_COOKIES_CLEARED } },
    problems: ["ERR_REAUTH_REQUIRED", "ERR_LAST_ADMIN", "ERR_RATE_LIMITED"],
  },
  async ({ request, actor, body, db, context }) => {
    await deleteOwnAccount(db, actor, body, context);
    return signedOut(new Response(null, { status: 204 }), new URL(request.url));
  },
);
