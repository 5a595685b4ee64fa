import { endpoint } from "@/lib/http/endpoint";
import { requestPasswordReset } from "@/lib/users/password-reset";
import { ForgotPasswordSchema, MailAcceptedSchema } from "@/lib/users/schemas";

/** The same answer, after the same work, for every address (lib/users/password-reset.ts). */
export const POST = endpoint(
  {
    summary: "Forgot password: mail a reset link",
    description:
      "Answers 202 for every address, known or not. An account's address gets a single-use link that works for 30 minutes; an address with no account is told so.",
    access: { public: "anyone may ask; the link goes only to the address" },
    body: { kind: "json", schema: ForgotPasswordSchema, example: { email: "ann@example.com" } },
    responses: { 202: { description: "Accepted: a message is on its way to the address", schema: MailAcceptedSchema } },
    problems: ["ERR_RATE_LIMITED"],
  },
  async ({ body, db, context }) => {
    await requestPasswordReset(db, body.email, context);
    return Response.json({ email: body.email }, { status: 202 });
  },
);
