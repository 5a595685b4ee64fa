import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AppShell } from "@/components/layout/app-shell";
import { NoteEditor } from "@/components/notes/note-editor";
import { PageHeader } from "@/components/ui/page-header";
import { card } from "@/components/ui/styles";
import { ownerScope } from "@/lib/authz/policy";
import { requireAccount } from "@/lib/auth/page-guards";
import { getDb } from "@/lib/db/client";
import { findNote } from "@/lib/notes/notes";
import { NoteParams } from "@/lib/notes/public-note";

export const metadata: Metadata = { title: "Note" };

/**
 * One note, read on the server through the same owner-scoped query as the API (lib/notes/notes.ts).
 * Someone else's note and a note that never existed are the same 404 page, so a guessed or
 * shared URL reveals nothing about whether it exists.
 */
export default async function NotePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const account = await requireAccount(`/notes/${encodeURIComponent(id)}`);
  const parsed = NoteParams.safeParse({ id });
  if (!parsed.success) notFound();
  const note = await findNote(await getDb(), ownerScope(account.actor), parsed.data.id);
  if (note === null) notFound();

  return (
    <AppShell account={account} section="notes">
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link href="/dashboard" className="text-indigo-700 hover:underline dark:text-indigo-300">
          <span aria-hidden="true">← </span>All notes
        </Link>
      </nav>
      <PageHeader title="Edit note" />
      <div className={`${card} p-5 sm:p-6`}>
        <NoteEditor initial={note} />
      </div>
    </AppShell>
  );
}
