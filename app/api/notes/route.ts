import { endpoint } from "@/lib/http/endpoint";
import { json } from "@/lib/http/handler";
import { pageSchema } from "@/lib/http/query";
import { ownerScope } from "@/lib/authz/policy";
import { createNote, listNotes } from "@/lib/notes/notes";
import { CreateNoteSchema, NoteListQuerySchema, PublicNoteSchema } from "@/lib/notes/public-note";

/** The caller's own notes, a page at a time: the owner is part of the query, so no one else's can appear. */
export const GET = endpoint(
  {
    summary: "List the caller's own notes",
    access: { permission: "note:list" },
    query: NoteListQuerySchema,
    responses: { 200: { description: "A page of the caller's notes", schema: pageSchema(PublicNoteSchema) } },
  },
  async ({ actor, query, db }) => json(await listNotes(db, ownerScope(actor), query)),
);

/** A note owned by the caller; a body naming an owner, id or timestamp is a 400. */
export const POST = endpoint(
  {
    summary: "Create a note owned by the caller",
    access: { permission: "note:create" },
    body: { kind: "json", schema: CreateNoteSchema, example: { title: "Groceries", body: "eggs, flour" } },
    responses: { 201: { description: "The new note", schema: PublicNoteSchema, headers: { Location: "The new note's URL, `/api/notes/{id}`." } } },
  },
  async ({ actor, body, db }) => {
    const note = await createNote(db, ownerScope(actor), body);
    return json(note, { status: 201, headers: { location: `/api/notes/${note.id}` } });
  },
);
