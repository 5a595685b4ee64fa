import { endpoint } from "@/lib/http/endpoint";
import { RegisterSchema } from "@/lib/auth/schemas";
import { register } from "@/lib/users/registration";
import { MailAcceptedSchema } from "@/lib/users/schemas";

/**
 * The same answer for every address, new or taken: the difference goes by mail, after the answer
 * (lib/users/registration.ts). No cookie: the account signs in once it exists.
 */
export const POST = endpoint(
  {
    summary: "Sign up: mail a confirmation link",
    description:
      "Answers 202 for every address. A new address gets an account and a link to confirm it; an address that already has an account is told so by mail. Neither answer signs anyone in.",
    access: { public: "creates the account" },
    body: { kind: "json", schema: RegisterSchema, example: { email: "ann@example.com", name: "Ann", password: "violet river morning tea" } },
    responses: { 202: { description: "Accepted: a message is on its way to the address", schema: MailAcceptedSchema } },
    problems: ["ERR_RATE_LIMITED"],
  },
  async ({ body, db, context }) => {
    await register(db, body, context);
    return Response.json({ email: body.email }, { status: 202 });
  },
);
