"use client";

import Link from "next/link";
import { useState, type FormEvent } from "react";
import { api } from "@/lib/client/browser";
import { isApiError } from "@/lib/client/problem";
import { MailAcceptedSchema } from "@/lib/client/resources";
import { ForgotPasswordSchema } from "@/lib/users/schemas";
import { ButtonLink } from "../ui/button";
import { Field } from "../ui/field";
import { ResultPanel } from "../ui/result-panel";
import { SubmitButton } from "../ui/submit-button";
import { FormStatus, type FormMessage } from "../forms/form-status";
import { errorMessage } from "../forms/messages";
import { rateLimitMessage } from "../forms/rate-limit-message";
import { errorsFor, validate, type FieldErrors } from "../forms/validation";

/**
 * Ask for a reset link. The server answers 202 for every address, known or not
 * (lib/users/password-reset.ts), so the answer here is conditional for every address too: the
 * page must not become the account oracle the endpoint refuses to be.
 */
export function ForgotPasswordForm() {
  const [email, setEmail] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<FormMessage | null>(null);
  const [pending, setPending] = useState(false);
  const [sentTo, setSentTo] = useState<string | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const checked = validate(ForgotPasswordSchema, { email });
    if (!checked.ok) {
      setErrors(checked.errors);
      setMessage(null);
      return;
    }
    setErrors({});
    setMessage(null);
    setPending(true);
    try {
      const accepted = await api.post("/api/auth/password/forgot", checked.data, MailAcceptedSchema);
      setSentTo(accepted.email);
    } catch (error) {
      if (isApiError(error) && error.status === 429) setMessage(rateLimitMessage(error, "link"));
      else if (isApiError(error) && error.problem.errors !== undefined) {
        setErrors(error.problem.errors);
        setMessage(null);
      } else setMessage(errorMessage(error, "Could not send the link"));
    }
    setPending(false);
  }

  if (sentTo !== null) {
    return (
      <ResultPanel
        tone="info"
        title="Check your inbox"
        actions={
          <ButtonLink href="/signin" tone="secondary" className="w-full">
            Back to sign in
          </ButtonLink>
        }
      >
        <p>If an account uses {sentTo}, a link to reset its password is on its way. It works for 30 minutes.</p>
      </ResultPanel>
    );
  }

  return (
    <form method="post" noValidate onSubmit={(event) => void submit(event)} className="space-y-5">
      <FormStatus message={message} />
      <Field
        label="Email"
        name="email"
        type="email"
        autoComplete="username"
        inputMode="email"
        required
        value={email}
        errors={errorsFor(errors, "email")}
        onChange={(event) => setEmail(event.target.value)}
      />
      <SubmitButton pending={pending} className="w-full">
        Send reset link
      </SubmitButton>
      <p className="text-center text-sm text-slate-600 dark:text-slate-400">
        Remembered it?{" "}
        <Link href="/signin" className="font-medium text-indigo-700 underline-offset-4 hover:underline dark:text-indigo-300">
          Sign in
        </Link>
      </p>
    </form>
  );
}
