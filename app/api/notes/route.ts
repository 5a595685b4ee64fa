import { getDb } from "@/lib/db/client";
import { json, route } from "@/lib/http/handler";
import { assertNoQuery, parseQuery } from "@/lib/http/query";
import { readJson } from "@/lib/http/read-json";
import { parseInput } from "@/lib/http/validate";
import { requirePermission } from "@/lib/auth/guards";
import { ownerScope } from "@/lib/authz/policy";
import { createNote, listNotes } from "@/lib/notes/notes";
import { CreateNoteSchema, NoteListQuerySchema } from "@/lib/notes/public-note";

export const access = "user";

/** User. The caller's own notes, a page at a time: the owner is part of the query, so no one else's can appear. */
export const GET = route(async ({ request }) => {
  const actor = await requirePermission(request, "note:list");
  const query = parseQuery(NoteListQuerySchema, request.url);
  return json(await listNotes(await getDb(), ownerScope(actor), query));
});

/** User. A note owned by the caller; a body naming an owner, id or timestamp is a 400. */
export const POST = route(async ({ request }) => {
  const actor = await requirePermission(request, "note:create");
  assertNoQuery(request.url);
  const input = parseInput(CreateNoteSchema, await readJson(request));
  const note = await createNote(await getDb(), ownerScope(actor), input);
  return json(note, { status: 201, headers: { location: `/api/notes/${note.id}` } });
});
