"use client";

import { useState } from "react";
import { leaveForSignIn, sessionSync } from "@/lib/client/browser";
import { Button } from "../ui/button";
import { FormStatus, type FormMessage } from "../forms/form-status";

export interface ConnectableProvider {
  id: string;
  name: string;
  /** Same-origin path that starts this provider's sign-in and comes back to the account page. */
  href: string;
}

/**
 * Connect another way to sign in (docs/decisions/031-account-linking-rules.md). Being signed in is
 * the proof that this account is yours, but only a recent sign-in counts, and the provider sends
 * the browser back with a cross-site redirect that carries the access cookie (Lax) but not the
 * refresh cookie (Strict). So the button first renews the session, which gives the round trip a
 * fresh access token, and only then leaves for the provider.
 */
export function SignInMethods({ providers, outcome }: { providers: readonly ConnectableProvider[]; outcome: FormMessage | null }) {
  const [starting, setStarting] = useState<string | null>(null);
  const [message, setMessage] = useState<FormMessage | null>(outcome);

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

  return (
    <section aria-labelledby="sign-in-methods-heading" className="space-y-4">
      <div className="space-y-1">
        <h2 id="sign-in-methods-heading" className="text-base font-semibold">
          Sign-in methods
        </h2>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Connect an identity provider to sign in with it too. Its verified email address may differ from this account&apos;s.
        </p>
      </div>
      <FormStatus message={message} />
      <ul className="flex flex-wrap gap-2">
        {providers.map((provider) => (
          <li key={provider.id}>
            <Button tone="secondary" pending={starting === provider.id} disabled={starting !== null} onClick={() => void connect(provider)}>
              Connect {provider.name}
            </Button>
          </li>
        ))}
      </ul>
    </section>
  );
}
