import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthCard } from "@/components/auth/auth-card";
import { SecondFactorForm } from "@/components/auth/second-factor-form";
import { currentUser } from "@/lib/auth/page-guards";
import { METHODS_PARAM, readMethods } from "@/lib/client/second-factor";
import { readSignInReason } from "@/lib/client/sign-in-reasons";
import { single, type SearchParams } from "@/lib/client/search-params";
import { safeRedirect } from "@/lib/shared/safe-redirect";

export const metadata: Metadata = { title: "Two-step verification" };

/**
 * The second step of a sign-in (ADR 047), reached from the password form's 202 or from a
 * provider's callback. Public like /signin: nobody is signed in yet, and the pending sign-in
 * rides in an HttpOnly cookie only the API reads. A signed-in visitor is sent on as /signin
 * sends one, unless they are proving themselves again (`reason=reauth-required`).
 */
export default async function SecondFactorPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  // Validated on the server, before it reaches the form or any link: see safe-redirect.ts.
  const next = safeRedirect(single(params, "next"));
  const reason = readSignInReason(single(params, "reason"));
  if (reason !== "reauth-required" && (await currentUser()) !== null) redirect(next);
  // The login's list of methods, when the password form brought it: which control comes first.
  const methods = readMethods(single(params, METHODS_PARAM));
  const lead =
    methods?.[0] === "passkey"
      ? "Your account asks for a second proof that it is you. Use your passkey to finish signing in."
      : "Your account asks for a second proof that it is you. Enter a code to finish signing in.";
  return (
    <AuthCard title="Two-step verification" lead={lead}>
      <SecondFactorForm next={next} methods={methods} />
    </AuthCard>
  );
}
