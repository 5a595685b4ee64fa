import { endpoint } from "@/lib/http/endpoint";
import { undoEmailChange } from "@/lib/users/email-change";
import { EmailLinkSchema, EmailResultSchema } from "@/lib/users/schemas";

/** Spends an undo link mailed to the old address: it comes back and every session ends. */
export const POST = endpoint(
  {
    summary: "Undo an email address change with the link mailed to the old address",
    access: { public: "the single-use token mailed to the old address authenticates it" },
    body: { kind: "json", schema: EmailLinkSchema, example: { token: "Xo3bY0ac5vJm1kQ2pRrT8wZ4nL6yF9hE0gD7sA1uCqB" } },
    responses: { 200: { description: "The old address is back and every session has ended", schema: EmailResultSchema } },
    problems: ["ERR_EMAIL_LINK_INVALID", "ERR_EMAIL_TAKEN"],
  },
  async ({ body, db, context }) => Response.json(await undoEmailChange(db, body.token, context)),
);
