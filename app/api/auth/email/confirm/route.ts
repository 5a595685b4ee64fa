import { endpoint } from "@/lib/http/endpoint";
import { confirmEmailChange } from "@/lib/users/email-change";
import { EmailLinkSchema, EmailResultSchema } from "@/lib/users/schemas";

/** Spends a link mailed to a new address: the change takes effect, and the old address can undo it. */
export const POST = endpoint(
  {
    summary: "Confirm a new email address with a mailed link",
    access: { public: "the single-use token mailed to the new address authenticates it" },
    body: { kind: "json", schema: EmailLinkSchema, example: { token: "Xo3bY0ac5vJm1kQ2pRrT8wZ4nL6yF9hE0gD7sA1uCqB" } },
    responses: { 200: { description: "The account now has this address; the old one was sent an undo link", schema: EmailResultSchema } },
    problems: ["ERR_EMAIL_LINK_INVALID", "ERR_EMAIL_TAKEN"],
  },
  async ({ body, db, context }) => Response.json(await confirmEmailChange(db, body.token, context)),
);
