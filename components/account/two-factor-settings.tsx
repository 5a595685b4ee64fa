"use client";

import { useEffect, useRef, useState } from "react";
import { api } from "@/lib/client/browser";
import { MfaStatusSchema, RecoveryCodesSchema, TotpEnrolmentSchema, type MfaStatus, type TotpEnrolment } from "@/lib/client/resources";
import { LoadError } from "../forms/load-error";
import { FormStatus, type FormMessage } from "../forms/form-status";
import { errorMessage, isProblem, isSilent } from "../forms/messages";
import { useRemote } from "../hooks/use-remote";
import { Badge } from "../ui/badge";
import { Button } from "../ui/button";
import { ConfirmDialog } from "../ui/dialog";
import { LocalTime } from "../ui/local-time";
import { Skeleton } from "../ui/skeleton";
import { PasskeySettings } from "./passkey-settings";
import { RecoveryCodesPanel } from "./recovery-codes-panel";
import { TotpEnrolmentForm } from "./totp-enrolment";

/** Few enough left that running out is a real risk: the person is told to make new ones. */
const LOW_RECOVERY_CODES = 3;

type View = { kind: "status" } | { kind: "enrolling"; enrolment: TotpEnrolment } | { kind: "codes"; codes: string[]; replaced: boolean };

type Confirming = "regenerate" | "turn-off" | null;

/**
 * Two-step verification on the security page (ADR 046, ADR 047): whether it is on, adding an
 * authenticator app, the recovery codes left and a new set, and turning it off. Every change
 * may first ask the person to prove it is them (the step-up dialog, run by the API client),
 * so a session left open cannot turn the second factor off or read out new codes.
 */
