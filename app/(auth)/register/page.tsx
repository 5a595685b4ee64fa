import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthCard } from "@/components/auth/auth-card";
import { RegisterForm } from "@/components/auth/register-form";
import { currentUser } from "@/lib/auth/page-guards";
import { DEFAULT_AFTER_SIGN_IN } from "@/lib/shared/safe-redirect";
import { PASSWORD_MIN_LENGTH } from "@/lib/auth/password-policy";

export const metadata: Metadata = { title: "Create an account" };

export default async function RegisterPage() {
  if ((await currentUser()) !== null) redirect(DEFAULT_AFTER_SIGN_IN);
  return (
    <AuthCard
      title="Create your account"
      lead={`Pick a password of ${PASSWORD_MIN_LENGTH} characters or more; a few unrelated words are easier to remember than symbols.`}
    >
      <RegisterForm />
    </AuthCard>
  );
}
