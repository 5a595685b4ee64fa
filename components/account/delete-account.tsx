"use client";

import { useState } from "react";
import { announceSignOut, api, leaveForSignIn } from "@/lib/client/browser";
import { isApiError } from "@/lib/client/problem";
import { Button } from "../ui/button";
import { ConfirmDialog } from "../ui/dialog";
import { Field } from "../ui/field";
import { FormStatus, type FormMessage } from "../forms/form-status";
import { errorMessage, isSilent } from "../forms/messages";

/**
 * Delete the account (`DELETE /api/me`). An account with a password must confirm with it, so an
 * unattended session cannot destroy the account; one that signs in only through an identity
 * provider has no password to give, and the server asks it for a recent sign-in instead. Its notes
 * and sessions go with it, and every tab signs out.
 */
export function DeleteAccount({ hasPassword }: { hasPassword: boolean }) {
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<string[]>([]);
  const [message, setMessage] = useState<FormMessage | null>(null);
  const [pending, setPending] = useState(false);

  function close() {
    setOpen(false);
    setPassword("");
    setErrors([]);
    setMessage(null);
  }

  async function confirm() {
    if (hasPassword && password === "") {
      setErrors(["Enter your password to confirm."]);
      return;
    }
    setErrors([]);
    setMessage(null);
    setPending(true);
    try {
      await api.delete("/api/me", hasPassword ? { password } : {});
      announceSignOut("account-deleted");
      leaveForSignIn("account-deleted", { returnHere: false });
    } catch (error) {
      setPending(false);
      if (isSilent(error)) return;
      setPassword("");
      // A wrong password is a field error (400). Anything else, such as "sign in again first" for
      // an account without a password, is shown as the server words it.
      if (isApiError(error) && error.problem.errors !== undefined) setErrors(error.problem.errors.password ?? []);
      setMessage(errorMessage(error, "Could not delete the account"));
    }
  }

  return (
    <section aria-labelledby="delete-heading" className="space-y-4">
      <div className="space-y-1">
        <h2 id="delete-heading" className="text-base font-semibold text-red-700 dark:text-red-300">
          Delete account
        </h2>
        <p className="text-sm text-slate-600 dark:text-slate-400">Deletes your account, your notes and every session. This cannot be undone.</p>
      </div>
      <Button tone="danger" onClick={() => setOpen(true)}>
        Delete account…
      </Button>
      <ConfirmDialog
        open={open}
        title="Delete your account?"
        description="Your notes and sessions are deleted with it, and every device is signed out. This cannot be undone."
        confirmLabel="Delete my account"
        tone="danger"
        pending={pending}
        onConfirm={() => void confirm()}
        onCancel={close}
      >
        {hasPassword ? (
          <Field
            label="Password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            errors={errors}
            onChange={(event) => setPassword(event.target.value)}
          />
        ) : null}
        <FormStatus message={message} />
      </ConfirmDialog>
    </section>
  );
}
