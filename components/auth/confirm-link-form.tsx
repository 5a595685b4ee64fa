"use client";

import Link from "next/link";
import { useEffect, useState, type FormEvent } from "react";
import { z } from "zod";
import { api } from "@/lib/client/browser";
import { isApiError } from "@/lib/client/problem";
import { LoginResultSchema } from "@/lib/client/resources";
import { secondFactorHref } from "@/lib/client/sign-in-reasons";
import { SubmitButton } from "../ui/submit-button";
import { Field } from "../ui/field";
import { Spinner } from "../ui/spinner";
import { FormStatus, type FormMessage } from "../forms/form-status";
import { errorMessage } from "../forms/messages";

const PendingLinkSchema = z.object({ provider: z.object({ id: z.string(), name: z.string() }), email: z.string() });
type PendingLink = z.infer<typeof PendingLinkSchema>;

/** The problem type for "no pending link" (expired, already used, or never started), from GET and POST alike. */
const LINK_EXPIRED = "/problems/link-expired";

function isLinkExpired(error: unknown): boolean {
  return isApiError(error) && error.problem.type === LINK_EXPIRED;
}

/**
 * Connect a provider sign-in to the existing account with the same verified email, by confirming
 * that account's password (POST /api/auth/oauth/link). The provider alone is not proof: whoever
 * controls an email at some provider must not get into the Palisade account registered with it
 * (docs/decisions/031-account-linking-rules.md). What is waiting is read from the server, never
 * from the URL, so a crafted link cannot make this form name another account.
 */
export function ConfirmLinkForm({ next, intro, signInPath }: { next: string; intro: string; signInPath: string }) {
  const [pendingLink, setPendingLink] = useState<PendingLink | "loading" | "none">("loading");
  const [password, setPassword] = useState("");
  const [passwordErrors, setPasswordErrors] = useState<string[]>([]);
  const [message, setMessage] = useState<FormMessage | null>(null);
  const [pending, setPending] = useState(false);

  useEffect(() => {
    const controller = new AbortController();
    api
      .get("/api/auth/oauth/link", PendingLinkSchema, { signal: controller.signal })
      .then(setPendingLink)
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        setPendingLink("none");
        if (!isLinkExpired(error)) setMessage(errorMessage(error, "Could not load the sign-in to connect"));
      });
    return () => controller.abort();
  }, []);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (password === "") {
      setPasswordErrors(["Enter your password."]);
      return;
    }
    setPasswordErrors([]);
    setMessage(null);
    setPending(true);
    try {
      const result = await api.post("/api/auth/oauth/link", { password }, LoginResultSchema);
      // A full navigation: the next page is rendered by the server with the new session cookie.
      // An account with a second factor is linked but not signed in yet: its code comes first.
      window.location.assign("secondFactor" in result ? secondFactorHref(next) : next);
      return;
    } catch (error) {
      setPassword("");
      if (isApiError(error) && error.problem.errors !== undefined) setPasswordErrors(error.problem.errors.password ?? []);
      else if (isLinkExpired(error)) setPendingLink("none");
      else if (isApiError(error) && error.status === 401) setPasswordErrors(["That password is not correct."]);
      else setMessage(errorMessage(error, "Could not connect the sign-in"));
    }
    setPending(false);
  }

  if (pendingLink === "loading") {
    return (
      <p className="flex items-center gap-2 text-sm text-slate-600 dark:text-slate-400">
        <Spinner /> Checking the sign-in waiting to be connected…
      </p>
    );
  }
  const elsewhere = (
    <p className="text-center text-sm text-slate-600 dark:text-slate-400">
      <Link href={signInPath} className="font-medium text-indigo-700 underline-offset-4 hover:underline dark:text-indigo-300">
        Sign in without connecting
      </Link>
    </p>
  );
  if (pendingLink === "none") {
    return (
      <div className="space-y-4">
        <FormStatus
          message={
            message ?? {
              tone: "info",
              title: "Nothing is waiting to be connected",
              detail: "The request has expired or was already used. Start the sign-in with your provider again.",
            }
          }
        />
        {elsewhere}
      </div>
    );
  }
  return (
    <form method="post" noValidate onSubmit={(event) => void submit(event)} className="space-y-5" aria-labelledby="confirm-link-heading">
      <div className="space-y-1">
        <h2 id="confirm-link-heading" className="text-base font-semibold">
          Connect {pendingLink.provider.name}
        </h2>
        <p className="text-sm text-slate-600 dark:text-slate-400">{intro}</p>
      </div>
      <Field label="Account" name="username" type="email" autoComplete="username" value={pendingLink.email} readOnly />
      <Field
        label="Palisade password"
        name="password"
        type="password"
        autoComplete="current-password"
        required
        revealable
        value={password}
        errors={passwordErrors}
        onChange={(event) => setPassword(event.target.value)}
      />
      <FormStatus message={message} />
      <SubmitButton pending={pending} className="w-full">
        Connect and sign in
      </SubmitButton>
      {elsewhere}
    </form>
  );
}
