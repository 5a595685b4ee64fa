"use client";

import { useState, type FormEvent } from "react";
import { api } from "@/lib/client/browser";
import { isApiError } from "@/lib/client/problem";
import { EmailResultSchema } from "@/lib/client/resources";
import { ResetPasswordSchema } from "@/lib/users/schemas";
import { ButtonLink } from "../ui/button";
import { ResultPanel } from "../ui/result-panel";
import { SubmitButton } from "../ui/submit-button";
import { NewPasswordField } from "../account/new-password-field";
import { useFragmentToken } from "../hooks/use-fragment-token";
import { FormStatus, type FormMessage } from "../forms/form-status";
import { errorMessage, isProblem } from "../forms/messages";
import { rateLimitMessage } from "../forms/rate-limit-message";
import { errorsFor, validate, type FieldErrors } from "../forms/validation";
import { LinkUnusable, ReadingLink } from "./mailed-link-states";

// The page does not know whose link it is until the reset succeeds; the server checks the
// password against the account's own email and name.
const NO_CONTEXT = { email: "", name: "" };

function AskForNewLink() {
  return <ButtonLink href="/forgot-password">Ask for a new link</ButtonLink>;
}

/**
 * Choose a new password with a reset link (lib/users/password-reset.ts). The token travels only
 * with the new password, when the person submits it. A password the rules refuse does not cost
 * the link: the server checks it before spending the token, so the form stays for another try.
 */
export function ResetPasswordForm() {
  const token = useFragmentToken();
  const [newPassword, setNewPassword] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<FormMessage | null>(null);
  const [pending, setPending] = useState(false);
  const [outcome, setOutcome] = useState<"reset" | "spent" | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (typeof token !== "string") return;
    const checked = validate(ResetPasswordSchema, { token, newPassword });
    if (!checked.ok) {
      setErrors(checked.errors);
      setMessage(null);
      return;
    }
    setErrors({});
    setMessage(null);
    setPending(true);
    try {
      await api.post("/api/auth/password/reset", checked.data, EmailResultSchema);
      setNewPassword("");
      setOutcome("reset");
    } catch (error) {
      if (isProblem(error, "email-link-invalid") || (isApiError(error) && error.problem.errors?.token !== undefined)) setOutcome("spent");
      else if (isApiError(error) && error.problem.errors !== undefined) {
        // The common-password list lives only on the server.
        setErrors(error.problem.errors);
        setMessage(null);
      } else if (isApiError(error) && error.status === 429) setMessage(rateLimitMessage(error, "password-reset"));
      else setMessage(errorMessage(error, "Could not reset the password"));
    }
    setPending(false);
  }

  if (token === undefined) return <ReadingLink />;
  if (token === null || outcome === "spent") {
    return (
      <LinkUnusable reason={token === null ? "incomplete" : "spent"} actions={<AskForNewLink />}>
        <p>A reset link works once, for 30 minutes.</p>
      </LinkUnusable>
    );
  }
  if (outcome === "reset") {
    return (
      <ResultPanel tone="success" title="Your password was reset" actions={<ButtonLink href="/signin">Sign in</ButtonLink>}>
        <p>Every device was signed out. Sign in with your new password.</p>
      </ResultPanel>
    );
  }
  return (
    <form method="post" noValidate onSubmit={(event) => void submit(event)} className="space-y-5">
      <FormStatus message={message} />
      <NewPasswordField value={newPassword} errors={errorsFor(errors, "newPassword")} context={NO_CONTEXT} onChange={setNewPassword} />
      <SubmitButton pending={pending} className="w-full">
        Reset password
      </SubmitButton>
    </form>
  );
}
