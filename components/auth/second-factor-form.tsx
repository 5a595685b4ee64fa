"use client";

import Link from "next/link";
import { useState, type FormEvent } from "react";
import { api } from "@/lib/client/browser";
import { formatCountdown } from "@/lib/client/format";
import { isApiError } from "@/lib/client/problem";
import { AuthResponseSchema } from "@/lib/client/resources";
import { CODE_MESSAGES, secondFactorBody, type CodeMethod } from "@/lib/client/second-factor";
import { signInHref } from "@/lib/client/sign-in-reasons";
import { SubmitButton } from "../ui/submit-button";
import { FormStatus, type FormMessage } from "../forms/form-status";
import { errorMessage, isProblem } from "../forms/messages";
import { rateLimitMessage } from "../forms/rate-limit-message";
import { useCountdown } from "../forms/use-countdown";
import { CodeField, CodeMethodSwitch } from "./code-field";

/**
 * The second step of a sign-in (ADR 047): the password (or a provider) was right, and the
 * browser holds a pending sign-in in an HttpOnly cookie this code never sees. A right code turns
 * it into a session; a wrong one leaves it for another try, within the account's limit of five
 * wrong codes a quarter of an hour; an expired one means starting over from the password.
 */
export function SecondFactorForm({ next }: { next: string }) {
  const [method, setMethod] = useState<CodeMethod>("totp");
  const [value, setValue] = useState("");
  const [errors, setErrors] = useState<string[]>([]);
  const [message, setMessage] = useState<FormMessage | null>(null);
  const [pending, setPending] = useState(false);
  const [lockedUntil, setLockedUntil] = useState<number | null>(null);
  const secondsLeft = useCountdown(lockedUntil);
  const locked = lockedUntil !== null && secondsLeft > 0;

  function switchMethod(to: CodeMethod) {
    setMethod(to);
    setValue("");
    setErrors([]);
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const checked = secondFactorBody(method, value);
    if (!checked.ok) {
      setErrors([checked.message]);
      setMessage(null);
      return;
    }
    setErrors([]);
    setMessage(null);
    setPending(true);
    try {
      await api.post("/api/auth/login/second-factor", checked.body, AuthResponseSchema);
      // As after a one-step sign-in: a full navigation, rendered by the server with the new cookie.
      window.location.assign(next);
      return;
    } catch (error) {
      setValue("");
      if (isProblem(error, "second-factor-expired")) {
        // Nothing to retry here: the pending sign-in is gone, so the password is asked again.
        window.location.assign(signInHref("second-factor-expired", next));
        return;
      }
      if (isProblem(error, "second-factor-invalid")) {
        // Announced once, by the live message; the field is marked and says what to do next.
        setErrors([CODE_MESSAGES.retry[method]]);
        setMessage({ tone: "error", title: CODE_MESSAGES.wrong });
      } else if (isApiError(error) && error.status === 429) {
        setLockedUntil(Date.now() + (error.retryAfterSeconds ?? 60) * 1000);
        setMessage(rateLimitMessage(error, "sign-in"));
      } else if (isApiError(error) && error.status === 400 && error.problem.errors !== undefined) {
        setErrors(Object.values(error.problem.errors).flat());
      } else {
        setMessage(errorMessage(error, "Could not finish signing in"));
      }
    }
    setPending(false);
  }

  return (
    <form method="post" noValidate onSubmit={(event) => void submit(event)} className="space-y-5">
      <FormStatus message={message} />
      <CodeField method={method} value={value} onChange={setValue} errors={errors} autoFocus disabled={locked} />
      <CodeMethodSwitch method={method} onSwitch={switchMethod} disabled={pending} />
      <SubmitButton pending={pending} disabled={locked} className="w-full">
        Verify
      </SubmitButton>
      <p className="min-h-5 text-center text-sm text-slate-600 tabular-nums dark:text-slate-400">
        {locked ? (
          <>
            Try again in{" "}
            <span role="timer" data-testid="retry-countdown">
              {formatCountdown(secondsLeft)}
            </span>
          </>
        ) : (
          <Link href={signInHref(undefined, next)} className="font-medium text-indigo-700 underline-offset-4 hover:underline dark:text-indigo-300">
            Start over
          </Link>
        )}
      </p>
    </form>
  );
}
