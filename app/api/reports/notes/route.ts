import { getDb } from "@/lib/db/client";
import { json, route } from "@/lib/http/handler";
import { assertNoQuery } from "@/lib/http/query";
import { requirePermission } from "@/lib/auth/guards";
import { noteReport } from "@/lib/notes/report";

export const access = "service:reports:read";

/**
 * Service (`reports:read`). Aggregate note counts for a reporting job: no note content and no
 * user data, so the scope grants less than any signed-in person can see of their own.
 */
export const GET = route(async ({ request }) => {
  await requirePermission(request, "report:read");
  assertNoQuery(request.url);
  return json(await noteReport(await getDb()));
});
