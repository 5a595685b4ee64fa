import { endpoint } from "@/lib/http/endpoint";
import { changePassword } from "@/lib/auth/credentials";
import { ChangePasswordSchema } from "@/lib/auth/schemas";

/** Needs the current password; every other session of the user is ended. */
export const POST = endpoint(
  {
    summary: "Change the caller's password",
    description: "Needs the current password, limited like a sign-in; every other session of the caller ends.",
    access: { permission: "account:update" },
    sensitive: true,
    body: {
      kind: "json",
      schema: ChangePasswordSchema,
      example: { currentPassword: "violet river morning tea", newPassword: "a completely different phrase" },
    },
    responses: { 204: { description: "Changed; this session stays signed in" } },
    problems: ["ERR_CONFLICT", "ERR_RATE_LIMITED"],
  },
  async ({ actor, body, db, context }) => {
    await changePassword(db, actor.id, actor.sessionId, body, context);
    return new Response(null, { status: 204 });
  },
);
