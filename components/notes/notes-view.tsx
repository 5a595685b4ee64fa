"use client";

import Link from "next/link";
import { useState } from "react";
import { api } from "@/lib/client/browser";
import { NotePageSchema, type Note, type Page } from "@/lib/client/resources";
import { LoadError } from "../forms/load-error";
import { Button } from "../ui/button";
import { cn } from "../ui/cn";
import { ConfirmDialog } from "../ui/dialog";
import { EmptyState } from "../ui/empty-state";
import { LocalTime } from "../ui/local-time";
import { Pagination, pageCount } from "../ui/pagination";
import { Skeleton } from "../ui/skeleton";
import { card, focusRing, inputBase, inputBorder } from "../ui/styles";
import { FormStatus, type FormMessage } from "../forms/form-status";
import { errorMessage, isSilent } from "../forms/messages";
import { NewNoteForm } from "./new-note-form";
import { DEFAULT_ORDER, NOTE_SORTS, NOTES_PER_PAGE, SORT_LABELS, noteListApiPath, noteListSearch, type NoteListQuery, type NoteSort } from "./note-list-query";
import { useRemote } from "../hooks/use-remote";

/** The dashboard: the signed-in user's notes, paged and sorted by the server. */
export function NotesView({ initialQuery }: { initialQuery: NoteListQuery }) {
  const [query, setQuery] = useState(initialQuery);
  const path = noteListApiPath(query);
  const { state, reload } = useRemote(path, (signal) => api.get(path, NotePageSchema, { signal }));
  const [deleting, setDeleting] = useState<Note | null>(null);
  const [deletePending, setDeletePending] = useState(false);
  const [notice, setNotice] = useState<FormMessage | null>(null);

  function changeQuery(next: NoteListQuery) {
    setQuery(next);
    // Keep the URL in step without a server round trip, so reload and Back show this page.
    window.history.replaceState(null, "", `?${noteListSearch(next)}`);
  }

  async function confirmDelete() {
    if (deleting === null) return;
    setDeletePending(true);
    try {
      await api.delete(`/api/notes/${encodeURIComponent(deleting.id)}`);
      setNotice({ tone: "success", title: `Deleted “${deleting.title}”.` });
      setDeleting(null);
      // Deleting the last note on a page would leave an empty page: step back one.
      const data = state.status === "ready" ? state.data : null;
      if (data !== null && data.items.length === 1 && query.page > 1) changeQuery({ ...query, page: query.page - 1 });
      else reload();
    } catch (error) {
      if (!isSilent(error)) setNotice(errorMessage(error, "Could not delete the note"));
      setDeleting(null);
    } finally {
      setDeletePending(false);
    }
  }

  const data: Page<Note> | null = state.status === "ready" ? state.data : state.previous;
  const loading = state.status === "loading";

  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_20rem]">
      <section aria-labelledby="notes-heading" className="min-w-0 space-y-4">
        <div className="flex flex-wrap items-end justify-between gap-3">
          <h2 id="notes-heading" className="text-base font-semibold">
            Your notes
            {data === null ? null : <span className="ml-2 text-sm font-normal text-slate-600 tabular-nums dark:text-slate-400">({data.total})</span>}
          </h2>
          <SortControls query={query} onChange={changeQuery} />
        </div>

        <FormStatus message={notice} />

        <div aria-busy={loading} className={cn("transition-opacity", loading && data !== null && "opacity-60")}>
          {state.status === "error" ? (
            <LoadError what="your notes" error={state.error} onRetry={reload} />
          ) : data === null ? (
            <NoteListSkeleton />
          ) : data.items.length === 0 ? (
            <EmptyState title={data.total === 0 ? "No notes yet" : "Nothing on this page"}>
              {data.total === 0 ? "Write your first note with the form on this page. Only you can see it." : "Go back a page to see your notes."}
            </EmptyState>
          ) : (
            <ul className="space-y-3" aria-label="Notes">
              {data.items.map((note) => (
                <NoteRow key={note.id} note={note} onDelete={() => setDeleting(note)} />
              ))}
            </ul>
          )}
        </div>

        {data !== null && data.total > 0 ? (
          <Pagination
            label="Notes pages"
            page={query.page}
            limit={NOTES_PER_PAGE}
            total={data.total}
            disabled={loading}
            onPage={(page) => changeQuery({ ...query, page: Math.min(Math.max(1, page), pageCount(data.total, NOTES_PER_PAGE)) })}
          />
        ) : null}
      </section>

      {/* First on a phone, where the form would otherwise sit below the whole list. */}
      <aside className={cn(card, "order-first h-fit p-5 lg:order-none")}>
        <NewNoteForm
          onCreated={() => {
            // Show the new note where it lands: the first page, newest edits first.
            const first: NoteListQuery = { page: 1, sort: "updated_at", order: "desc" };
            if (noteListApiPath(first) === path) reload();
            else changeQuery(first);
          }}
        />
      </aside>

      <ConfirmDialog
        open={deleting !== null}
        title="Delete this note?"
        description={deleting === null ? undefined : `“${deleting.title}” will be deleted for good.`}
        confirmLabel="Delete note"
        tone="danger"
        pending={deletePending}
        onConfirm={() => void confirmDelete()}
        onCancel={() => setDeleting(null)}
      />
    </div>
  );
}

