import type { Metadata } from "next";
import { AuthCard } from "@/components/auth/auth-card";
import { ConfirmEmailChangeLink } from "@/components/auth/email-links";

export const metadata: Metadata = { title: "Confirm your new address", referrer: "no-referrer" };

/** Opened from the link mailed to the new address, in whichever browser: signed in or not. */
export default function ConfirmEmailChangePage() {
  return (
    <AuthCard title="Confirm your new address" lead="Your account's email address changes to this one when you confirm.">
      <ConfirmEmailChangeLink />
    </AuthCard>
  );
}
