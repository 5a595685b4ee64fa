import type { Metadata } from "next";
import { TwoFactorSettings } from "@/components/account/two-factor-settings";
import { AppShell } from "@/components/layout/app-shell";
import { Alert } from "@/components/ui/alert";
import { PageHeader } from "@/components/ui/page-header";
import { card } from "@/components/ui/styles";
import { requireAccount } from "@/lib/auth/page-guards";
import { single, type SearchParams } from "@/lib/client/search-params";

export const metadata: Metadata = { title: "Security" };

/** Where the second factors live (ADR 046, ADR 047); the password and sign-in methods stay on /account. */
const SECURITY_PATH = "/account/security";

export default async function SecurityPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const account = await requireAccount(SECURITY_PATH);
  // Sent here by an admin page while the operator requires administrators to have a second factor.
  const adminNeedsFactor = single(await searchParams, "reason") === "admin-second-factor";
  return (
    <AppShell account={account} section="security">
      <PageHeader title="Security" lead="How you prove it is you when you sign in." />
      {adminNeedsFactor ? (
        <Alert tone="warning" title="Set up a second factor to use the admin tools" className="mb-4">
          This deployment requires administrators to confirm each sign-in with a second factor. Set one up below, then open the admin area again.
        </Alert>
      ) : null}
      <div className={`${card} p-5 sm:p-6`}>
        <TwoFactorSettings account={account.email} />
      </div>
    </AppShell>
  );
}
