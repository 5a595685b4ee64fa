import { endpoint } from "@/lib/http/endpoint";
import { json } from "@/lib/http/handler";
import { RecoveryCodesSchema, regenerateRecoveryCodes } from "@/lib/auth/mfa/manage-recovery-codes";

/** Replaces every recovery code with a new set; needs a recent second factor (lib/auth/mfa/manage-recovery-codes.ts). */
export const POST = endpoint(
  {
    summary: "Replace the caller's recovery codes with a new set",
    description:
      "Needs a second factor proved in the last 10 minutes (RFC 9470 step-up), and an account with a second factor. The old codes stop working at once; the new ones are in this answer only.",
    access: { permission: "account:update" },
    sensitive: true,
    responses: { 200: { description: "The ten new recovery codes, shown this once", schema: RecoveryCodesSchema } },
    problems: ["ERR_STEP_UP_REQUIRED", "ERR_CONFLICT"],
  },
  async ({ actor, db, context }) => json(await regenerateRecoveryCodes(db, actor, context)),
);
