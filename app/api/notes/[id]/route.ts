import { getDb } from "@/lib/db/client";
import { AppError } from "@/lib/http/errors";
import { json, route } from "@/lib/http/handler";
import { assertNoQuery } from "@/lib/http/query";
import { readJson } from "@/lib/http/read-json";
import { parseInput } from "@/lib/http/validate";
import { requirePermission } from "@/lib/auth/guards";
import { ownerScope } from "@/lib/authz/policy";
import { deleteNote, findNote, updateNote } from "@/lib/notes/notes";
import { NoteParams, UpdateNoteSchema } from "@/lib/notes/public-note";

export const access = "user";

// Someone else's note and a missing one get this same answer, so ids reveal nothing (OWASP API1).
const notFound = () => new AppError("ERR_NOT_FOUND", { detail: "No such note." });

/** Owner. One of the caller's notes. */
export const GET = route<{ id: string }>(async ({ request, params }) => {
  const actor = await requirePermission(request, "note:read");
  const { id } = parseInput(NoteParams, params);
  assertNoQuery(request.url);
  const note = await findNote(await getDb(), ownerScope(actor), id);
  if (note === null) throw notFound();
  return json(note);
});

/** Owner. Change the title and/or body; nothing else about a note can be set. */
export const PATCH = route<{ id: string }>(async ({ request, params }) => {
  const actor = await requirePermission(request, "note:update");
  const { id } = parseInput(NoteParams, params);
  assertNoQuery(request.url);
  const input = parseInput(UpdateNoteSchema, await readJson(request));
  const note = await updateNote(await getDb(), ownerScope(actor), id, input);
  if (note === null) throw notFound();
  return json(note);
});

/** Owner. Delete one of the caller's notes. */
export const DELETE = route<{ id: string }>(async ({ request, params }) => {
  const actor = await requirePermission(request, "note:delete");
  const { id } = parseInput(NoteParams, params);
  assertNoQuery(request.url);
  if (!(await deleteNote(await getDb(), ownerScope(actor), id))) throw notFound();
  return new Response(null, { status: 204 });
});