export function TwoFactorSettings({ account }: { account: string }) {
  const { state, reload } = useRemote("mfa", (signal) => api.get("/api/auth/mfa", MfaStatusSchema, { signal }));
  const [view, setView] = useState<View>({ kind: "status" });
  const [message, setMessage] = useState<FormMessage | null>(null);
  const [busy, setBusy] = useState<"start" | "regenerate" | "turn-off" | null>(null);
  const [confirming, setConfirming] = useState<Confirming>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  // Set when the control that had focus is about to disappear (the factor was turned off).
  const focusHeading = useRef(false);

  // After every commit, and after the children's effects: the closing dialog has handed focus
  // back to its (now removed) opener by then, so the heading takes it last and keeps it.
  useEffect(() => {
    if (!focusHeading.current) return;
    focusHeading.current = false;
    heading.current?.focus();
  });

  async function startEnrolment() {
    setBusy("start");
    setMessage(null);
    try {
      const enrolment = await api.post("/api/auth/mfa/totp", undefined, TotpEnrolmentSchema);
      setView({ kind: "enrolling", enrolment });
    } catch (error) {
      if (isSilent(error)) return;
      // Another tab finished an enrolment meanwhile: show what is true now.
      if (isProblem(error, "already-enrolled")) reload();
      setMessage(errorMessage(error, "Could not start the setup"));
    } finally {
      setBusy(null);
    }
  }

  async function regenerate() {
    setBusy("regenerate");
    setMessage(null);
    try {
      const { recoveryCodes } = await api.post("/api/auth/mfa/recovery-codes", undefined, RecoveryCodesSchema);
      setConfirming(null);
      setView({ kind: "codes", codes: recoveryCodes, replaced: true });
    } catch (error) {
      setConfirming(null);
      if (!isSilent(error)) setMessage(errorMessage(error, "Could not generate new codes"));
    } finally {
      setBusy(null);
    }
  }

  async function turnOff() {
    setBusy("turn-off");
    setMessage(null);
    try {
      await api.delete("/api/auth/mfa/totp");
      setConfirming(null);
      focusHeading.current = true;
      setMessage({
        tone: "success",
        title: "Your authenticator app was removed.",
        detail:
          status !== null && status.passkeys.length > 0
            ? "It no longer works for this account. Your passkeys and recovery codes still do."
            : "Neither it nor your recovery codes work for this account any more.",
      });
      reload();
    } catch (error) {
      setConfirming(null);
      if (!isSilent(error)) setMessage(errorMessage(error, "Could not turn off two-step verification"));
    } finally {
      setBusy(null);
    }
  }

  function finishCodes(replaced: boolean) {
    setView({ kind: "status" });
    setMessage(
      replaced
        ? { tone: "success", title: "New recovery codes saved.", detail: "Only the codes you just saved work now." }
        : { tone: "success", title: "Two-step verification is on.", detail: "You will be asked for a code from your app each time you sign in." },
    );
    reload();
  }

  const status: MfaStatus | null = state.status === "ready" ? state.data : state.status === "loading" ? state.previous : null;
  // Passkeys are a second factor too (ADR 047): with one, the sign-in already has two steps.
  const hasPasskeys = status !== null && status.passkeys.length > 0;
  const twoStepOn = status !== null && (status.totp.enabled || hasPasskeys);

  return (
    <div className="space-y-8">
      <section aria-labelledby="two-factor-heading" className="space-y-4">
        <div className="flex flex-wrap items-center justify-between gap-3">
          <div className="space-y-1">
            <h2 id="two-factor-heading" ref={heading} tabIndex={-1} className="text-base font-semibold outline-none">
              Two-step verification
            </h2>
            <p className="text-sm text-slate-600 dark:text-slate-400">
              A passkey or a code from your phone after your password, so a stolen password alone cannot open your account.
            </p>
          </div>
          {status === null ? null : (
            <Badge tone={twoStepOn ? "success" : "neutral"}>
              <span data-testid="two-factor-state">{twoStepOn ? "On" : "Off"}</span>
            </Badge>
          )}
        </div>

        {/* Before the content, on purpose: a closing dialog hands focus back to the button that
          opened it, and effects run in tree order, so the panel that replaces that button takes
          focus after the dialog has let go of it, not before. */}
        <ConfirmDialog
          open={confirming === "regenerate"}
          title="Generate new recovery codes?"
          description="Your current recovery codes stop working at once, including any you have printed or saved. You will see the new ones once."
          confirmLabel="Generate new codes"
          pending={busy === "regenerate"}
          onConfirm={() => void regenerate()}
          onCancel={() => setConfirming(null)}
        />
        <ConfirmDialog
          open={confirming === "turn-off"}
          title="Turn off two-step verification?"
          description={
            hasPasskeys
              ? "Your authenticator app stops working for this account. Your passkeys and recovery codes still do."
              : "Your password alone will sign you in again, and your authenticator app and recovery codes stop working for this account."
          }
          confirmLabel="Turn off"
          tone="danger"
          pending={busy === "turn-off"}
          onConfirm={() => void turnOff()}
          onCancel={() => setConfirming(null)}
        />
        <FormStatus message={message} />

        {view.kind === "enrolling" ? (
          <TotpEnrolmentForm
            enrolment={view.enrolment}
            onEnabled={(codes) => {
              setMessage(null);
              setView({ kind: "codes", codes, replaced: false });
            }}
            onCancel={() => setView({ kind: "status" })}
          />
        ) : view.kind === "codes" ? (
          <RecoveryCodesPanel codes={view.codes} account={account} replaced={view.replaced} onDone={() => finishCodes(view.replaced)} />
        ) : state.status === "error" ? (
          <LoadError what="your two-step verification settings" error={state.error} onRetry={reload} />
        ) : status === null ? (
          <div className="space-y-2" aria-hidden="true">
            <Skeleton className="h-5 w-56" />
            <Skeleton className="h-9 w-52" />
          </div>
        ) : twoStepOn ? (
          <div className="space-y-4" aria-busy={state.status === "loading"}>
            <ul
              aria-label="Second factors"
              className="divide-y divide-slate-200 rounded-lg border border-slate-200 dark:divide-slate-800 dark:border-slate-800"
            >
              <li className="flex flex-wrap items-center justify-between gap-4 px-4 py-3 text-sm">
                <span className="min-w-0">
                  <span className="font-medium">Authenticator app</span>
                  {status.totp.enabled ? (
                    status.totp.confirmedAt === null ? null : (
                      <span className="block text-slate-600 dark:text-slate-400">
                        Added <LocalTime iso={status.totp.confirmedAt} />
                      </span>
                    )
                  ) : (
                    <span className="block text-slate-600 dark:text-slate-400">Not set up: your passkeys are your second step.</span>
                  )}
                </span>
                {status.totp.enabled ? (
                  <Button tone="secondary" size="sm" onClick={() => setConfirming("turn-off")} disabled={busy !== null}>
                    Turn off
                  </Button>
                ) : (
                  <Button tone="secondary" size="sm" onClick={() => void startEnrolment()} pending={busy === "start"} disabled={busy !== null}>
                    Set up an authenticator app
                  </Button>
                )}
              </li>
              <li className="flex flex-wrap items-center justify-between gap-4 px-4 py-3 text-sm">
                <span className="min-w-0">
                  <span className="font-medium">Recovery codes</span>
                  <span className="block text-slate-600 dark:text-slate-400" data-testid="recovery-codes-remaining">
                    {status.recoveryCodes.remaining === 1 ? "1 code left" : `${status.recoveryCodes.remaining} codes left`}
                  </span>
                </span>
                <Button tone="secondary" size="sm" onClick={() => setConfirming("regenerate")} disabled={busy !== null}>
                  Generate new codes
                </Button>
              </li>
            </ul>
            {status.recoveryCodes.remaining <= LOW_RECOVERY_CODES ? (
              <p className="text-sm text-amber-800 dark:text-amber-200">
                {status.recoveryCodes.remaining === 0 ? "You have no recovery codes left." : "You are running out of recovery codes."} Generate new ones so you
                can still sign in if you lose your phone.
              </p>
            ) : null}
          </div>
        ) : (
          <div className="space-y-3">
            <p className="text-sm">Two-step verification is off. You sign in with your password alone.</p>
            <Button onClick={() => void startEnrolment()} pending={busy === "start"}>
              Set up an authenticator app
            </Button>
          </div>
        )}
      </section>
      {status === null ? null : (
        <div className="border-t border-slate-200 pt-6 dark:border-slate-800">
          <PasskeySettings
            passkeys={status.passkeys}
            loading={state.status === "loading"}
            totpEnabled={status.totp.enabled}
            account={account}
            onChanged={reload}
          />
        </div>
      )}
    </div>
  );
}
