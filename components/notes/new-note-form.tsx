"use client";

import { useState, type FormEvent } from "react";
import { CreateNoteSchema, NOTE_BODY_MAX, NOTE_TITLE_MAX } from "@/lib/notes/public-note";
import { api } from "@/lib/client/browser";
import { isApiError } from "@/lib/client/problem";
import { NoteSchema, type Note } from "@/lib/client/resources";
import { SubmitButton } from "../ui/submit-button";
import { Field, TextAreaField } from "../ui/field";
import { FormStatus, type FormMessage } from "../forms/form-status";
import { errorMessage, isSilent } from "../forms/messages";
import { errorsFor, validate, type FieldErrors } from "../forms/validation";

/** Create a note. Validated with the API's own schema (lib/notes/public-note.ts) before it is sent. */
export function NewNoteForm({ onCreated }: { onCreated: (note: Note) => void }) {
  const [title, setTitle] = useState("");
  const [body, setBody] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<FormMessage | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const checked = validate(CreateNoteSchema, { title, body });
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    setMessage(null);
    setPending(true);
    try {
      const note = await api.post("/api/notes", checked.data, NoteSchema);
      setTitle("");
      setBody("");
      setMessage({ tone: "success", title: `Created “${note.title}”.` });
      onCreated(note);
    } catch (error) {
      if (isSilent(error)) return;
      if (isApiError(error) && error.problem.errors !== undefined) setErrors(error.problem.errors);
      setMessage(errorMessage(error, "Could not create the note"));
    } finally {
      setPending(false);
    }
  }

  return (
    <form noValidate onSubmit={(event) => void submit(event)} aria-labelledby="new-note-heading" className="space-y-4">
      <h2 id="new-note-heading" className="text-base font-semibold">
        New note
      </h2>
      <Field
        label="Title"
        name="title"
        required
        maxLength={NOTE_TITLE_MAX}
        value={title}
        errors={errorsFor(errors, "title")}
        onChange={(event) => setTitle(event.target.value)}
      />
      <TextAreaField
        label="Note"
        name="body"
        rows={3}
        maxLength={NOTE_BODY_MAX}
        value={body}
        errors={errorsFor(errors, "body")}
        onChange={(event) => setBody(event.target.value)}
      />
      <div className="flex flex-wrap items-center justify-between gap-3">
        <FormStatus message={message} className="min-w-0 flex-1" />
        <SubmitButton pending={pending}>Add note</SubmitButton>
      </div>
    </form>
  );
}
