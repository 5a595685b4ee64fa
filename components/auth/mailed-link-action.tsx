"use client";

import { useState, type FormEvent, type ReactNode } from "react";
import { api } from "@/lib/client/browser";
import { isApiError } from "@/lib/client/problem";
import { EmailResultSchema } from "@/lib/client/resources";
import { ResultPanel } from "../ui/result-panel";
import { SubmitButton } from "../ui/submit-button";
import { useFragmentToken } from "../hooks/use-fragment-token";
import { FormStatus, type FormMessage } from "../forms/form-status";
import { errorMessage, isProblem } from "../forms/messages";
import { rateLimitMessage } from "../forms/rate-limit-message";
import { LinkUnusable, ReadingLink } from "./mailed-link-states";

/** The endpoints that spend a mailed link's token and answer the address it acted on. */
export type MailedLinkEndpoint = "/api/auth/email/verify" | "/api/auth/email/confirm" | "/api/auth/email/undo";

type Outcome = { kind: "done"; email: string } | { kind: "spent" } | { kind: "refused"; message: FormMessage };

export interface MailedLinkActionProps {
  endpoint: MailedLinkEndpoint;
  /** The button's name. */
  action: string;
  /** The way on from a link that does not work (missing, malformed, expired or spent). */
  unusable: ReactNode;
  unusableActions?: ReactNode;
  /** What the page shows once the link has done its job, for the address it acted on. */
  done: (email: string) => ReactNode;
}

/**
 * A mailed link's page that does one thing with the token: confirm an address, confirm a new one,
 * or undo a change. Opening the page sends nothing; the token goes to the server only when the
 * person presses the button, so a mail scanner that fetches the link spends nothing
 * (lib/client/fragment-token.ts).
 */
export function MailedLinkAction({ endpoint, action, unusable, unusableActions, done }: MailedLinkActionProps) {
  const token = useFragmentToken();
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [message, setMessage] = useState<FormMessage | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (typeof token !== "string") return;
    setMessage(null);
    setPending(true);
    try {
      const result = await api.post(endpoint, { token }, EmailResultSchema);
      setOutcome({ kind: "done", email: result.email });
    } catch (error) {
      if (isProblem(error, "email-link-invalid")) setOutcome({ kind: "spent" });
      // The address went to another account meanwhile: pressing again cannot help, so no button.
      else if (isProblem(error, "email-taken")) setOutcome({ kind: "refused", message: errorMessage(error) });
      else if (isApiError(error) && error.status === 429) setMessage(rateLimitMessage(error, "link"));
      else setMessage(errorMessage(error, "Could not use the link"));
    }
    setPending(false);
  }

  if (token === undefined) return <ReadingLink />;
  if (token === null || outcome?.kind === "spent") {
    return (
      <LinkUnusable reason={token === null ? "incomplete" : "spent"} actions={unusableActions}>
        {unusable}
      </LinkUnusable>
    );
  }
  if (outcome?.kind === "done") return done(outcome.email);
  if (outcome?.kind === "refused") {
    return (
      <ResultPanel tone="error" title={outcome.message.title}>
        {outcome.message.detail === undefined ? null : <p>{outcome.message.detail}</p>}
      </ResultPanel>
    );
  }
  return (
    <form method="post" noValidate onSubmit={(event) => void submit(event)} className="space-y-5">
      <FormStatus message={message} />
      <SubmitButton pending={pending} className="w-full">
        {action}
      </SubmitButton>
    </form>
  );
}
