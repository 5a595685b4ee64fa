import type { Metadata } from "next";
import { AdminNav } from "@/components/admin/admin-nav";
import { AuditLog } from "@/components/admin/audit-log";
import { AppShell } from "@/components/layout/app-shell";
import { PageHeader } from "@/components/ui/page-header";
import { requireAdminAccount } from "@/lib/auth/page-guards";
import { AUDIT_EVENT_TYPES } from "@/lib/audit";

export const metadata: Metadata = { title: "Admin · Audit log" };

export default async function AdminAuditPage() {
  const account = await requireAdminAccount("/admin/audit");
  return (
    <AppShell account={account} section="admin">
      <PageHeader title="Administration" lead="Every security event: sign-ins, refresh-token reuse, role changes, revocations." />
      <AdminNav current="audit" />
      {/* The event types come from the server's own list, so the filter offers exactly what the API accepts. */}
      <AuditLog types={AUDIT_EVENT_TYPES} />
    </AppShell>
  );
}
