import { endpoint } from "@/lib/http/endpoint";
import { unlinkProvider, UnlinkParamsSchema } from "@/lib/auth/oauth/sign-in-methods";

/**
 * Removes a provider from the caller's own account: needs a recent sign-in, keeps at least one way
 * in, and ends every other session (lib/auth/oauth/sign-in-methods.ts).
 */
export const DELETE = endpoint(
  {
    summary: "Remove a linked provider from the caller's account",
    access: { permission: "account:update" },
    sensitive: true,
    params: UnlinkParamsSchema,
    responses: { 204: { description: "Removed; every other session is ended" } },
    problems: ["ERR_REAUTH_REQUIRED", "ERR_NOT_FOUND", "ERR_CONFLICT"],
  },
  async ({ actor, params, db, context }) => {
    await unlinkProvider(db, actor, params.provider, context);
    return new Response(null, { status: 204 });
  },
);
