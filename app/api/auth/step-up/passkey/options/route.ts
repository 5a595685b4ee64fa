import { endpoint } from "@/lib/http/endpoint";
import { stepUpPasskeyOptions } from "@/lib/auth/mfa/passkey-options";
import { PasskeyAuthenticationOptionsSchema } from "@/lib/auth/mfa/passkey-public";

/** A passkey challenge for a step-up, bound to the caller's session (lib/auth/mfa/passkey-options.ts). */
export const POST = endpoint(
  {
    summary: "Start a step-up with a passkey",
    description:
      "Pass the answer to `startAuthentication()`, then send `{ passkey: <its result> }` to `POST /api/auth/step-up` from this session within 5 minutes.",
    access: { permission: "account:update" },
    responses: { 200: { description: "WebAuthn request options listing the caller's passkeys", schema: PasskeyAuthenticationOptionsSchema } },
    problems: ["ERR_CONFLICT"],
  },
  async ({ actor, db }) => stepUpPasskeyOptions(db, actor),
);
