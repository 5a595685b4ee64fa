import { endpoint } from "@/lib/http/endpoint";
import { PENDING_SIGN_IN_COOKIE } from "@/lib/auth/cookie-names";
import { SESSION_COOKIES_SET, SignedInSchema } from "@/lib/auth/issue";
import { finishSecondFactorSignIn } from "@/lib/auth/mfa/finish-sign-in";
import { SecondFactorProofSchema } from "@/lib/auth/mfa/second-factor";

/**
 * The second step of a sign-in: the pending sign-in's cookie (set by the first step) and a code.
 * Wrong codes count against the account's budget of 5 per 15 minutes (ADR 047).
 */
export const POST = endpoint(
  {
    summary: "Finish a sign-in with a second factor",
    description:
      "After `POST /api/auth/login` (or a provider sign-in) answered that a second factor is needed. Send a code from the authenticator app, one recovery code, or a passkey assertion over a challenge from `POST /api/auth/login/second-factor/passkey/options`.",
    access: { public: "the pending sign-in's cookie and the second factor authenticate it" },
    cookie: PENDING_SIGN_IN_COOKIE,
    body: { kind: "json", schema: SecondFactorProofSchema, example: { code: "123456" } },
    responses: { 200: { description: "Signed in: the session cookies are set", schema: SignedInSchema, headers: SESSION_COOKIES_SET } },
    problems: ["ERR_SECOND_FACTOR_INVALID", "ERR_SECOND_FACTOR_EXPIRED", "ERR_RATE_LIMITED"],
  },
  async ({ request, body, db, context }) => finishSecondFactorSignIn(db, request, body, context),
);
