import type { Metadata } from "next";
import { AuthCard } from "@/components/auth/auth-card";
import { ResetPasswordForm } from "@/components/auth/reset-password-form";

export const metadata: Metadata = { title: "Choose a new password", referrer: "no-referrer" };

/**
 * Opened from a mailed link, signed in or not: the token in its fragment is the authority
 * (lib/client/fragment-token.ts), so the page reads no session and redirects no one.
 */
export default function ResetPasswordPage() {
  return (
    <AuthCard title="Choose a new password" lead="Every device signed in to your account is signed out when it changes.">
      <ResetPasswordForm />
    </AuthCard>
  );
}
