"use client";

import { browserSupportsWebAuthn } from "@simplewebauthn/browser";
import { useEffect, useRef, useState, useSyncExternalStore, type FormEvent } from "react";
import { PasskeyNameSchema } from "@/lib/auth/mfa/passkey-public";
import { api } from "@/lib/client/browser";
import { isApiError } from "@/lib/client/problem";
import { createPasskey, passkeyStorage, suggestedPasskeyName } from "@/lib/client/passkeys";
import { PasskeyRegisteredSchema, PasskeySchema, type Passkey } from "@/lib/client/resources";
import { passkeyCeremonyMessage } from "../auth/passkey-messages";
import { FormStatus, type FormMessage } from "../forms/form-status";
import { errorMessage, isProblem, isSilent } from "../forms/messages";
import { Badge } from "../ui/badge";
import { Button } from "../ui/button";
import { ConfirmDialog } from "../ui/dialog";
import { Field } from "../ui/field";
import { LocalTime } from "../ui/local-time";
import { SubmitButton } from "../ui/submit-button";
import { RecoveryCodesPanel } from "./recovery-codes-panel";

type View = { kind: "list" } | { kind: "adding" } | { kind: "codes"; codes: string[]; name: string };

type Confirming = { kind: "rename"; passkey: Passkey } | { kind: "remove"; passkey: Passkey } | null;

const neverChanges = () => () => {};

/**
 * Passkeys on the security page (ADR 047, decisions 11 and 13): the list, adding one, renaming
 * and removing. Adding and removing are a new or a lost way in, so the server asks for a fresh
 * proof first; the API client answers that with the step-up dialog and retries, so nothing here
 * handles it beyond a cancelled dialog's refusal. The ceremony itself is the browser's: this
 * page only hands it the server's options and sends back its answer with the name.
 *
 * The first passkey of an account with no other second factor comes with recovery codes. They
 * are shown here, once, as the authenticator app's are, before the list comes back.
 */
