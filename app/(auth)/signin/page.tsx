import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthCard } from "@/components/auth/auth-card";
import { ConfirmLinkForm } from "@/components/auth/confirm-link-form";
import { oauthOutcomeMessage } from "@/components/auth/oauth-outcome";
import { OAuthProviders } from "@/components/auth/oauth-providers";
import { SignInForm } from "@/components/auth/sign-in-form";
import { configuredProviders } from "@/lib/auth/oauth/configured";
import { OAUTH_MESSAGES, OAUTH_OUTCOME_PARAM, providerSignInPath, readOAuthOutcome } from "@/lib/auth/oauth/sign-in-page";
import { currentUser } from "@/lib/auth/page-guards";
import { safeRedirect } from "@/lib/shared/safe-redirect";
import { SIGN_IN_MESSAGES, readSignInReason, secondFactorHref, signInHref } from "@/lib/client/sign-in-reasons";
import { single, type SearchParams } from "@/lib/client/search-params";
import type { FormMessage } from "@/components/forms/form-status";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  // Validated on the server, before it reaches the form or any link: see safe-redirect.ts.
  const next = safeRedirect(single(params, "next"));
  const reason = readSignInReason(single(params, "reason"));
  // Someone signed in is sent on, unless a change asked them to prove it is still them.
  if (reason !== "reauth-required" && (await currentUser()) !== null) redirect(next);
  // Only a known code is read, and only its fixed message is shown (content spoofing).
  const outcome = readOAuthOutcome(single(params, OAUTH_OUTCOME_PARAM));
  const providers = configuredProviders().map((provider) => ({ ...provider, href: providerSignInPath(provider.id, next) }));

  let notice: FormMessage | null = reason === null ? null : { tone: "info", title: SIGN_IN_MESSAGES[reason] };
  if (outcome !== null && outcome !== "link-required") notice = oauthOutcomeMessage(outcome);

  if (outcome === "link-required") {
    // One task on the page: confirming the link, with a way out to the plain sign-in.
    return (
      <AuthCard title="Sign in to Palisade" lead="One more step.">
        <ConfirmLinkForm next={next} intro={OAUTH_MESSAGES["link-required"]} signInPath={signInHref(undefined, next)} />
      </AuthCard>
    );
  }
  return (
    <AuthCard title="Sign in to Palisade" lead="Welcome back.">
      <OAuthProviders providers={providers} />
      <SignInForm next={next} notice={notice} secondStep={secondFactorHref(next, reason ?? undefined)} />
    </AuthCard>
  );
}
