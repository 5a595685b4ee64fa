"use client";

import { browserSupportsWebAuthn } from "@simplewebauthn/browser";
import Link from "next/link";
import { useState, useSyncExternalStore, type FormEvent } from "react";
import { LoginSchema } from "@/lib/auth/schemas";
import { api } from "@/lib/client/browser";
import { isApiError } from "@/lib/client/problem";
import { PASSKEY_OPTIONS_PATHS, provePasskey } from "@/lib/client/passkeys";
import { AuthResponseSchema, LoginResultSchema } from "@/lib/client/resources";
import { withMethods } from "@/lib/client/second-factor";
import { formatCountdown } from "@/lib/client/format";
import { Button } from "../ui/button";
import { SubmitButton, useHydrated } from "../ui/submit-button";
import { Field } from "../ui/field";
import { FormStatus, type FormMessage } from "../forms/form-status";
import { errorMessage } from "../forms/messages";
import { rateLimitMessage } from "../forms/rate-limit-message";
import { passkeyCeremonyMessage } from "./passkey-messages";
import { useCountdown } from "../forms/use-countdown";
import { errorsFor, validate, type FieldErrors } from "../forms/validation";

/**
 * One message for every failed sign-in, whatever the reason (unknown email, wrong password,
 * disabled account), matching the server's single answer: the form must not tell an attacker
 * which addresses have accounts (OWASP ASVS 5.0 V6.3.8).
 */
const FAILED = "The email or password is not correct.";

/** Also one message for every refused passkey (ADR 047 decision 12): the server does not say why, and neither do we. */
const PASSKEY_FAILED = "That passkey did not sign you in.";

const neverChanges = () => () => {};

/**
 * `secondStep` is where an account with a second factor goes after a right password (ADR 047):
 * the page that asks for the code, carrying `next` on, built by the server like `next` itself.
 */
export function SignInForm({ next, notice, secondStep }: { next: string; notice: FormMessage | null; secondStep: string }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<FormMessage | null>(notice);
  const [pending, setPending] = useState<"password" | "passkey" | null>(null);
  // Rendered as supported on the server and while hydrating, so both renders agree; the browser then says.
  const passkeysSupported = useSyncExternalStore(neverChanges, browserSupportsWebAuthn, () => true);
  const hydrated = useHydrated();
  // When the rate limit lifts (from Retry-After); the form stays disabled until then.
  const [lockedUntil, setLockedUntil] = useState<number | null>(null);
  const secondsLeft = useCountdown(lockedUntil);
  const locked = lockedUntil !== null && secondsLeft > 0;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const checked = validate(LoginSchema, { email, password });
    if (!checked.ok) {
      setErrors(checked.errors);
      setMessage(null);
      return;
    }
    setErrors({});
    setPending("password");
    try {
      const result = await api.post("/api/auth/login", checked.data, LoginResultSchema);
      // A full navigation: the next page is rendered by the server with the new cookie. A 202
      // opened no session yet: the code is asked for on a page of its own, which a provider's
      // sign-in reaches too; the methods go along so that page offers the right one first.
      window.location.assign("secondFactor" in result ? withMethods(secondStep, result.secondFactor.methods) : next);
      return;
    } catch (error) {
      setPassword("");
      if (isApiError(error) && error.status === 401) {
        setMessage({ tone: "error", title: FAILED, detail: "Check both and try again." });
      } else if (isApiError(error) && error.status === 429) {
        setLockedUntil(Date.now() + (error.retryAfterSeconds ?? 60) * 1000);
        setMessage(rateLimitMessage(error, "sign-in"));
      } else if (isApiError(error) && error.status === 400 && error.problem.errors !== undefined) {
        setErrors(error.problem.errors);
        setMessage(null);
      } else {
        setMessage(errorMessage(error, "Could not sign in"));
      }
    }
    setPending(null);
  }

  /**
   * Passwordless (ADR 047 decision 12): the browser offers the person's passkeys for this site,
   * and a user-verified one is both factors, so a right one signs in with no second step.
   */
  async function signInWithPasskey() {
    setErrors({});
    setMessage(null);
    setPending("passkey");
    try {
      const response = await provePasskey(api, PASSKEY_OPTIONS_PATHS.passwordless);
      await api.post("/api/auth/passkeys/authentication", { response }, AuthResponseSchema);
      window.location.assign(next);
      return;
    } catch (error) {
      const ceremony = passkeyCeremonyMessage(error, "use");
      if (ceremony !== null) setMessage(ceremony);
      else if (isApiError(error) && error.status === 401) {
        setMessage({ tone: "error", title: PASSKEY_FAILED, detail: "It may have been removed from your account. Sign in with your password instead." });
      } else if (isApiError(error) && error.status === 429) {
        setLockedUntil(Date.now() + (error.retryAfterSeconds ?? 60) * 1000);
        setMessage(rateLimitMessage(error, "sign-in"));
      } else {
        setMessage(errorMessage(error, "Could not sign in"));
      }
    }
    setPending(null);
  }

  return (
    <form method="post" noValidate onSubmit={(event) => void submit(event)} className="space-y-5">
      <FormStatus message={message} />
      <Field
        label="Email address"
        name="email"
        type="email"
        autoComplete="username"
        inputMode="email"
        required
        value={email}
        errors={errorsFor(errors, "email")}
        onChange={(event) => setEmail(event.target.value)}
      />
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete="current-password"
        required
        revealable
        value={password}
        errors={errorsFor(errors, "password")}
        onChange={(event) => setPassword(event.target.value)}
      />
      <p className="-mt-3 text-right text-sm">
        <Link href="/forgot-password" className="font-medium text-indigo-700 underline-offset-4 hover:underline dark:text-indigo-300">
          Forgot your password?
        </Link>
      </p>
      <SubmitButton pending={pending === "password"} disabled={locked || pending !== null} className="w-full">
        Sign in
      </SubmitButton>
      {passkeysSupported ? (
        <Button
          tone="secondary"
          className="w-full"
          pending={pending === "passkey"}
          disabled={locked || pending !== null || !hydrated}
          onClick={() => void signInWithPasskey()}
        >
          {/* Worded like the providers' buttons; "Sign in" stays the one button that name fits. */}
          Continue with a passkey
        </Button>
      ) : null}
      <p className="min-h-5 text-center text-sm text-slate-600 tabular-nums dark:text-slate-400">
        {locked ? (
          <>
            Try again in{" "}
            <span role="timer" data-testid="retry-countdown">
              {formatCountdown(secondsLeft)}
            </span>
          </>
        ) : (
          <>
            New here?{" "}
            <Link href="/register" className="font-medium text-indigo-700 underline-offset-4 hover:underline dark:text-indigo-300">
              Create an account
            </Link>
          </>
        )}
      </p>
    </form>
  );
}
