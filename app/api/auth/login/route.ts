import { endpoint } from "@/lib/http/endpoint";
import { signIn } from "@/lib/auth/sign-in";
import { SESSION_COOKIES_SET, SignedInSchema } from "@/lib/auth/issue";
import { LoginSchema } from "@/lib/auth/schemas";
import { PENDING_SIGN_IN_SET, SecondFactorNeededSchema } from "@/lib/auth/mfa/second-step-response";

/**
 * Only failures count toward the sign-in limit (per address and per account; the edge cannot tell
 * a failure from a success). One generic answer for every failure, so responses never reveal
 * whether an account exists.
 */
export const POST = endpoint(
  {
    summary: "Sign in with an email and password",
    access: { public: "the password authenticates it" },
    body: { kind: "json", schema: LoginSchema, example: { email: "ann@example.com", password: "violet river morning tea" } },
    responses: {
      200: { description: "Signed in: the session cookies are set", schema: SignedInSchema, headers: SESSION_COOKIES_SET },
      202: {
        description: "The password was right and the account has a second factor: finish with `POST /api/auth/login/second-factor`",
        schema: SecondFactorNeededSchema,
        headers: PENDING_SIGN_IN_SET,
      },
    },
    problems: ["ERR_INVALID_CREDENTIALS", "ERR_RATE_LIMITED"],
  },
  async ({ body, db, context }) => signIn(db, body, context),
);
