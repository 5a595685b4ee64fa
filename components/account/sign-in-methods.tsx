"use client";

import { useState } from "react";
import { api, leaveForSignIn, sessionSync } from "@/lib/client/browser";
import { Button } from "../ui/button";
import { ConfirmDialog } from "../ui/dialog";
import { LocalTime } from "../ui/local-time";
import { FormStatus, type FormMessage } from "../forms/form-status";
import { errorMessage, isSilent } from "../forms/messages";

export interface ConnectableProvider {
  id: string;
  name: string;
  /** Same-origin path that starts this provider's sign-in and comes back to the account page. */
  href: string;
}

export interface LinkedProvider {
  provider: string;
  name: string;
  email: string | null;
  linkedAt: string;
}

/**
 * Every way into this account, and the means to change them (docs/decisions/031-account-linking-rules.md,
 * 036-linked-identities-are-visible-and-removable.md). A provider connected from a borrowed
 * session would otherwise be a way in nobody sees, so each one is listed, with when it was
 * connected, and can be removed. The server asks for a recent sign-in first, keeps at least one
 * way in, and signs every other device out.
 *
 * Connecting: being signed in is the proof that this account is yours, but only a recent sign-in
 * counts, and the provider sends the browser back with a cross-site redirect that carries the
 * access cookie (Lax) but not the refresh cookie (Strict). So the button first renews the
 * session, which gives the round trip a fresh access token, and only then leaves for the provider.
 */
export function SignInMethods({
  hasPassword,
  linked: initiallyLinked,
  providers,
  outcome,
}: {
  hasPassword: boolean;
  linked: readonly LinkedProvider[];
  providers: readonly ConnectableProvider[];
  outcome: FormMessage | null;
}) {
  const [linked, setLinked] = useState(initiallyLinked);
  const [starting, setStarting] = useState<string | null>(null);
  const [removing, setRemoving] = useState<LinkedProvider | null>(null);
  const [pending, setPending] = useState(false);
  const [message, setMessage] = useState<FormMessage | null>(outcome);
  const connectable = providers.filter((provider) => !linked.some((entry) => entry.provider === provider.id));

  async function connect(provider: ConnectableProvider) {
    setStarting(provider.id);
    setMessage(null);
    const sync = sessionSync();
    const result = await sync.refresh(sync.generation());
    if (result === "refreshed") {
      window.location.assign(provider.href);
      return;
    }
    setStarting(null);
    if (result === "signed-out") leaveForSignIn("session-ended");
    else setMessage({ tone: "error", title: "Could not reach the server", detail: "Try again in a moment." });
  }

  async function remove(entry: LinkedProvider) {
    setPending(true);
    setMessage(null);
    try {
      await api.delete(`/api/auth/oauth/accounts/${encodeURIComponent(entry.provider)}`);
      setLinked((current) => current.filter((item) => item.provider !== entry.provider));
      setMessage({
        tone: "success",
        title: `${entry.name} removed.`,
        detail: "It can no longer sign in to this account, and your other devices were signed out.",
      });
    } catch (error) {
      if (!isSilent(error)) setMessage(errorMessage(error, `Could not remove ${entry.name}`));
    } finally {
      setPending(false);
      setRemoving(null);
    }
  }

  return (
    <section aria-labelledby="sign-in-methods-heading" className="space-y-4">
      <div className="space-y-1">
        <h2 id="sign-in-methods-heading" className="text-base font-semibold">
          Sign-in methods
        </h2>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Every way into this account. Remove any you do not recognise. A provider&apos;s verified email address may differ from this account&apos;s.
        </p>
      </div>
      <FormStatus message={message} />
      <ul aria-label="Sign-in methods" className="divide-y divide-slate-200 rounded-lg border border-slate-200 dark:divide-slate-800 dark:border-slate-800">
        <li className="flex items-center justify-between gap-4 px-4 py-3 text-sm">
          <span className="font-medium">Password</span>
          <span className="text-slate-600 dark:text-slate-400">{hasPassword ? "Set" : "Not set"}</span>
        </li>
        {linked.map((entry) => (
          <li key={entry.provider} className="flex flex-wrap items-center justify-between gap-4 px-4 py-3 text-sm">
            <span className="min-w-0">
              <span className="font-medium">{entry.name}</span>
              {entry.email === null ? null : <span className="block break-all text-slate-600 dark:text-slate-400">{entry.email}</span>}
              <span className="block text-slate-600 dark:text-slate-400">
                Connected <LocalTime iso={entry.linkedAt} />
              </span>
            </span>
            {/* The accessible name carries the provider so each row's button is distinct to a screen reader. */}
            <Button tone="secondary" aria-label={`Remove ${entry.name}`} disabled={pending} onClick={() => setRemoving(entry)}>
              Remove
            </Button>
          </li>
        ))}
      </ul>
      {connectable.length > 0 ? (
        <ul className="flex flex-wrap gap-2">
          {connectable.map((provider) => (
            <li key={provider.id}>
              <Button tone="secondary" pending={starting === provider.id} disabled={starting !== null} onClick={() => void connect(provider)}>
                Connect {provider.name}
              </Button>
            </li>
          ))}
        </ul>
      ) : null}
      <ConfirmDialog
        open={removing !== null}
        title={`Remove ${removing?.name ?? "this provider"}?`}
        description="It will no longer sign in to this account, and every other device will be signed out. This needs a sign-in in the last 10 minutes."
        confirmLabel="Remove"
        tone="danger"
        pending={pending}
        onConfirm={() => removing !== null && void remove(removing)}
        onCancel={() => setRemoving(null)}
      />
    </section>
  );
}
