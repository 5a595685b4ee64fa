"use client";

import { useState, type FormEvent } from "react";
import { api } from "@/lib/client/browser";
import { isApiError } from "@/lib/client/problem";
import { MailAcceptedSchema } from "@/lib/client/resources";
import { ChangeEmailSchema } from "@/lib/users/schemas";
import { Field } from "../ui/field";
import { SubmitButton } from "../ui/submit-button";
import { FormStatus, type FormMessage } from "../forms/form-status";
import { errorMessage, isProblem, isSilent } from "../forms/messages";
import { rateLimitMessage } from "../forms/rate-limit-message";
import { errorsFor, validate, type FieldErrors } from "../forms/validation";
import { ReauthLink } from "./reauth-link";

/**
 * Ask to move the account to another address (lib/users/email-change.ts). Nothing changes until
 * the new address confirms, and the server answers alike whether or not another account has it,
 * so the form only ever says where the link went. It needs a sign-in from the last 10 minutes;
 * when the server refuses for that reason, the form offers the sign-in.
 */
export function ChangeEmailForm() {
  const [email, setEmail] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<FormMessage | null>(null);
  const [reauth, setReauth] = useState(false);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const checked = validate(ChangeEmailSchema, { email });
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
      const accepted = await api.post("/api/auth/email", checked.data, MailAcceptedSchema);
      setEmail("");
      setMessage({
        tone: "success",
        title: `Check ${accepted.email}: the change takes effect when you open the link we sent there. Your current address will be told.`,
      });
    } catch (error) {
      if (isSilent(error)) return;
      if (isApiError(error) && error.problem.errors !== undefined) setErrors(error.problem.errors);
      setReauth(isProblem(error, "reauth-required"));
      setMessage(isApiError(error) && error.status === 429 ? rateLimitMessage(error, "link") : errorMessage(error, "Could not change the address"));
    } finally {
      setPending(false);
    }
  }

  return (
    <form method="post" noValidate onSubmit={(event) => void submit(event)} className="space-y-5">
      <Field
        label="New email address"
        name="email"
        type="email"
        autoComplete="email"
        inputMode="email"
        required
        value={email}
        errors={errorsFor(errors, "email")}
        onChange={(event) => setEmail(event.target.value)}
      />
      <FormStatus message={message} />
      {reauth ? <ReauthLink next="/account" /> : null}
      <SubmitButton pending={pending}>Change email address</SubmitButton>
    </form>
  );
}
