import type { Metadata } from "next";
import { ChangePasswordForm } from "@/components/account/change-password-form";
import { DeleteAccount } from "@/components/account/delete-account";
import { AppShell } from "@/components/layout/app-shell";
import { Badge } from "@/components/ui/badge";
import { PageHeader } from "@/components/ui/page-header";
import { card } from "@/components/ui/styles";
import { requireAccount } from "@/lib/auth/page-guards";

export const metadata: Metadata = { title: "Account" };

export default async function AccountPage() {
  const account = await requireAccount("/account");
  return (
    <AppShell account={account} section="account">
      <PageHeader title="Account" lead="Your profile, your password, and the way out." />
      <section aria-labelledby="profile-heading" className={`${card} p-5 sm:p-6`}>
        <h2 id="profile-heading" className="text-base font-semibold">
          Profile
        </h2>
        <dl className="mt-3 grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[8rem_1fr]">
          <dt className="text-slate-600 dark:text-slate-400">Name</dt>
          <dd className="break-words">{account.name}</dd>
          <dt className="text-slate-600 dark:text-slate-400">Email</dt>
          <dd className="break-all">{account.email}</dd>
          <dt className="text-slate-600 dark:text-slate-400">Role</dt>
          <dd>
            <Badge tone={account.role === "admin" ? "accent" : "neutral"}>{account.role}</Badge>
          </dd>
        </dl>
      </section>
      {account.hasPassword ? (
        <div className={`${card} p-5 sm:p-6`}>
          <ChangePasswordForm email={account.email} name={account.name} />
        </div>
      ) : null}
      <div className="rounded-xl border border-red-200 bg-white p-5 shadow-sm sm:p-6 dark:border-red-900 dark:bg-slate-900">
        <DeleteAccount hasPassword={account.hasPassword} />
      </div>
    </AppShell>
  );
}
