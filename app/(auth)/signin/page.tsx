import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthCard } from "@/components/auth/auth-card";
import { OAuthProviders, type OAuthProvider } from "@/components/auth/oauth-providers";
import { SignInForm } from "@/components/auth/sign-in-form";
import { currentUser } from "@/lib/auth/page-guards";
import { safeRedirect } from "@/lib/client/safe-redirect";
import { SIGN_IN_MESSAGES, readSignInReason } from "@/lib/client/sign-in-reasons";
import { single, type SearchParams } from "@/lib/client/search-params";

export const metadata: Metadata = { title: "Sign in" };

/**
 * The identity providers to offer. Empty until the OAuth work lists the configured ones here
 * (each provider needs its AUTH_* variables); with none, the slot renders nothing.
 */
const PROVIDERS: readonly OAuthProvider[] = [];

export default async function SignInPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  // Validated on the server, before it reaches the form or any link: see safe-redirect.ts.
  const next = safeRedirect(single(params, "next"));
  if ((await currentUser()) !== null) redirect(next);
  const reason = readSignInReason(single(params, "reason"));

  return (
    <AuthCard title="Sign in to Palisade" lead="Welcome back.">
      <OAuthProviders providers={PROVIDERS} />
      <SignInForm next={next} notice={reason === null ? null : SIGN_IN_MESSAGES[reason]} />
    </AuthCard>
  );
}
