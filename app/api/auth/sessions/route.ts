import { getDb } from "@/lib/db/client";
import { json, route } from "@/lib/http/handler";
import { requireUser } from "@/lib/auth/guards";
import { listLiveSessions } from "@/lib/auth/refresh";

export const access = "user";

/** User. The caller's live sessions; `current` marks the one making this request. */
export const GET = route(async ({ request }) => {
  const user = await requireUser(request);
  const sessions = await listLiveSessions(await getDb(), user.id);
  return json({
    sessions: sessions.map((session) => ({
      id: session.id,
      createdAt: session.createdAt.toISOString(),
      lastUsedAt: session.lastUsedAt.toISOString(),
      userAgent: session.userAgent,
      ip: session.ip,
      current: session.id === user.sessionId,
    })),
  });
});
