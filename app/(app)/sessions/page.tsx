import type { Metadata } from "next";
import { AppShell } from "@/components/layout/app-shell";
import { SessionsView } from "@/components/sessions/sessions-view";
import { PageHeader } from "@/components/ui/page-header";
import { requireAccount } from "@/lib/auth/page-guards";

export const metadata: Metadata = { title: "Sessions" };

export default async function SessionsPage() {
  const account = await requireAccount("/sessions");
  return (
    <AppShell account={account} section="sessions">
      <PageHeader title="Sessions" lead="Every device where you are signed in. Sign out any you do not recognise." />
      <SessionsView />
    </AppShell>
  );
}
