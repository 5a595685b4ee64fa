"use client";

import { useEffect, useRef, useState } from "react";
import { api, currentPath, stepUpCoordinator } from "@/lib/client/browser";
import { formatCountdown } from "@/lib/client/format";
import { isApiError } from "@/lib/client/problem";
import { PASSKEY_OPTIONS_PATHS, provePasskey } from "@/lib/client/passkeys";
import { StepUpResultSchema } from "@/lib/client/resources";
import { CODE_MESSAGES, isCodeMethod, secondFactorBody, type SecondFactorMethod } from "@/lib/client/second-factor";
import { signInHref } from "@/lib/client/sign-in-reasons";
import type { StepUpChallenge } from "@/lib/client/step-up";
import { STEP_UP_PATH } from "@/lib/client/api";
import { ConfirmDialog } from "../ui/dialog";
import { Field } from "../ui/field";
import { FormStatus, type FormMessage } from "../forms/form-status";
import { errorMessage, isProblem } from "../forms/messages";
import { rateLimitMessage } from "../forms/rate-limit-message";
import { useCountdown } from "../forms/use-countdown";
import { CodeField, SecondFactorMethodSwitch } from "./code-field";
import { passkeyCeremonyMessage } from "./passkey-messages";

/** The methods this dialog can take, in the order it offers them: the phishing-resistant one first. */
type DialogMethod = SecondFactorMethod | "password";
const DIALOG_METHODS: readonly DialogMethod[] = ["passkey", "totp", "recovery-code", "password"];

interface OpenRequest {
  methods: DialogMethod[];
  resolve: (confirmed: boolean) => void;
}

/**
 * What the dialog offers: the second factors when the account has one (a password would not be
 * a second proof), else the password, else nothing, which means signing in again.
 */
function usableMethods(challenge: StepUpChallenge): DialogMethod[] {
  const offered = DIALOG_METHODS.filter((method) => challenge.methods.includes(method));
  const factors = offered.filter((method) => method !== "password");
  return factors.length > 0 ? factors : offered;
}

/**
 * The step-up dialog (ADR 047): the API client met `401 insufficient_user_authentication` on a
 * sensitive action and asks, through lib/client/step-up.ts, whether the person can prove it is
 * still them. The page stays as it is, with whatever was typed into it, and the action is
 * retried once when this resolves true.
 *
 * It asks for what the server named: a code from the authenticator app (or a recovery code), or
 * the password for an account without a second factor. When the server named nothing it can
 * take here (an account that signs in only through a provider), the way on is a new sign-in, as
 * for a refused address change (components/account/reauth-link.tsx), and back to this page.
 *
 * Mounted once, by the signed-in shell. A modal `<dialog>`: focus moves into it (to the field),
 * stays there, and goes back to the control that started the action when it closes.
 */
