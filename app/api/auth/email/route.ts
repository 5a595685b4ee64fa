import { endpoint } from "@/lib/http/endpoint";
import { requestEmailChange } from "@/lib/users/email-change";
import { ChangeEmailSchema, MailAcceptedSchema } from "@/lib/users/schemas";

/** Starts an address change: nothing changes until the new address confirms (lib/users/email-change.ts). */
export const POST = endpoint(
  {
    summary: "Change the caller's email address: mail a link to the new one",
    description: "Needs a sign-in from the last 10 minutes. The same answer whether or not another account has the new address.",
    access: { permission: "account:update" },
    sensitive: true,
    body: { kind: "json", schema: ChangeEmailSchema, example: { email: "ann.new@example.com" } },
    responses: { 202: { description: "Accepted: a message is on its way to the new address", schema: MailAcceptedSchema } },
    problems: ["ERR_REAUTH_REQUIRED", "ERR_RATE_LIMITED"],
  },
  async ({ actor, body, db, context }) => {
    await requestEmailChange(db, actor, body.email, context);
    return Response.json({ email: body.email }, { status: 202 });
  },
);
