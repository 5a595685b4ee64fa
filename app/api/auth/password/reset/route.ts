import { endpoint } from "@/lib/http/endpoint";
import { resetPassword } from "@/lib/users/password-reset";
import { EmailResultSchema, ResetPasswordSchema } from "@/lib/users/schemas";

/** Spends a reset link: a new password, every session ended, no one signed in (lib/users/password-reset.ts). */
export const POST = endpoint(
  {
    summary: "Reset a password with a mailed link",
    description: "Sets the new password, ends every session of the account, and signs no one in: the person signs in with the new password.",
    access: { public: "the single-use token from the mailed link authenticates it" },
    body: {
      kind: "json",
      schema: ResetPasswordSchema,
      example: { token: "Xo3bY0ac5vJm1kQ2pRrT8wZ4nL6yF9hE0gD7sA1uCqB", newPassword: "a completely different phrase" },
    },
    responses: { 200: { description: "The password is changed; sign in with it", schema: EmailResultSchema } },
    problems: ["ERR_EMAIL_LINK_INVALID"],
  },
  async ({ body, db, context }) => Response.json(await resetPassword(db, body, context)),
);
