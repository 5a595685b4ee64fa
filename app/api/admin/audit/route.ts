import { endpoint } from "@/lib/http/endpoint";
import { json } from "@/lib/http/handler";
import { pageSchema } from "@/lib/http/query";
import { AuditListQuerySchema, listAuditEvents, PublicAuditEventSchema } from "@/lib/audit";

/** Security events, newest first; `type` narrows to one event type, `userId` to events where that id is actor or target. */
export const GET = endpoint(
  {
    summary: "Read the security event log",
    access: { permission: "audit:read" },
    query: AuditListQuerySchema,
    responses: { 200: { description: "A page of audit events", schema: pageSchema(PublicAuditEventSchema) } },
  },
  async ({ query, db }) => json(await listAuditEvents(db, query)),
);
