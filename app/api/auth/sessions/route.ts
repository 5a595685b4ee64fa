import { endpoint } from "@/lib/http/endpoint";
import { json } from "@/lib/http/handler";
import { ownSessions, SessionListSchema } from "@/lib/auth/session-list";

/** The caller's live sessions; `current` marks the one making this request. */
export const GET = endpoint(
  {
    summary: "The caller's own live sessions",
    access: { permission: "account:read" },
    responses: { 200: { description: "Every live session of the caller", schema: SessionListSchema } },
  },
  async ({ actor, db }) => json(await ownSessions(db, actor)),
);
