"use client";

import { useState, type FormEvent } from "react";
import { api } from "@/lib/client/browser";
import { isApiError } from "@/lib/client/problem";
import { RecoveryCodesSchema, type TotpEnrolment } from "@/lib/client/resources";
import { CODE_MESSAGES, compactKey, keyGroups, secondFactorBody } from "@/lib/client/second-factor";
import { QrCode } from "../auth/qr-code";
import { CodeField } from "../auth/code-field";
import { Button } from "../ui/button";
import { CopyButton } from "../ui/copy-button";
import { SubmitButton } from "../ui/submit-button";
import { FormStatus, type FormMessage } from "../forms/form-status";
import { errorMessage, isProblem, isSilent } from "../forms/messages";
import { rateLimitMessage } from "../forms/rate-limit-message";

/**
 * Adding an authenticator app (ADR 046): the secret arrives once, as a key URI for the QR code
 * and as the same key to type in, and nothing is turned on until a code from the app proves it
 * holds the secret (`POST /api/auth/mfa/totp/confirm`). That code also answers with the first
 * recovery codes, which the caller shows once.
 */
export function TotpEnrolmentForm({
  enrolment,
  onEnabled,
  onCancel,
}: {
  enrolment: TotpEnrolment;
  onEnabled: (codes: string[]) => void;
  onCancel: () => void;
}) {
  const [code, setCode] = useState("");
  const [errors, setErrors] = useState<string[]>([]);
  const [message, setMessage] = useState<FormMessage | null>(null);
  const [pending, setPending] = useState(false);
  const groups = keyGroups(enrolment.manualKey);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const checked = secondFactorBody("totp", code);
    if (!checked.ok) {
      setErrors([checked.message]);
      return;
    }
    setErrors([]);
    setMessage(null);
    setPending(true);
    try {
      const { recoveryCodes } = await api.post("/api/auth/mfa/totp/confirm", checked.body, RecoveryCodesSchema);
      onEnabled(recoveryCodes);
      return;
    } catch (error) {
      setPending(false);
      if (isSilent(error)) return;
      setCode("");
      if (isProblem(error, "second-factor-invalid")) {
        setErrors([CODE_MESSAGES.retry.totp]);
        setMessage({
          tone: "error",
          title: CODE_MESSAGES.wrong,
          detail: "If the newest code is refused too, check that your phone's clock is set automatically.",
        });
      } else if (isApiError(error) && error.status === 429) {
        setMessage(rateLimitMessage(error, "sign-in"));
      } else {
        if (isApiError(error) && error.problem.errors !== undefined) setErrors(Object.values(error.problem.errors).flat());
        setMessage(errorMessage(error, "Could not turn on two-step verification"));
      }
    }
  }

  return (
    <div className="space-y-6">
      <ol className="space-y-6">
        <li className="space-y-3">
          <h3 className="text-sm font-semibold">1. Scan this code with your authenticator app</h3>
          <div className="flex flex-col gap-5 sm:flex-row sm:items-start">
            <QrCode
              value={enrolment.keyUri}
              label="QR code for adding Palisade to an authenticator app. If you cannot scan it, type the setup key shown next to it."
              className="size-56 shrink-0 rounded-md border border-slate-200 dark:border-slate-700"
            />
            <div className="min-w-0 space-y-2">
              <p className="text-sm text-slate-600 dark:text-slate-400">Cannot scan it? Choose to enter a key in the app, and type this one:</p>
              <p className="font-mono text-base leading-7 break-words">
                <span className="sr-only">Setup key: </span>
                {/* Real spaces between the groups: a screen reader reads them apart, a line wraps between them. */}
                <span data-testid="totp-manual-key" className="[word-spacing:0.4em]">
                  {groups.join(" ")}
                </span>
              </p>
              <p className="text-sm text-slate-600 dark:text-slate-400">Time-based, 6 digits, every 30 seconds: the usual settings.</p>
              <CopyButton text={compactKey(enrolment.manualKey)} label="Copy key" copiedLabel="Key copied" />
            </div>
          </div>
        </li>
        <li className="space-y-3">
          <h3 className="text-sm font-semibold">2. Enter the code the app shows</h3>
          <form method="post" noValidate onSubmit={(event) => void submit(event)} className="max-w-sm space-y-4">
            <CodeField method="totp" value={code} onChange={setCode} errors={errors} />
            <FormStatus message={message} />
            <div className="flex flex-wrap gap-2">
              <SubmitButton pending={pending}>Turn on</SubmitButton>
              <Button tone="secondary" onClick={onCancel} disabled={pending}>
                Cancel
              </Button>
            </div>
          </form>
        </li>
      </ol>
    </div>
  );
}
