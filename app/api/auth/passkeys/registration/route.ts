import { endpoint } from "@/lib/http/endpoint";
import { json } from "@/lib/http/handler";
import { PasskeyRegisteredSchema, registerPasskey } from "@/lib/auth/mfa/manage-passkeys";
import { PASSKEY_ATTESTATION_EXAMPLE, PasskeyRegistrationSchema } from "@/lib/auth/mfa/passkey-public";

/** Finishes adding a passkey; every other session ends and the owner is mailed (lib/auth/mfa/manage-passkeys.ts). */
export const POST = endpoint(
  {
    summary: "Finish adding a passkey to the caller's account",
    description:
      "Needs a recent authentication (RFC 9470 step-up), and a challenge from `POST /api/auth/passkeys/registration/options` in this same session. User verification is required; attestation is `none`. Every other session ends. When this passkey is the account's first second factor (no authenticator app and no unused recovery code before), the answer also carries its 10 recovery codes, shown this once.",
    access: { permission: "account:update" },
    sensitive: true,
    body: { kind: "json", schema: PasskeyRegistrationSchema, example: { response: PASSKEY_ATTESTATION_EXAMPLE, name: "Work laptop" } },
    responses: {
      201: { description: "The new passkey, with the account's recovery codes when it is the first second factor", schema: PasskeyRegisteredSchema },
    },
    problems: ["ERR_STEP_UP_REQUIRED", "ERR_CONFLICT", "ERR_EMAIL_UNVERIFIED"],
  },
  async ({ actor, body, db, context }) => json(await registerPasskey(db, actor, body, context), { status: 201 }),
);
