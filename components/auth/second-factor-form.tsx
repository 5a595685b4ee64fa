"use client";

import Link from "next/link";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { api } from "@/lib/client/browser";
import { formatCountdown } from "@/lib/client/format";
import { isApiError } from "@/lib/client/problem";
import { PASSKEY_OPTIONS_PATHS, provePasskey } from "@/lib/client/passkeys";
import { AuthResponseSchema } from "@/lib/client/resources";
import { CODE_MESSAGES, isCodeMethod, secondFactorBody, type SecondFactorMethod } from "@/lib/client/second-factor";
import { signInHref } from "@/lib/client/sign-in-reasons";
import { SubmitButton, useHydrated } from "../ui/submit-button";
import { FormStatus, type FormMessage } from "../forms/form-status";
import { errorMessage, isProblem } from "../forms/messages";
import { rateLimitMessage } from "../forms/rate-limit-message";
import { useCountdown } from "../forms/use-countdown";
import { CodeField, SecondFactorMethodSwitch } from "./code-field";
import { passkeyCeremonyMessage } from "./passkey-messages";

/** Without the login's word (a provider's sign-in), everything is offered and the server sorts it out. */
const UNKNOWN_METHODS: readonly SecondFactorMethod[] = ["totp", "recovery-code", "passkey"];

/**
 * The second step of a sign-in (ADR 047): the password (or a provider) was right, and the
 * browser holds a pending sign-in in an HttpOnly cookie this code never sees. A right code turns
 * it into a session; a wrong one leaves it for another try, within the account's limit of five
 * wrong codes a quarter of an hour; an expired one means starting over from the password.
 */
export function SecondFactorForm({ next, methods: named }: { next: string; methods: readonly SecondFactorMethod[] | null }) {
  const methods = named ?? UNKNOWN_METHODS;
  const [method, setMethod] = useState<SecondFactorMethod>(methods[0] ?? "totp");
  const [value, setValue] = useState("");
  const [errors, setErrors] = useState<string[]>([]);
  const [message, setMessage] = useState<FormMessage | null>(null);
  const [pending, setPending] = useState(false);
  const [lockedUntil, setLockedUntil] = useState<number | null>(null);
  const secondsLeft = useCountdown(lockedUntil);
  const locked = lockedUntil !== null && secondsLeft > 0;
  const hydrated = useHydrated();
  const passkeyButton = useRef<HTMLButtonElement>(null);

  // The button is the one thing this step asks for, so it takes focus as the field would. Not
  // with autoFocus: it is disabled until the page hydrates (and while a ceremony runs), and a
  // disabled button cannot hold focus, so it takes it whenever it can again.
  useEffect(() => {
    if (method === "passkey" && hydrated && !pending) passkeyButton.current?.focus();
  }, [method, hydrated, pending]);

  function switchMethod(to: SecondFactorMethod) {
    setMethod(to);
    setValue("");
    setErrors([]);
    setMessage(null);
  }

  /** The answers both ways share: an expired pending sign-in, a rate limit, anything unexpected. */
  function refused(error: unknown): void {
    if (isProblem(error, "second-factor-expired")) {
      // Nothing to retry here: the pending sign-in is gone, so the password is asked again.
      window.location.assign(signInHref("second-factor-expired", next));
      return;
    }
    if (isApiError(error) && error.status === 429) {
      setLockedUntil(Date.now() + (error.retryAfterSeconds ?? 60) * 1000);
      setMessage(rateLimitMessage(error, "sign-in"));
      return;
    }
    setMessage(errorMessage(error, "Could not finish signing in"));
  }

  async function proveWithPasskey() {
    setMessage(null);
    setPending(true);
    try {
      const passkey = await provePasskey(api, PASSKEY_OPTIONS_PATHS.secondFactor);
      await api.post("/api/auth/login/second-factor", { passkey }, AuthResponseSchema);
      window.location.assign(next);
      return;
    } catch (error) {
      const ceremony = passkeyCeremonyMessage(error, "use");
      if (ceremony !== null) setMessage(ceremony);
      else if (isProblem(error, "second-factor-invalid")) {
        setMessage({ tone: "error", title: "That passkey was not accepted", detail: "Try again, or use another of your passkeys or a code." });
      } else if (isProblem(error, "conflict")) {
        // Only reachable without the login's list (a provider's sign-in): the account has none.
        switchMethod(methods.find(isCodeMethod) ?? "totp");
        setMessage({ tone: "info", title: "Your account has no passkey yet", detail: "Use a code instead." });
      } else refused(error);
    }
    setPending(false);
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (method === "passkey") {
      await proveWithPasskey();
      return;
    }
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
      if (isProblem(error, "second-factor-invalid")) {
        // Announced once, by the live message; the field is marked and says what to do next.
        setErrors([CODE_MESSAGES.retry[method]]);
        setMessage({ tone: "error", title: CODE_MESSAGES.wrong });
      } else if (isApiError(error) && error.status === 400 && error.problem.errors !== undefined) {
        setErrors(Object.values(error.problem.errors).flat());
      } else {
        refused(error);
      }
    }
    setPending(false);
  }

  return (
    <form method="post" noValidate onSubmit={(event) => void submit(event)} className="space-y-5">
      <FormStatus message={message} />
      {method === "passkey" ? (
        <>
          <p className="text-sm text-slate-600 dark:text-slate-400">Your browser will ask you to confirm with your fingerprint, face, PIN or security key.</p>
          {/* The form's submit, so Enter works too. */}
          <SubmitButton ref={passkeyButton} pending={pending} disabled={locked} className="w-full">
            Use a passkey
          </SubmitButton>
        </>
      ) : (
        <CodeField method={method} value={value} onChange={setValue} errors={errors} autoFocus disabled={locked} />
      )}
      <SecondFactorMethodSwitch method={method} methods={methods} onSwitch={switchMethod} disabled={pending} />
      {method === "passkey" ? null : (
        <SubmitButton pending={pending} disabled={locked} className="w-full">
          Verify
        </SubmitButton>
      )}
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
