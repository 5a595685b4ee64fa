import { endpoint } from "@/lib/http/endpoint";
import { json } from "@/lib/http/handler";
import { RecoveryCodesSchema } from "@/lib/auth/mfa/manage-recovery-codes";
import { ConfirmTotpSchema, confirmTotp } from "@/lib/auth/mfa/manage-totp";

/**
 * Turns the pending authenticator on with its first code, checked under the account's wrong-code
 * limit; answers the recovery codes, once (lib/auth/mfa/manage-totp.ts).
 */
export const POST = endpoint(
  {
    summary: "Confirm the authenticator app with a first code, and get recovery codes",
    description:
      "Needs a recent authentication (RFC 9470 step-up). Wrong codes count against the account's limit for every code check (5 per 15 minutes). On success this session counts as having proved a second factor, and every other session ends.",
    access: { permission: "account:update" },
    sensitive: true,
    body: { kind: "json", schema: ConfirmTotpSchema, example: { code: "123456" } },
    responses: { 200: { description: "On: the ten recovery codes, shown this once", schema: RecoveryCodesSchema } },
    problems: ["ERR_STEP_UP_REQUIRED", "ERR_SECOND_FACTOR_INVALID", "ERR_CONFLICT", "ERR_ALREADY_ENROLLED", "ERR_RATE_LIMITED", "ERR_EMAIL_UNVERIFIED"],
  },
  async ({ actor, body, db, context }) => {
    const { recoveryCodes, headers } = await confirmTotp(db, actor, body.code, context);
    return json({ recoveryCodes }, { headers });
  },
);
