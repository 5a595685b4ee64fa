import { endpoint, notFound } from "@/lib/http/endpoint";
import { json } from "@/lib/http/handler";
import { ownerScope } from "@/lib/authz/policy";
import { deleteNote, findNote, updateNote } from "@/lib/notes/notes";
import { NoteParams, PublicNoteSchema, UpdateNoteSchema } from "@/lib/notes/public-note";

// Someone else's note and a missing one get this same answer, so ids reveal nothing (OWASP API1).
const NO_SUCH_NOTE = "No such note.";

/** One of the caller's notes. */
export const GET = endpoint(
  {
    summary: "Read one of the caller's notes",
    access: { permission: "note:read" },
    params: NoteParams,
    responses: { 200: { description: "The note", schema: PublicNoteSchema } },
    problems: ["ERR_NOT_FOUND"],
  },
  async ({ actor, params, db }) => {
    const note = await findNote(db, ownerScope(actor), params.id);
    if (note === null) throw notFound(NO_SUCH_NOTE);
    return json(note);
  },
);

/** Change the title and/or body; nothing else about a note can be set. */
export const PATCH = endpoint(
  {
    summary: "Change the title or body of one of the caller's notes",
    access: { permission: "note:update" },
    params: NoteParams,
    body: { kind: "json", schema: UpdateNoteSchema, example: { title: "Groceries for Sunday" } },
    responses: { 200: { description: "The note as changed", schema: PublicNoteSchema } },
    problems: ["ERR_NOT_FOUND"],
  },
  async ({ actor, params, body, db }) => {
    const note = await updateNote(db, ownerScope(actor), params.id, body);
    if (note === null) throw notFound(NO_SUCH_NOTE);
    return json(note);
  },
);

/** Delete one of the caller's notes. */
export const DELETE = endpoint(
  {
    summary: "Delete one of the caller's notes",
    access: { permission: "note:delete" },
    params: NoteParams,
    responses: { 204: { description: "Deleted" } },
    problems: ["ERR_NOT_FOUND"],
  },
  async ({ actor, params, db }) => {
    if (!(await deleteNote(db, ownerScope(actor), params.id))) throw notFound(NO_SUCH_NOTE);
    return new Response(null, { status: 204 });
  },
);
