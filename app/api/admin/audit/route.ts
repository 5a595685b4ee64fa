import { getDb } from "@/lib/db/client";
import { json, route } from "@/lib/http/handler";
import { parseQuery } from "@/lib/http/query";
import { requirePermission } from "@/lib/auth/guards";
import { AuditListQuerySchema, listAuditEvents } from "@/lib/audit";

export const access = "admin";

/** Admin. Security events, newest first; `type` narrows to one event type, `userId` to events where that id is actor or target. */
export const GET = route(async ({ request }) => {
  await requirePermission(request, "audit:read");
  const query = parseQuery(AuditListQuerySchema, request.url);
  return json(await listAuditEvents(await getDb(), query));
});
