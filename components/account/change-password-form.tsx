"use client";

import { useState, type FormEvent } from "react";
import { ChangePasswordSchema } from "@/lib/auth/schemas";
import { api } from "@/lib/client/browser";
import { isApiError } from "@/lib/client/problem";
import { SubmitButton } from "../ui/submit-button";
import { Field } from "../ui/field";
import { NewPasswordField } from "./new-password-field";
import { FormStatus, type FormMessage } from "../forms/form-status";
import { errorMessage, isSilent } from "../forms/messages";
import { errorsFor, validate, type FieldErrors } from "../forms/validation";

/**
 * Change the password. The current one is required, so a session left open on a shared computer
 * cannot be turned into a takeover; the server then ends every other session of the account.
 */
export function ChangePasswordForm({ email, name }: { email: string; name: string }) {
  const [currentPassword, setCurrentPassword] = useState("");
  const [newPassword, setNewPassword] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<FormMessage | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const checked = validate(ChangePasswordSchema, { currentPassword, newPassword });
    if (!checked.ok) {
      setErrors({ ...checked.errors, ...(currentPassword === "" ? { currentPassword: ["Enter your current password."] } : {}) });
      setMessage(null);
      return;
    }
    setErrors({});
    setMessage(null);
    setPending(true);
    try {
      await api.post("/api/auth/password", checked.data);
      setCurrentPassword("");
      setNewPassword("");
      setMessage({ tone: "success", title: "Password changed.", detail: "Every other session has been signed out; this one stays signed in." });
    } catch (error) {
      if (isSilent(error)) return;
      if (isApiError(error) && error.problem.errors !== undefined) setErrors(error.problem.errors);
      setMessage(errorMessage(error, "Could not change the password"));
    } finally {
      setPending(false);
    }
  }

  return (
    <form method="post" noValidate onSubmit={(event) => void submit(event)} className="space-y-5" aria-labelledby="password-heading">
      <div className="space-y-1">
        <h2 id="password-heading" className="text-base font-semibold">
          Change password
        </h2>
        <p className="text-sm text-slate-600 dark:text-slate-400">Your other devices are signed out when it changes.</p>
      </div>
      <input type="email" name="username" autoComplete="username" value={email} readOnly hidden />
      <Field
        label="Current password"
        name="currentPassword"
        type="password"
        autoComplete="current-password"
        required
        revealable
        value={currentPassword}
        errors={errorsFor(errors, "currentPassword")}
        onChange={(event) => setCurrentPassword(event.target.value)}
      />
      <NewPasswordField value={newPassword} errors={errorsFor(errors, "newPassword")} context={{ email, name }} onChange={setNewPassword} />
      <FormStatus message={message} />
      <SubmitButton pending={pending}>Change password</SubmitButton>
    </form>
  );
}
