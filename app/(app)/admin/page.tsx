import type { Metadata } from "next";
import { AdminNav } from "@/components/admin/admin-nav";
import { UsersTable } from "@/components/admin/users-table";
import { AppShell } from "@/components/layout/app-shell";
import { PageHeader } from "@/components/ui/page-header";
import { requireAdminAccount } from "@/lib/auth/page-guards";

export const metadata: Metadata = { title: "Admin · Users" };

export default async function AdminUsersPage() {
  // 403 for anyone who is not an admin, decided here on the server; the API checks again.
  const account = await requireAdminAccount("/admin");
  return (
    <AppShell account={account} section="admin">
      <PageHeader title="Administration" lead="Accounts, the security event log, and machine clients." />
      <AdminNav current="users" />
      <UsersTable selfId={account.id} />
    </AppShell>
  );
}
