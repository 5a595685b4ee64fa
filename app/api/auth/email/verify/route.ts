import { endpoint } from "@/lib/http/endpoint";
import { verifyEmail } from "@/lib/users/email-verification";
import { EmailLinkSchema, EmailResultSchema } from "@/lib/users/schemas";

/** Spends a confirmation link (lib/users/email-verification.ts). */
export const POST = endpoint(
  {
    summary: "Confirm an email address with a mailed link",
    access: { public: "the single-use token from the mailed link authenticates it" },
    body: { kind: "json", schema: EmailLinkSchema, example: { token: "Xo3bY0ac5vJm1kQ2pRrT8wZ4nL6yF9hE0gD7sA1uCqB" } },
    responses: { 200: { description: "The address is confirmed", schema: EmailResultSchema } },
    problems: ["ERR_EMAIL_LINK_INVALID"],
  },
  async ({ body, db, context }) => Response.json(await verifyEmail(db, body.token, context)),
);
