import { endpoint } from "@/lib/http/endpoint";
import { stepUpResponse, StepUpDoneSchema } from "@/lib/auth/step-up-response";
import { StepUpSchema } from "@/lib/auth/step-up";

/** Prove it is you again, so a sensitive action that answered `insufficient_user_authentication` can be retried (RFC 9470). */
export const POST = endpoint(
  {
    summary: "Confirm it is you, for a sensitive action",
    description:
      "With a second factor: a passkey assertion over a challenge from `POST /api/auth/step-up/passkey/options`, a code from the authenticator app or a recovery code. Without one: the password. A new access token carries the new `auth_time`.",
    access: { permission: "account:update" },
    body: { kind: "json", schema: StepUpSchema, example: { code: "123456" } },
    responses: {
      200: {
        description: "Confirmed: a new access token is set",
        schema: StepUpDoneSchema,
        headers: { "Set-Cookie": "The access token's cookie, with the new `auth_time` and `amr`." },
      },
    },
    problems: ["ERR_SECOND_FACTOR_INVALID", "ERR_INVALID_CREDENTIALS", "ERR_REAUTH_REQUIRED", "ERR_RATE_LIMITED"],
  },
  async ({ actor, body, db, context }) => stepUpResponse(db, actor, body, context),
);
