import { endpoint, notFound } from "@/lib/http/endpoint";
import { revokeSession, SessionParams } from "@/lib/auth/session-list";

/** Revokes one of the caller's own sessions; anyone else's is a 404, as if it did not exist. */
export const DELETE = endpoint(
  {
    summary: "End one of the caller's own sessions",
    access: { permission: "account:update" },
    params: SessionParams,
    responses: { 204: { description: "The session is ended" } },
    problems: ["ERR_NOT_FOUND"],
  },
  async ({ actor, params, db, context }) => {
    if (!(await revokeSession(db, actor, params.id, context))) throw notFound();
    return new Response(null, { status: 204 });
  },
);
