import type { Metadata } from "next";
import { AppShell } from "@/components/layout/app-shell";
import { NotesView } from "@/components/notes/notes-view";
import { noteListQuery, noteListSearch } from "@/components/notes/note-list-query";
import { PageHeader } from "@/components/ui/page-header";
import { requireAccount } from "@/lib/auth/page-guards";
import type { SearchParams } from "@/lib/client/search-params";

export const metadata: Metadata = { title: "Notes" };

export default async function DashboardPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const query = noteListQuery(await searchParams);
  const account = await requireAccount(`/dashboard?${noteListSearch(query)}`);
  return (
    <AppShell account={account} section="notes">
      <PageHeader title="Notes" lead={`Signed in as ${account.email}. Your notes are visible to you alone; not even an admin can open them.`} />
      <NotesView initialQuery={query} />
    </AppShell>
  );
}