export function PasskeySettings({
  passkeys,
  loading,
  totpEnabled,
  account,
  onChanged,
}: {
  passkeys: readonly Passkey[];
  loading: boolean;
  totpEnabled: boolean;
  account: string;
  onChanged: () => void;
}) {
  const [view, setView] = useState<View>({ kind: "list" });
  const [name, setName] = useState("");
  const [nameErrors, setNameErrors] = useState<string[]>([]);
  const [message, setMessage] = useState<FormMessage | null>(null);
  const [busy, setBusy] = useState<"add" | "rename" | "remove" | null>(null);
  const [confirming, setConfirming] = useState<Confirming>(null);
  const [newName, setNewName] = useState("");
  const [renameErrors, setRenameErrors] = useState<string[]>([]);
  // Rendered as supported on the server and in the first pass, so hydration matches; the browser then says.
  const supported = useSyncExternalStore(neverChanges, browserSupportsWebAuthn, () => true);
  const heading = useRef<HTMLHeadingElement>(null);
  const focusHeading = useRef(false);

  // As on the two-step section: after a dialog has handed focus back to a control that is gone.
  useEffect(() => {
    if (!focusHeading.current) return;
    focusHeading.current = false;
    heading.current?.focus();
  });

  function startAdding() {
    setMessage(null);
    setNameErrors([]);
    setName(suggestedPasskeyName(navigator.userAgent));
    setView({ kind: "adding" });
  }

  async function add(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const checked = PasskeyNameSchema.safeParse(name);
    if (!checked.success) {
      setNameErrors(checked.error.issues.map((issue) => issue.message));
      return;
    }
    setNameErrors([]);
    setMessage(null);
    setBusy("add");
    try {
      const response = await createPasskey(api);
      const added = await api.post("/api/auth/passkeys/registration", { response, name: checked.data }, PasskeyRegisteredSchema);
      onChanged();
      if (added.recoveryCodes !== undefined) {
        setView({ kind: "codes", codes: added.recoveryCodes, name: added.name });
      } else {
        setView({ kind: "list" });
        focusHeading.current = true;
        setMessage({
          tone: "success",
          title: `Passkey “${added.name}” added.`,
          detail: "You were signed out everywhere else, as after any change to how you sign in.",
        });
      }
    } catch (error) {
      if (isSilent(error)) return;
      const ceremony = passkeyCeremonyMessage(error, "create");
      if (ceremony !== null) setMessage(ceremony);
      else if (isApiError(error) && error.status === 400 && error.problem.errors?.name !== undefined) setNameErrors(error.problem.errors.name);
      else if (isProblem(error, "conflict")) setMessage({ tone: "info", title: "The passkey was not created.", detail: "This passkey is already registered." });
      else setMessage(errorMessage(error, "Could not add the passkey"));
    } finally {
      setBusy(null);
    }
  }

  function openRename(passkey: Passkey) {
    setMessage(null);
    setNewName(passkey.name);
    setRenameErrors([]);
    setConfirming({ kind: "rename", passkey });
  }

  async function rename(passkey: Passkey) {
    const checked = PasskeyNameSchema.safeParse(newName);
    if (!checked.success) {
      setRenameErrors(checked.error.issues.map((issue) => issue.message));
      return;
    }
    setRenameErrors([]);
    setBusy("rename");
    try {
      const renamed = await api.patch(`/api/auth/passkeys/${encodeURIComponent(passkey.id)}`, { name: checked.data }, PasskeySchema);
      setConfirming(null);
      setMessage({ tone: "success", title: `Renamed to “${renamed.name}”.` });
      onChanged();
    } catch (error) {
      if (isSilent(error)) return;
      if (isApiError(error) && error.status === 400 && error.problem.errors?.name !== undefined) {
        setRenameErrors(error.problem.errors.name);
        return;
      }
      setConfirming(null);
      // Removed in another tab meanwhile: show what is true now.
      if (isApiError(error) && error.status === 404) onChanged();
      setMessage(errorMessage(error, "Could not rename the passkey"));
    } finally {
      setBusy(null);
    }
  }

  async function remove(passkey: Passkey) {
    setBusy("remove");
    setMessage(null);
    try {
      await api.delete(`/api/auth/passkeys/${encodeURIComponent(passkey.id)}`);
      setConfirming(null);
      focusHeading.current = true;
      setMessage({
        tone: "success",
        title: `Passkey “${passkey.name}” removed.`,
        detail: "It no longer signs you in, and you were signed out everywhere else.",
      });
      onChanged();
    } catch (error) {
      setConfirming(null);
      if (isSilent(error)) return;
      if (isApiError(error) && error.status === 404) onChanged();
      setMessage(errorMessage(error, "Could not remove the passkey"));
    } finally {
      setBusy(null);
    }
  }

  const lastFactor = !totpEnabled && passkeys.length === 1;
  const removing = confirming?.kind === "remove" ? confirming.passkey : null;
  const renaming = confirming?.kind === "rename" ? confirming.passkey : null;

  return (
    <section aria-labelledby="passkeys-heading" className="space-y-4">
      <div className="space-y-1">
        <h2 id="passkeys-heading" ref={heading} tabIndex={-1} className="text-base font-semibold outline-none">
          Passkeys
        </h2>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Sign in with your fingerprint, face or device PIN instead of a code. A passkey only works on this site, so a fake page cannot trick it out of you.
        </p>
      </div>

      {/* Before the content: see the note in ./two-factor-settings.tsx on dialogs and focus. */}
      <ConfirmDialog
        open={renaming !== null}
        title="Rename passkey"
        confirmLabel="Save"
        pending={busy === "rename"}
        onConfirm={() => {
          if (renaming !== null) void rename(renaming);
        }}
        onCancel={() => setConfirming(null)}
      >
        {renaming === null ? null : (
          <Field
            label="Name"
            name="passkeyName"
            autoComplete="off"
            maxLength={64}
            required
            autoFocus
            value={newName}
            errors={renameErrors}
            onChange={(event) => setNewName(event.target.value)}
          />
        )}
      </ConfirmDialog>
      <ConfirmDialog
        open={removing !== null}
        title="Remove this passkey?"
        description={
          removing === null ? undefined : (
            <>
              <p>“{removing.name}” will no longer sign you in, and you will be signed out everywhere else.</p>
              {lastFactor ? (
                <p className="mt-2">It is your only second factor: your recovery codes stop working too, and your password alone will sign you in.</p>
              ) : null}
            </>
          )
        }
        confirmLabel="Remove"
        tone="danger"
        pending={busy === "remove"}
        onConfirm={() => {
          if (removing !== null) void remove(removing);
        }}
        onCancel={() => setConfirming(null)}
      />
      <FormStatus message={message} />

      {view.kind === "codes" ? (
        <RecoveryCodesPanel
          codes={view.codes}
          account={account}
          replaced={false}
          lostWhat="the devices that hold your passkeys"
          usedInstead="a passkey"
          onDone={() => {
            setView({ kind: "list" });
            focusHeading.current = true;
            setMessage({
              tone: "success",
              title: `Passkey “${view.name}” added.`,
              detail: "You will be asked for it each time you sign in with your password.",
            });
          }}
        />
      ) : (
        <>
          {passkeys.length === 0 ? (
            loading ? null : (
              <p className="text-sm">You have no passkeys yet.</p>
            )
          ) : (
            <ul
              aria-label="Your passkeys"
              aria-busy={loading}
              className="divide-y divide-slate-200 rounded-lg border border-slate-200 dark:divide-slate-800 dark:border-slate-800"
            >
              {passkeys.map((passkey) => {
                const storage = passkeyStorage(passkey.deviceType);
                return (
                  <li key={passkey.id} data-testid="passkey" className="flex flex-wrap items-center justify-between gap-4 px-4 py-3 text-sm">
                    <span className="min-w-0 space-y-0.5">
                      <span className="flex flex-wrap items-center gap-2">
                        <span className="font-medium break-words">{passkey.name}</span>
                        <Badge tone={passkey.deviceType === "multiDevice" ? "accent" : "neutral"}>{storage.label}</Badge>
                      </span>
                      <span className="block text-slate-600 dark:text-slate-400">
                        Added <LocalTime iso={passkey.createdAt} />
                        {" · "}
                        {passkey.lastUsedAt === null ? (
                          "Not used yet"
                        ) : (
                          <>
                            Last used <LocalTime iso={passkey.lastUsedAt} relative />
                          </>
                        )}
                      </span>
                      <span className="block text-slate-600 dark:text-slate-400">{storage.detail}</span>
                    </span>
                    <span className="flex gap-2">
                      <Button tone="secondary" size="sm" onClick={() => openRename(passkey)} disabled={busy !== null || view.kind === "adding"}>
                        Rename<span className="sr-only"> {passkey.name}</span>
                      </Button>
                      <Button
                        tone="secondary"
                        size="sm"
                        onClick={() => setConfirming({ kind: "remove", passkey })}
                        disabled={busy !== null || view.kind === "adding"}
                      >
                        Remove<span className="sr-only"> {passkey.name}</span>
                      </Button>
                    </span>
                  </li>
                );
              })}
            </ul>
          )}

          {!supported ? (
            <p className="text-sm text-amber-800 dark:text-amber-200">This browser cannot make passkeys. Open this page in a current browser to add one.</p>
          ) : view.kind === "adding" ? (
            <form method="post" noValidate onSubmit={(event) => void add(event)} aria-label="Add a passkey" className="max-w-sm space-y-4">
              <Field
                label="Passkey name"
                name="passkeyName"
                hint="So you can tell your passkeys apart later: the device or password manager that keeps it."
                autoComplete="off"
                maxLength={64}
                required
                autoFocus
                value={name}
                errors={nameErrors}
                onChange={(event) => setName(event.target.value)}
              />
              <p className="text-sm text-slate-600 dark:text-slate-400">
                Your browser will then ask you to confirm with your fingerprint, face, PIN or security key.
              </p>
              <div className="flex flex-wrap gap-2">
                <SubmitButton pending={busy === "add"}>Create passkey</SubmitButton>
                <Button
                  tone="secondary"
                  onClick={() => {
                    focusHeading.current = true;
                    setView({ kind: "list" });
                  }}
                  disabled={busy === "add"}
                >
                  Cancel
                </Button>
              </div>
            </form>
          ) : (
            <Button onClick={startAdding} disabled={busy !== null || loading}>
              Add a passkey
            </Button>
          )}
        </>
      )}
    </section>
  );
}
