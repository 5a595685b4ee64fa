import { endpoint } from "@/lib/http/endpoint";
import { PENDING_SIGN_IN_COOKIE } from "@/lib/auth/cookie-names";
import { secondFactorPasskeyOptions } from "@/lib/auth/mfa/passkey-options";
import { PasskeyAuthenticationOptionsSchema } from "@/lib/auth/mfa/passkey-public";

/** A passkey challenge for the second step of the sign-in the pending cookie names (lib/auth/mfa/passkey-options.ts). */
export const POST = endpoint(
  {
    summary: "Start the second step of a sign-in with a passkey",
    description:
      "After `POST /api/auth/login` answered 202 with `passkey` among the methods. Pass the answer to `startAuthentication()`, then send `{ passkey: <its result> }` to `POST /api/auth/login/second-factor` within 5 minutes.",
    access: { public: "the pending sign-in's cookie authenticates it" },
    cookie: PENDING_SIGN_IN_COOKIE,
    responses: { 200: { description: "WebAuthn request options listing the account's passkeys", schema: PasskeyAuthenticationOptionsSchema } },
    problems: ["ERR_SECOND_FACTOR_EXPIRED", "ERR_CONFLICT"],
  },
  async ({ request, requestId, db }) => secondFactorPasskeyOptions(db, request, requestId),
);