export function StepUpDialog() {
  const [request, setRequest] = useState<OpenRequest | null>(null);
  const [method, setMethod] = useState<DialogMethod>("totp");
  const [value, setValue] = useState("");
  const [errors, setErrors] = useState<string[]>([]);
  const [message, setMessage] = useState<FormMessage | null>(null);
  const [pending, setPending] = useState(false);
  const [lockedUntil, setLockedUntil] = useState<number | null>(null);
  const secondsLeft = useCountdown(lockedUntil);
  const locked = lockedUntil !== null && secondsLeft > 0;
  // The request being answered, for the unmount cleanup: a page left mid-dialog counts as "no".
  const open = useRef<OpenRequest | null>(null);

  useEffect(() => {
    const detach = stepUpCoordinator.attach(
      (challenge) =>
        new Promise<boolean>((resolve) => {
          const methods = usableMethods(challenge);
          const next: OpenRequest = { methods, resolve };
          open.current = next;
          setMethod(methods[0] ?? "totp");
          setValue("");
          setErrors([]);
          setMessage(null);
          setPending(false);
          setRequest(next);
        }),
    );
    return () => {
      detach();
      open.current?.resolve(false);
      open.current = null;
    };
  }, []);

  function finish(confirmed: boolean) {
    request?.resolve(confirmed);
    open.current = null;
    setRequest(null);
    setValue("");
    setPending(false);
  }

  function switchMethod(to: DialogMethod) {
    setMethod(to);
    setValue("");
    setErrors([]);
    setMessage(null);
  }

  /** A passkey ceremony over a challenge bound to this session, then the assertion as the proof. */
  async function confirmWithPasskey(methods: readonly DialogMethod[]) {
    setErrors([]);
    setMessage(null);
    setPending(true);
    try {
      const passkey = await provePasskey(api, PASSKEY_OPTIONS_PATHS.stepUp);
      await api.post(STEP_UP_PATH, { passkey }, StepUpResultSchema);
      finish(true);
    } catch (error) {
      setPending(false);
      if (isApiError(error) && error.sessionEnded) {
        finish(false);
        return;
      }
      const ceremony = passkeyCeremonyMessage(error, "use");
      if (ceremony !== null) setMessage(ceremony);
      else if (isProblem(error, "second-factor-invalid")) {
        setMessage({ tone: "error", title: "That passkey was not accepted", detail: "Try again, or use another of your passkeys or a code." });
      } else if (isProblem(error, "conflict")) {
        // The last passkey went meanwhile (another tab): a code is what is left.
        switchMethod(methods.find((method) => isCodeMethod(method)) ?? "recovery-code");
        setMessage({ tone: "info", title: "Your account has no passkey any more", detail: "Use a code instead." });
      } else if (isApiError(error) && error.status === 429) {
        setLockedUntil(Date.now() + (error.retryAfterSeconds ?? 60) * 1000);
        setMessage(rateLimitMessage(error, "sign-in"));
      } else {
        setMessage(errorMessage(error, "Could not confirm it is you"));
      }
    }
  }

  async function confirm() {
    if (request === null) return;
    if (request.methods.length === 0) {
      // A full navigation: the sign-in page renders for this session, and comes back here after.
      window.location.assign(signInHref("reauth-required", currentPath()));
      return;
    }
    if (method === "passkey") {
      await confirmWithPasskey(request.methods);
      return;
    }
    let body: Record<string, string>;
    if (method === "password") {
      if (value === "") {
        setErrors(["Enter your password."]);
        return;
      }
      body = { password: value };
    } else {
      const checked = secondFactorBody(method, value);
      if (!checked.ok) {
        setErrors([checked.message]);
        return;
      }
      body = checked.body;
    }
    setErrors([]);
    setMessage(null);
    setPending(true);
    try {
      await api.post(STEP_UP_PATH, body, StepUpResultSchema);
      finish(true);
    } catch (error) {
      setPending(false);
      setValue("");
      if (isApiError(error) && error.sessionEnded) {
        finish(false);
        return;
      }
      if (isProblem(error, "second-factor-invalid") || (isApiError(error) && error.status === 401)) {
        // Announced once, by the live message; the field is marked and says what to do next.
        setErrors([method === "password" ? "Check it and try again." : CODE_MESSAGES.retry[method]]);
        setMessage({ tone: "error", title: method === "password" ? "That password is not correct" : CODE_MESSAGES.wrong });
      } else if (isApiError(error) && error.status === 429) {
        setLockedUntil(Date.now() + (error.retryAfterSeconds ?? 60) * 1000);
        setMessage(rateLimitMessage(error, "sign-in"));
      } else if (isApiError(error) && error.status === 400 && error.problem.errors !== undefined) {
        setErrors(Object.values(error.problem.errors).flat());
        setMessage(errorMessage(error, "Could not confirm it is you"));
      } else {
        setMessage(errorMessage(error, "Could not confirm it is you"));
      }
    }
  }

  const methods = request?.methods ?? [];
  const reauth = request !== null && methods.length === 0;
  const factorMethods = methods.filter((m): m is SecondFactorMethod => m !== "password");

  return (
    <ConfirmDialog
      open={request !== null}
      title="Confirm it is you"
      description={
        reauth
          ? "This change needs a recent sign-in. Sign in again, and you will come back to this page to finish it."
          : method === "password"
            ? "This change needs a fresh proof that it is you. Enter your password to go on."
            : method === "passkey"
              ? "This change needs a fresh proof that it is you. Use your passkey to go on: your browser will ask you to confirm."
              : "This change needs a fresh proof that it is you. Enter a code to go on."
      }
      confirmLabel={reauth ? "Sign in again" : method === "passkey" ? "Use a passkey" : "Confirm"}
      pending={pending}
      confirmDisabled={locked}
      confirmAutoFocus={request !== null && !reauth && method === "passkey"}
      onConfirm={() => void confirm()}
      onCancel={() => finish(false)}
    >
      <FormStatus message={message} />
      {/* Fields exist only while asked for: a hidden field must not take focus as the page loads. */}
      {request === null || reauth || method === "passkey" ? null : method === "password" ? (
        <Field
          key="password"
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          revealable
          autoFocus
          value={value}
          errors={errors}
          onChange={(event) => setValue(event.target.value)}
        />
      ) : (
        <CodeField method={method} value={value} onChange={setValue} errors={errors} autoFocus disabled={locked} />
      )}
      {method !== "password" ? <SecondFactorMethodSwitch method={method} methods={factorMethods} onSwitch={switchMethod} disabled={pending} /> : null}
      {locked ? (
        <p className="text-sm text-slate-600 tabular-nums dark:text-slate-400">
          Try again in{" "}
          <span role="timer" data-testid="step-up-retry-countdown">
            {formatCountdown(secondsLeft)}
          </span>
        </p>
      ) : null}
    </ConfirmDialog>
  );
}
