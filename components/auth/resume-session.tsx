"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { sessionSync } from "@/lib/client/browser";
import { signInHref } from "@/lib/client/sign-in-reasons";
import { Alert, LiveRegion } from "../ui/alert";
import { Button } from "../ui/button";
import { Spinner } from "../ui/spinner";

/**
 * The client half of page protection (lib/auth/page-guards.ts): a page load found no working
 * access token, so try the refresh cookie once (through the same single-flight refresh as the
 * API client) and go back, or on to sign-in. `next` was made safe on the server.
 */
export function ResumeSession({ next }: { next: string }) {
  const router = useRouter();
  const [state, setState] = useState<"working" | "unavailable">("working");
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let cancelled = false;
    const sync = sessionSync();
    void sync.refresh(sync.generation()).then((outcome) => {
      if (cancelled) return;
      // replace(): Back must not return to this in-between page. A client-side transition, not a
      // document load: the server renders the destination for the new cookie either way, and the
      // page is replaced without the blank frame of a second full load right after the first.
      if (outcome === "refreshed") router.replace(next);
      else if (outcome === "signed-out") router.replace(signInHref("signin-required", next));
      else setState("unavailable");
    });
    return () => {
      cancelled = true;
    };
  }, [next, attempt, router]);

  return (
    <LiveRegion className="w-full max-w-sm">
      {state === "working" ? (
        <p className="flex items-center justify-center gap-3 text-sm text-slate-600 dark:text-slate-400">
          <Spinner className="size-5" />
          Restoring your session…
        </p>
      ) : (
        <div className="space-y-4">
          <Alert tone="error" title="Could not restore your session">
            The server did not answer. Check your connection and try again.
          </Alert>
          <div className="flex gap-2">
            <Button
              onClick={() => {
                setState("working");
                setAttempt((value) => value + 1);
              }}
            >
              Try again
            </Button>
            <Link href={signInHref("signin-required", next)} className="px-3 py-2 text-sm font-medium text-indigo-700 dark:text-indigo-300">
              Sign in
            </Link>
          </div>
        </div>
      )}
    </LiveRegion>
  );
}
