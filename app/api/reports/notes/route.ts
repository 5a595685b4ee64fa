import { endpoint } from "@/lib/http/endpoint";
import { json } from "@/lib/http/handler";
import { noteReport, NoteReportSchema } from "@/lib/notes/report";

/**
 * Aggregate note counts for a reporting job: no note content and no user data, so the scope
 * grants less than any signed-in person can see of their own.
 */
export const GET = endpoint(
  {
    summary: "Aggregate note statistics",
    access: { permission: "report:read" },
    responses: { 200: { description: "Note counts", schema: NoteReportSchema } },
  },
  async ({ db }) => json(await noteReport(db)),
);
