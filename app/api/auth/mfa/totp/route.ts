import { endpoint } from "@/lib/http/endpoint";
import { json } from "@/lib/http/handler";
import { removeTotp, startTotp, TotpEnrolmentSchema } from "@/lib/auth/mfa/manage-totp";

/**
 * Starts setting up an authenticator app, or removes the one set up; both need a recent
 * authentication, and removal ends every other session (lib/auth/mfa/manage-totp.ts).
 */
export const POST = endpoint(
  {
    summary: "Start setting up an authenticator app",
    description:
      "Needs a recent authentication (RFC 9470 step-up). The secret is in this answer only: show it as a QR code, then confirm it with a first code. Starting again replaces a setup not yet confirmed.",
    access: { permission: "account:update" },
    sensitive: true,
    responses: { 201: { description: "A new secret, pending until a first code confirms it", schema: TotpEnrolmentSchema } },
    problems: ["ERR_STEP_UP_REQUIRED", "ERR_ALREADY_ENROLLED", "ERR_EMAIL_UNVERIFIED"],
  },
  async ({ actor, db, context }) => json(await startTotp(db, actor, context), { status: 201 }),
);

export const DELETE = endpoint(
  {
    summary: "Remove the caller's authenticator app",
    description:
      "Needs a second factor proved in the last 10 minutes (RFC 9470 step-up). The recovery codes go too, unless a passkey remains. Every other session ends.",
    access: { permission: "account:update" },
    sensitive: true,
    responses: { 204: { description: "Removed; every other session is ended" } },
    problems: ["ERR_STEP_UP_REQUIRED", "ERR_CONFLICT"],
  },
  async ({ actor, db, context }) => {
    await removeTotp(db, actor, context);
    return new Response(null, { status: 204 });
  },
);
