import type { Metadata } from "next";
import { AuthCard } from "@/components/auth/auth-card";
import { ForgotPasswordForm } from "@/components/auth/forgot-password-form";

export const metadata: Metadata = { title: "Forgot your password", referrer: "no-referrer" };

/** Public, signed in or not: someone signed in on one device may have forgotten it on another. */
export default function ForgotPasswordPage() {
  return (
    <AuthCard title="Forgot your password" lead="Enter the address you sign in with. We will email you a link to choose a new password.">
      <ForgotPasswordForm />
    </AuthCard>
  );
}
