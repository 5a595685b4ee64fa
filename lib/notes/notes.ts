/**
 * Owner-scoped data access for notes: the only module that queries the Note table for a person.
 *
 * Every function takes an OwnerScope (lib/authz/policy.ts), which only the authenticated actor can
 * produce, and puts it inside the query: `findFirst({ where: { id, ownerId } })`,
 * `updateManyAndReturn` and `deleteMany` with the same filter. There is no fetch-then-compare step
 * to forget, and no window between the check and the write. Someone else's note and a note that
 * never existed both come back as "nothing", so the handler answers both with the same 404
 * (OWASP API Security Top 10 2023, API1).
 */
import "server-only";
import type { Db } from "../db/client";
import type { OwnerScope } from "../authz/policy";
import { pageWindow, type Page, type SortOrder } from "../http/query";
import { noteSelect, toPublicNote, type CreateNoteInput, type PublicNote, type UpdateNoteInput } from "./public-note";

export type NoteSort = "created_at" | "updated_at" | "title";

export interface NoteListQuery {
  page: number;
  limit: number;
  sort: NoteSort;
  order: SortOrder;
}

// The request names a sort; this table names the column. A column name never comes from input.
const SORT_COLUMN = { created_at: "createdAt", updated_at: "updatedAt", title: "title" } as const satisfies Record<NoteSort, string>;

export async function listNotes(db: Db, owner: OwnerScope, query: NoteListQuery): Promise<Page<PublicNote>> {
  const where = { ownerId: owner.ownerId };
  const [rows, total] = await Promise.all([
    db.note.findMany({
      where,
      // The id breaks ties, so pages neither repeat nor skip notes that share a timestamp or title.
      orderBy: [{ [SORT_COLUMN[query.sort]]: query.order }, { id: query.order }],
      ...pageWindow(query),
      select: noteSelect,
    }),
    db.note.count({ where }),
  ]);
  return { items: rows.map(toPublicNote), page: query.page, limit: query.limit, total };
}

export async function createNote(db: Db, owner: OwnerScope, input: CreateNoteInput): Promise<PublicNote> {
  // The owner is the actor, always; the body schema has no field that could say otherwise.
  const note = await db.note.create({ data: { ownerId: owner.ownerId, title: input.title, body: input.body }, select: noteSelect });
  return toPublicNote(note);
}

export async function findNote(db: Db, owner: OwnerScope, id: string): Promise<PublicNote | null> {
  const note = await db.note.findFirst({ where: { id, ownerId: owner.ownerId }, select: noteSelect });
  return note === null ? null : toPublicNote(note);
}

/** One statement: `UPDATE … WHERE id = $1 AND "ownerId" = $2 RETURNING …`. */
export async function updateNote(db: Db, owner: OwnerScope, id: string, input: UpdateNoteInput): Promise<PublicNote | null> {
  const [note] = await db.note.updateManyAndReturn({
    where: { id, ownerId: owner.ownerId },
    data: {
      ...(input.title === undefined ? {} : { title: input.title }),
      ...(input.body === undefined ? {} : { body: input.body }),
    },
    select: noteSelect,
  });
  return note === undefined ? null : toPublicNote(note);
}

export async function deleteNote(db: Db, owner: OwnerScope, id: string): Promise<boolean> {
  const result = await db.note.deleteMany({ where: { id, ownerId: owner.ownerId } });
  return result.count === 1;
}
