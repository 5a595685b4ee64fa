import type { Metadata } from "next";
import { AddPasswordForm } from "@/components/account/add-password-form";
import { ChangePasswordForm } from "@/components/account/change-password-form";
import { DeleteAccount } from "@/components/account/delete-account";
import { EmailAddress } from "@/components/account/email-address";
import { SignInMethods } from "@/components/account/sign-in-methods";
import { oauthOutcomeMessage } from "@/components/auth/oauth-outcome";
import { AppShell } from "@/components/layout/app-shell";
import { Badge } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/page-header";
import { card } from "@/components/ui/styles";
import { configuredProviders } from "@/lib/auth/oauth/configured";
import { listSignInMethods } from "@/lib/auth/oauth/sign-in-methods";
import { getDb } from "@/lib/db/client";
import { ACCOUNT_PATH, OAUTH_OUTCOME_PARAM, providerSignInPath, readOAuthOutcome } from "@/lib/auth/oauth/sign-in-page";
import { requireAccount } from "@/lib/auth/page-guards";
import { single, type SearchParams } from "@/lib/client/search-params";

export const metadata: Metadata = { title: "Account" };

export default async function AccountPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const account = await requireAccount(ACCOUNT_PATH);
  // A refused link comes back here with a known code; only its fixed message is shown.
  const outcome = readOAuthOutcome(single(await searchParams, OAUTH_OUTCOME_PARAM));
  const providers = configuredProviders().map((provider) => ({ ...provider, href: providerSignInPath(provider.id, ACCOUNT_PATH) }));
  const methods = await listSignInMethods(await getDb(), account.id);
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
      <section aria-labelledby="security-heading" className={`${card} flex flex-wrap items-center justify-between gap-4 p-5 sm:p-6`}>
        <div className="min-w-0 space-y-1">
          <h2 id="security-heading" className="text-base font-semibold">
            Two-step verification
          </h2>
          <p className="text-sm text-slate-600 dark:text-slate-400">Ask for a code from an app on your phone after your password.</p>
        </div>
        <ButtonLink href="/account/security" tone="secondary">
          Manage security
        </ButtonLink>
      </section>
      <div className={`${card} p-5 sm:p-6`}>
        <EmailAddress email={account.email} verified={account.emailVerified} />
      </div>
      <div className={`${card} p-5 sm:p-6`}>
        <SignInMethods
          hasPassword={methods.password}
          linked={methods.providers}
          providers={providers}
          outcome={outcome === null ? null : oauthOutcomeMessage(outcome)}
        />
      </div>
      <div className={`${card} p-5 sm:p-6`}>
        {account.hasPassword ? <ChangePasswordForm email={account.email} name={account.name} /> : <AddPasswordForm email={account.email} name={account.name} />}
      </div>
      <div className="rounded-xl border border-red-200 bg-white p-5 shadow-sm sm:p-6 dark:border-red-900 dark:bg-slate-900">
        <DeleteAccount hasPassword={account.hasPassword} />
      </div>
    </AppShell>
  );
}