function SortControls({ query, onChange }: { query: NoteListQuery; onChange: (query: NoteListQuery) => void }) {
  return (
    <div className="flex items-center gap-2">
      <label htmlFor="note-sort" className="text-sm whitespace-nowrap text-slate-600 dark:text-slate-400">
        Sort by
      </label>
      <select
        id="note-sort"
        value={query.sort}
        onChange={(event) => {
          const sort = event.target.value as NoteSort;
          onChange({ page: 1, sort, order: DEFAULT_ORDER[sort] });
        }}
        className={cn(inputBase, inputBorder, "w-auto py-1.5")}
      >
        {NOTE_SORTS.map((sort) => (
          <option key={sort} value={sort}>
            {SORT_LABELS[sort]}
          </option>
        ))}
      </select>
      {/* The visible word is the whole accessible name (WCAG 2.5.3): what a voice user says is what the button is called. */}
      <Button
        tone="secondary"
        size="sm"
        onClick={() => onChange({ ...query, page: 1, order: query.order === "asc" ? "desc" : "asc" })}
        title="Reverse the order"
      >
        <svg
          viewBox="0 0 16 16"
          aria-hidden="true"
          className={cn("size-4 transition-transform", query.order === "asc" && "rotate-180")}
          fill="none"
          stroke="currentColor"
          strokeWidth="1.8"
          strokeLinecap="round"
          strokeLinejoin="round"
        >
          <path d="M8 3v10M4 9l4 4 4-4" />
        </svg>
        {query.order === "asc" ? "Ascending" : "Descending"}
      </Button>
    </div>
  );
}

function NoteRow({ note, onDelete }: { note: Note; onDelete: () => void }) {
  return (
    <li className={cn(card, "flex items-start gap-3 p-4")}>
      <div className="min-w-0 flex-1">
        <Link href={`/notes/${encodeURIComponent(note.id)}`} className={cn("rounded-sm font-medium break-words hover:underline", focusRing)}>
          {note.title}
        </Link>
        {note.body === "" ? null : <p className="mt-1 line-clamp-2 text-sm break-words text-slate-600 dark:text-slate-400">{note.body}</p>}
        <p className="mt-2 text-xs text-slate-500 dark:text-slate-400">
          Edited <LocalTime iso={note.updatedAt} relative />
        </p>
      </div>
      <Button tone="ghost" size="sm" onClick={onDelete} aria-label={`Delete “${note.title}”`}>
        Delete
      </Button>
    </li>
  );
}

function NoteListSkeleton() {
  return (
    <ul className="space-y-3" aria-label="Loading notes">
      {[0, 1, 2].map((row) => (
        <li key={row} className={cn(card, "space-y-2 p-4")}>
          <Skeleton className="h-5 w-1/3" />
          <Skeleton className="h-4 w-5/6" />
          <Skeleton className="h-3 w-24" />
        </li>
      ))}
    </ul>
  );
}
