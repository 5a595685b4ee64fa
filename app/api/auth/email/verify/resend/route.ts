import { endpoint } from "@/lib/http/endpoint";
import { resendVerificationLink } from "@/lib/users/email-verification";
import { MailAcceptedSchema } from "@/lib/users/schemas";

/** A new confirmation link for the caller's own, unconfirmed address. */
export const POST = endpoint(
  {
    summary: "Mail a new confirmation link to the caller's address",
    access: { permission: "account:update" },
    responses: { 202: { description: "Accepted: a new link is on its way; the old one no longer works", schema: MailAcceptedSchema } },
    problems: ["ERR_CONFLICT", "ERR_RATE_LIMITED"],
  },
  async ({ actor, db, context }) => Response.json(await resendVerificationLink(db, actor.id, context), { status: 202 }),
);
