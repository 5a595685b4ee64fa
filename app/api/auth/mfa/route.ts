import { endpoint } from "@/lib/http/endpoint";
import { json } from "@/lib/http/handler";
import { SecondFactorOverviewSchema, secondFactorOverview } from "@/lib/auth/mfa/manage-overview";

/** The caller's own second factors, for the security page: states and counts, never a secret (lib/auth/mfa/manage-overview.ts). */
export const GET = endpoint(
  {
    summary: "The caller's own second factors",
    description: "Whether an authenticator app is set up, how many unused recovery codes are left, and each passkey, newest first.",
    access: { permission: "account:read" },
    responses: { 200: { description: "The caller's factors", schema: SecondFactorOverviewSchema } },
  },
  async ({ actor, db }) => json(await secondFactorOverview(db, actor.id)),
);
