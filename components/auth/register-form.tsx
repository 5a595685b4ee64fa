"use client";

import Link from "next/link";
import { useState, type FormEvent } from "react";
import { RegisterSchema } from "@/lib/auth/schemas";
import { api } from "@/lib/client/browser";
import { isApiError } from "@/lib/client/problem";
import { MailAcceptedSchema } from "@/lib/client/resources";
import { ButtonLink } from "../ui/button";
import { ResultPanel } from "../ui/result-panel";
import { SubmitButton } from "../ui/submit-button";
import { Field } from "../ui/field";
import { FormStatus, type FormMessage } from "../forms/form-status";
import { errorMessage } from "../forms/messages";
import { rateLimitMessage } from "../forms/rate-limit-message";
import { errorsFor, validate, type FieldErrors } from "../forms/validation";
import { PasswordStrength } from "./password-strength";

type Values = { email: string; name: string; password: string };

const EMPTY: Values = { email: "", name: "", password: "" };

/**
 * Sign-up. The server answers the same 202 for a new address and a taken one, and signs no one
 * in (lib/users/registration.ts), so the form says only where the message went: whether an
 * account was made, or the address already had one, is for the owner of the inbox to learn.
 */
export function RegisterForm() {
  const [values, setValues] = useState<Values>(EMPTY);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<FormMessage | null>(null);
  const [pending, setPending] = useState(false);
  // Inline validation starts after the first submit, then follows every keystroke: no red text
  // while someone is still typing their address for the first time.
  const [submitted, setSubmitted] = useState(false);
  // Where the server says it sent the message: its normalised form of the address.
  const [sentTo, setSentTo] = useState<string | null>(null);

  function update(field: keyof Values, value: string) {
    const nextValues = { ...values, [field]: value };
    setValues(nextValues);
    if (submitted) {
      const checked = validate(RegisterSchema, nextValues);
      setErrors(checked.ok ? {} : checked.errors);
    }
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubmitted(true);
    const checked = validate(RegisterSchema, values);
    if (!checked.ok) {
      setErrors(checked.errors);
      setMessage({ tone: "error", title: "Check the highlighted fields." });
      return;
    }
    setErrors({});
    setMessage(null);
    setPending(true);
    try {
      const accepted = await api.post("/api/auth/register", checked.data, MailAcceptedSchema);
      // The password leaves this page's memory with the form.
      setValues(EMPTY);
      setSentTo(accepted.email);
    } catch (error) {
      if (isApiError(error) && error.problem.errors !== undefined) {
        // The server's word on a field: the common-password list lives only there.
        setErrors(error.problem.errors);
        setMessage({ tone: "error", title: error.problem.detail ?? "Check the highlighted fields." });
      } else if (isApiError(error) && error.status === 429) {
        setMessage(rateLimitMessage(error, "sign-up"));
      } else {
        setMessage(errorMessage(error, "Could not create the account"));
      }
    }
    setPending(false);
  }

  if (sentTo !== null) {
    return (
      <ResultPanel
        tone="info"
        title="Check your inbox"
        actions={
          <ButtonLink href="/signin" className="w-full">
            Go to sign in
          </ButtonLink>
        }
      >
        <p>We sent a message to {sentTo}. Open the link in it to confirm your address, then sign in.</p>
      </ResultPanel>
    );
  }

  return (
    <form method="post" noValidate onSubmit={(event) => void submit(event)} className="space-y-5">
      <FormStatus message={message} />
      <Field
        label="Email address"
        name="email"
        type="email"
        autoComplete="email"
        inputMode="email"
        required
        value={values.email}
        errors={errorsFor(errors, "email")}
        onChange={(event) => update("email", event.target.value)}
      />
      <Field
        label="Name"
        name="name"
        autoComplete="name"
        required
        value={values.name}
        errors={errorsFor(errors, "name")}
        onChange={(event) => update("name", event.target.value)}
      />
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        required
        revealable
        value={values.password}
        errors={errorsFor(errors, "password")}
        hint={<PasswordStrength password={values.password} context={{ email: values.email, name: values.name }} />}
        onChange={(event) => update("password", event.target.value)}
      />
      <SubmitButton pending={pending} className="w-full">
        Create account
      </SubmitButton>
      <p className="text-center text-sm text-slate-600 dark:text-slate-400">
        Have an account?{" "}
        <Link href="/signin" className="font-medium text-indigo-700 underline-offset-4 hover:underline dark:text-indigo-300">
          Sign in
        </Link>
      </p>
    </form>
  );
}
