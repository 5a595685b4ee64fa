"use client";

import { useState, type FormEvent } from "react";
import { AddPasswordSchema } from "@/lib/auth/schemas";
import { api } from "@/lib/client/browser";
import { isApiError } from "@/lib/client/problem";
import { SubmitButton } from "../ui/submit-button";
import { NewPasswordField } from "./new-password-field";
import { ReauthLink } from "./reauth-link";
import { FormStatus, type FormMessage } from "../forms/form-status";
import { errorMessage, isProblem, isSilent } from "../forms/messages";
import { errorsFor, validate, type FieldErrors } from "../forms/validation";

/**
 * Add a first password to an account that signs in only through a provider. There is no current
 * password to confirm with, so the server asks for a sign-in within the last few minutes instead
 * (lib/auth/oauth/add-password.ts); when it refuses for that reason, the form offers the sign-in.
 */
export function AddPasswordForm({ email, name }: { email: string; name: string }) {
  const [newPassword, setNewPassword] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<FormMessage | null>(null);
  const [reauth, setReauth] = useState(false);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const checked = validate(AddPasswordSchema, { newPassword });
    if (!checked.ok) {
      setErrors(checked.errors);
      setMessage(null);
      return;
    }
    setErrors({});
    setMessage(null);
    setReauth(false);
    setPending(true);
    try {
      await api.post("/api/auth/oauth/password", checked.data);
      // The server page now renders the change-password form instead of this one.
      window.location.reload();
      return;
    } catch (error) {
      if (isSilent(error)) return;
      if (isApiError(error) && error.problem.errors !== undefined) setErrors(error.problem.errors);
      setReauth(isProblem(error, "reauth-required"));
      setMessage(errorMessage(error, "Could not add the password"));
    }
    setPending(false);
  }

  return (
    <form method="post" noValidate onSubmit={(event) => void submit(event)} className="space-y-5" aria-labelledby="add-password-heading">
      <div className="space-y-1">
        <h2 id="add-password-heading" className="text-base font-semibold">
          Add a password
        </h2>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          You sign in through an identity provider. A password lets you sign in without it. For your security, this works only within a few minutes of signing
          in, and your other devices are signed out.
        </p>
      </div>
      <input type="email" name="username" autoComplete="username" value={email} readOnly hidden />
      <NewPasswordField value={newPassword} errors={errorsFor(errors, "newPassword")} context={{ email, name }} onChange={setNewPassword} />
      <FormStatus message={message} />
      {reauth ? <ReauthLink next="/account" /> : null}
      <SubmitButton pending={pending}>Add password</SubmitButton>
    </form>
  );
}
