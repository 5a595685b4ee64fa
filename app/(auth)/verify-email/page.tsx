import type { Metadata } from "next";
import { AuthCard } from "@/components/auth/auth-card";
import { VerifyEmailLink } from "@/components/auth/email-links";

export const metadata: Metadata = { title: "Confirm your email address", referrer: "no-referrer" };

/** Opened from a mailed link, in whichever browser the mail app chooses: signed in or not. */
export default function VerifyEmailPage() {
  return (
    <AuthCard title="Confirm your email address" lead="Confirm that this address is yours, so it can be trusted with password resets.">
      <VerifyEmailLink />
    </AuthCard>
  );
}
