import { endpoint } from "@/lib/http/endpoint";
import { PasskeyAuthenticationOptionsSchema } from "@/lib/auth/mfa/passkey-public";
import { PASSKEY_SIGN_IN_SET, passkeySignInOptions } from "@/lib/auth/mfa/passkey-sign-in";

/** Starts a passwordless sign-in: a challenge bound to a nonce in this browser's cookie (lib/auth/mfa/passkey-sign-in.ts). */
export const POST = endpoint(
  {
    summary: "Start a passwordless sign-in with a passkey",
    description:
      "No body. Pass the answer to `startAuthentication()` (its `allowCredentials` is empty, so the browser offers the person's passkeys for this site), then send `{ response: <its result> }` to `POST /api/auth/passkeys/authentication` from this browser within 5 minutes.",
    access: { public: "issues a challenge and nothing else; the nonce cookie it sets binds the challenge to this browser" },
    responses: {
      200: {
        description: "WebAuthn request options with an empty allow list and user verification required",
        schema: PasskeyAuthenticationOptionsSchema,
        headers: PASSKEY_SIGN_IN_SET,
      },
    },
  },
  async ({ db }) => passkeySignInOptions(db),
);
