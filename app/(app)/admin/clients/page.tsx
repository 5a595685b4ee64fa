import type { Metadata } from "next";
import { AdminNav } from "@/components/admin/admin-nav";
import { ServiceClients } from "@/components/admin/service-clients";
import { AppShell } from "@/components/layout/app-shell";
import { PageHeader } from "@/components/ui/page-header";
import { requireAdminAccount } from "@/lib/auth/page-guards";

export const metadata: Metadata = { title: "Admin · Service clients" };

export default async function AdminClientsPage() {
  const account = await requireAdminAccount("/admin/clients");
  return (
    <AppShell account={account} section="admin">
      <PageHeader title="Administration" lead="Machine clients of the client-credentials grant, each limited to the scopes it was granted." />
      <AdminNav current="clients" />
      <ServiceClients />
    </AppShell>
  );
}
