import { endpoint } from "@/lib/http/endpoint";
import { json } from "@/lib/http/handler";
import { passkeyRegistrationOptions } from "@/lib/auth/mfa/manage-passkeys";
import { PasskeyRegistrationOptionsSchema } from "@/lib/auth/mfa/passkey-public";

/** Starts adding a passkey: a challenge bound to this session, behind a recent authentication (lib/auth/mfa/manage-passkeys.ts). */
export const POST = endpoint(
  {
    summary: "Start adding a passkey to the caller's account",
    description:
      "Needs a recent authentication (RFC 9470 step-up). Pass the answer to `startRegistration()` in the browser, then send its result to `POST /api/auth/passkeys/registration` from this session within 5 minutes.",
    access: { permission: "account:update" },
    sensitive: true,
    responses: { 200: { description: "WebAuthn creation options, with a single-use challenge", schema: PasskeyRegistrationOptionsSchema } },
    problems: ["ERR_STEP_UP_REQUIRED", "ERR_EMAIL_UNVERIFIED"],
  },
  async ({ actor, db }) => {
    const response = json(await passkeyRegistrationOptions(db, actor));
    response.headers.set("cache-control", "no-store");
    return response;
  },
);
