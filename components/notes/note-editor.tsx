"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { NOTE_BODY_MAX, NOTE_TITLE_MAX, UpdateNoteSchema } from "@/lib/notes/public-note";
import { api } from "@/lib/client/browser";
import { isApiError } from "@/lib/client/problem";
import { NoteSchema, type Note } from "@/lib/client/resources";
import { Button } from "../ui/button";
import { SubmitButton } from "../ui/submit-button";
import { ConfirmDialog } from "../ui/dialog";
import { Field, TextAreaField } from "../ui/field";
import { LocalTime } from "../ui/local-time";
import { FormStatus, type FormMessage } from "../forms/form-status";
import { errorMessage, isSilent } from "../forms/messages";
import { errorsFor, validate, type FieldErrors } from "../forms/validation";

/** Edit or delete one note. Only the fields that changed are sent (PATCH). */
export function NoteEditor({ initial }: { initial: Note }) {
  const router = useRouter();
  const [saved, setSaved] = useState(initial);
  const [title, setTitle] = useState(initial.title);
  const [body, setBody] = useState(initial.body);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<FormMessage | null>(null);
  const [pending, setPending] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const dirty = title !== saved.title || body !== saved.body;

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const changes = { ...(title === saved.title ? {} : { title }), ...(body === saved.body ? {} : { body }) };
    const checked = validate(UpdateNoteSchema, changes);
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    setPending(true);
    try {
      const note = await api.patch(`/api/notes/${encodeURIComponent(saved.id)}`, checked.data, NoteSchema);
      setSaved(note);
      setTitle(note.title);
      setBody(note.body);
      setMessage({ tone: "success", title: "Saved." });
    } catch (error) {
      if (isSilent(error)) return;
      if (isApiError(error) && error.problem.errors !== undefined) setErrors(error.problem.errors);
      setMessage(errorMessage(error, "Could not save the note"));
    } finally {
      setPending(false);
    }
  }

  async function remove() {
    setDeleting(true);
    try {
      await api.delete(`/api/notes/${encodeURIComponent(saved.id)}`);
      router.push("/dashboard");
    } catch (error) {
      setDeleting(false);
      setConfirming(false);
      if (!isSilent(error)) setMessage(errorMessage(error, "Could not delete the note"));
    }
  }

  return (
    <>
      <form noValidate onSubmit={(event) => void save(event)} className="space-y-5">
        <Field
          label="Title"
          name="title"
          required
          maxLength={NOTE_TITLE_MAX}
          value={title}
          errors={errorsFor(errors, "title")}
          onChange={(event) => {
            setTitle(event.target.value);
            setMessage(null);
          }}
        />
        <TextAreaField
          label="Note"
          name="body"
          rows={10}
          maxLength={NOTE_BODY_MAX}
          value={body}
          errors={errorsFor(errors, "body")}
          onChange={(event) => {
            setBody(event.target.value);
            setMessage(null);
          }}
        />
        <p className="text-xs text-slate-500 dark:text-slate-400">
          Created <LocalTime iso={saved.createdAt} /> · last edited <LocalTime iso={saved.updatedAt} />
        </p>
        <FormStatus message={message} />
        <div className="flex flex-wrap justify-between gap-3">
          <Button tone="danger" onClick={() => setConfirming(true)}>
            Delete note
          </Button>
          <SubmitButton pending={pending} disabled={!dirty}>
            Save changes
          </SubmitButton>
        </div>
      </form>
      {/* Outside the form: the dialog has a form of its own, and forms cannot nest. */}
      <ConfirmDialog
        open={confirming}
        title="Delete this note?"
        description={`“${saved.title}” will be deleted for good.`}
        confirmLabel="Delete note"
        tone="danger"
        pending={deleting}
        onConfirm={() => void remove()}
        onCancel={() => setConfirming(false)}
      />
    </>
  );
}
