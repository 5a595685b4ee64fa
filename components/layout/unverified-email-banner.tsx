"use client";

import { useState } from "react";
import { api } from "@/lib/client/browser";
import { isApiError } from "@/lib/client/problem";
import { MailAcceptedSchema } from "@/lib/client/resources";
import { Button } from "../ui/button";
import type { FormMessage } from "../forms/form-status";
import { errorMessage, isSilent } from "../forms/messages";
import { rateLimitMessage } from "../forms/rate-limit-message";

/**
 * Shown on every signed-in page while the account's address is unconfirmed: until it is, the
 * address is only a claim, and a provider sign-in that vouches for it can take the account over
 * (lib/users/email-verification.ts). A status region from the first render, so the answer to
 * "Send a new link" is announced where it appears.
 */
export function UnverifiedEmailBanner({ email }: { email: string }) {
  const [confirmed, setConfirmed] = useState(false);
  const [message, setMessage] = useState<FormMessage | null>(null);
  const [pending, setPending] = useState(false);

  async function resend() {
    setMessage(null);
    setPending(true);
    try {
      await api.post("/api/auth/email/verify/resend", undefined, MailAcceptedSchema);
      setMessage({ tone: "success", title: "A new link is on its way." });
    } catch (error) {
      if (isSilent(error)) return;
      // 409: confirmed meanwhile, in another tab or browser; the banner has nothing left to ask.
      if (isApiError(error) && error.status === 409) setConfirmed(true);
      else if (isApiError(error) && error.status === 429) setMessage(rateLimitMessage(error, "link"));
      else setMessage(errorMessage(error, "Could not send a new link"));
    } finally {
      setPending(false);
    }
  }

  if (confirmed) return null;
  return (
    <div
      role="status"
      className="flex flex-wrap items-center justify-between gap-3 rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-950 dark:border-amber-900 dark:bg-amber-950/60 dark:text-amber-100"
    >
      <div className="min-w-0 space-y-1">
        <p className="font-medium break-words">Confirm your email address: we sent a link to {email}.</p>
        {message === null ? null : (
          <p>
            <span className="block font-semibold">{message.title}</span>
            {message.detail === undefined ? null : <span className="block">{message.detail}</span>}
          </p>
        )}
      </div>
      <Button tone="secondary" size="sm" pending={pending} onClick={() => void resend()}>
        Send a new link
      </Button>
    </div>
  );
}
