"use client";

import { useState } from "react";
import { announceSignOut, api, leaveForSignIn } from "@/lib/client/browser";
import { SessionListSchema, type Session } from "@/lib/client/resources";
import { describeUserAgent } from "@/lib/shared/user-agent";
import { LoadError } from "../forms/load-error";
import { Badge } from "../ui/badge";
import { Button } from "../ui/button";
import { cn } from "../ui/cn";
import { ConfirmDialog } from "../ui/dialog";
import { LocalTime } from "../ui/local-time";
import { Skeleton } from "../ui/skeleton";
import { card } from "../ui/styles";
import { FormStatus, type FormMessage } from "../forms/form-status";
import { errorMessage, isSilent } from "../forms/messages";
import { useRemote } from "../hooks/use-remote";

/**
 * Every live session of the user: one per sign-in, each a refresh-token family. Revoking one
 * ends it on the server at once: that device's next request fails, and so does its refresh.
 */
export function SessionsView() {
  const { state, reload } = useRemote("sessions", (signal) => api.get("/api/auth/sessions", SessionListSchema, { signal }));
  const [message, setMessage] = useState<FormMessage | null>(null);
  const [revoking, setRevoking] = useState<string | null>(null);
  const [confirmAll, setConfirmAll] = useState(false);
  const [allPending, setAllPending] = useState(false);

  async function revoke(session: Session) {
    setRevoking(session.id);
    try {
      await api.delete(`/api/auth/sessions/${encodeURIComponent(session.id)}`);
      setMessage({ tone: "success", title: `Signed out ${describeUserAgent(session.userAgent)}.` });
      reload();
    } catch (error) {
      if (!isSilent(error)) setMessage(errorMessage(error, "Could not end that session"));
    } finally {
      setRevoking(null);
    }
  }

  async function signOutEverywhere() {
    setAllPending(true);
    try {
      await api.post("/api/auth/logout-all");
      announceSignOut("signed-out-everywhere");
      leaveForSignIn("signed-out-everywhere", { returnHere: false });
    } catch (error) {
      setAllPending(false);
      setConfirmAll(false);
      if (!isSilent(error)) setMessage(errorMessage(error, "Could not sign out everywhere"));
    }
  }

  const sessions = state.status === "ready" ? state.data.sessions : state.status === "loading" ? (state.previous?.sessions ?? null) : null;

  return (
    <div className="space-y-4">
      <FormStatus message={message} />
      {state.status === "error" ? (
        <LoadError what="your sessions" error={state.error} onRetry={reload} />
      ) : sessions === null ? (
        <SessionsSkeleton />
      ) : (
        <ul className="space-y-3" aria-label="Active sessions" aria-busy={state.status === "loading"}>
          {sessions.map((session) => (
            <SessionRow key={session.id} session={session} pending={revoking === session.id} onRevoke={() => void revoke(session)} />
          ))}
        </ul>
      )}

      <section aria-labelledby="everywhere-heading" className={cn(card, "flex flex-wrap items-center justify-between gap-4 p-5")}>
        <div className="min-w-0 space-y-1">
          <h2 id="everywhere-heading" className="font-semibold">
            Sign out everywhere
          </h2>
          <p className="text-sm text-slate-600 dark:text-slate-400">
            Ends every session, this one included. Use it if a device was lost or you suspect someone else signed in.
          </p>
        </div>
        <Button tone="danger" onClick={() => setConfirmAll(true)}>
          Sign out everywhere
        </Button>
      </section>

      <ConfirmDialog
        open={confirmAll}
        title="Sign out on every device?"
        description="Every session ends, including this one. You will need your password to sign in again."
        confirmLabel="Sign out everywhere"
        tone="danger"
        pending={allPending}
        onConfirm={() => void signOutEverywhere()}
        onCancel={() => setConfirmAll(false)}
      />
    </div>
  );
}

function SessionRow({ session, pending, onRevoke }: { session: Session; pending: boolean; onRevoke: () => void }) {
  const device = describeUserAgent(session.userAgent);
  return (
    <li className={cn(card, "flex flex-wrap items-start justify-between gap-4 p-4")} data-testid="session-row">
      <div className="min-w-0 space-y-1">
        <p className="flex flex-wrap items-center gap-2 font-medium">
          <span title={session.userAgent ?? undefined}>{device}</span>
          {session.current ? <Badge tone="accent">This device</Badge> : null}
        </p>
        <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-sm text-slate-600 dark:text-slate-400">
          <dt>Address</dt>
          <dd className="font-mono text-xs leading-5 break-all">{session.ip ?? "not recorded"}</dd>
          <dt>Signed in</dt>
          <dd>
            <LocalTime iso={session.createdAt} />
          </dd>
          <dt>Last active</dt>
          <dd>
            <LocalTime iso={session.lastUsedAt} relative />
          </dd>
        </dl>
      </div>
      {session.current ? null : (
        <Button
          tone="secondary"
          size="sm"
          pending={pending}
          onClick={onRevoke}
          aria-label={`Sign out ${device}, signed in from ${session.ip ?? "an unknown address"}`}
        >
          Sign out
        </Button>
      )}
    </li>
  );
}

function SessionsSkeleton() {
  return (
    <ul className="space-y-3" aria-label="Loading sessions">
      {[0, 1].map((row) => (
        <li key={row} className={cn(card, "space-y-2 p-4")}>
          <Skeleton className="h-5 w-40" />
          <Skeleton className="h-4 w-64" />
          <Skeleton className="h-4 w-52" />
          <Skeleton className="h-4 w-44" />
        </li>
      ))}
    </ul>
  );
}
