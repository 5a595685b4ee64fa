/**
 * The one shape a note takes in a response, and the schemas of what a client may send.
 *
 * Reads select exactly the public columns and go through `toPublicNote`, so `ownerId` (and any
 * column added later) cannot reach a response by accident. Request bodies are strict objects: an
 * `ownerId`, `id` or timestamp in a body is a 400, never applied (mass assignment, OWASP API
 * Security Top 10 2023 API3). The response schema is strict too, and the tests parse every note
 * the API returns with it.
 */
import { z } from "zod";
import { pagedQuery } from "../http/query";
import { storableText } from "../http/text";

export const NOTE_TITLE_MAX = 200;
export const NOTE_BODY_MAX = 10_000;

const Title = storableText(
  z
    .string()
    .trim()
    .min(1, { message: "Enter a title." })
    .max(NOTE_TITLE_MAX, { message: `Use at most ${NOTE_TITLE_MAX} characters.` }),
);
const Body = storableText(
  z
    .string()
    .trim()
    .max(NOTE_BODY_MAX, { message: `Use at most ${NOTE_BODY_MAX} characters.` }),
);

export const CreateNoteSchema = z.strictObject({ title: Title, body: Body.default("") });

export const UpdateNoteSchema = z
  .strictObject({ title: Title.optional(), body: Body.optional() })
  .refine((input) => input.title !== undefined || input.body !== undefined, { message: "Send a title, a body, or both." });

export type CreateNoteInput = z.output<typeof CreateNoteSchema>;
export type UpdateNoteInput = z.output<typeof UpdateNoteSchema>;

/** Note ids are cuids: lowercase letters and digits. Anything else is refused before a query runs. */
export const NoteParams = z.strictObject({ id: z.string().regex(/^[a-z0-9]{20,32}$/, { message: "Not a note id." }) });

export const noteSelect = { id: true, title: true, body: true, createdAt: true, updatedAt: true } as const;

export const PublicNoteSchema = z.strictObject({
  id: z.string(),
  title: z.string(),
  body: z.string(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

export type PublicNote = z.infer<typeof PublicNoteSchema>;

export function toPublicNote(note: { id: string; title: string; body: string; createdAt: Date; updatedAt: Date }): PublicNote {
  return {
    id: note.id,
    title: note.title,
    body: note.body,
    createdAt: note.createdAt.toISOString(),
    updatedAt: note.updatedAt.toISOString(),
  };
}

/** `GET /api/notes`: newest first unless the request says otherwise; titles sort A to Z. */
export const NoteListQuerySchema = pagedQuery({
  sorts: { created_at: "desc", updated_at: "desc", title: "asc" },
  defaultSort: "created_at",
});
