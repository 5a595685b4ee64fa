import { endpoint } from "@/lib/http/endpoint";
import { PASSKEY_SIGN_IN_COOKIE } from "@/lib/auth/cookie-names";
import { SESSION_COOKIES_SET, SignedInSchema } from "@/lib/auth/issue";
import { PASSKEY_ASSERTION_EXAMPLE, PasskeySignInSchema } from "@/lib/auth/mfa/passkey-public";
import { signInWithPasskey } from "@/lib/auth/mfa/passkey-sign-in";

/**
 * Finishes a passwordless sign-in (lib/auth/mfa/passkey-sign-in.ts). Every refusal is the same
 * 401, so the answer never says whether a credential or its account exists.
 */
export const POST = endpoint(
  {
    summary: "Sign in with a passkey",
    description:
      "After `POST /api/auth/passkeys/authentication/options` in this browser. The passkey must verify the user (PIN or biometric), so it counts as two factors: the session's `amr` is `swk` or `hwk`, `user` and `mfa`, and no second step follows.",
    access: { public: "the nonce cookie and a user-verified passkey assertion authenticate it" },
    cookie: PASSKEY_SIGN_IN_COOKIE,
    body: { kind: "json", schema: PasskeySignInSchema, example: { response: PASSKEY_ASSERTION_EXAMPLE } },
    responses: {
      200: { description: "Signed in: the session cookies are set and the nonce cookie is cleared", schema: SignedInSchema, headers: SESSION_COOKIES_SET },
    },
    problems: ["ERR_INVALID_CREDENTIALS"],
  },
  async ({ request, body, db, context }) => signInWithPasskey(db, request, body.response, context),
);
