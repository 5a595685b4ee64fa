"use client";

import { useState } from "react";
import { announceSignOut, api, leaveForSignIn } from "@/lib/client/browser";
import { Button } from "../ui/button";

/**
 * Ends this session on the server (its refresh token is revoked and both cookies are cleared),
 * then tells the other tabs. If the server cannot be reached the user stays put and is told so:
 * showing the sign-in page while the cookies still work would be a lie about being signed out.
 */
export function SignOutButton() {
  const [pending, setPending] = useState(false);
  const [failed, setFailed] = useState(false);

  async function signOut() {
    setPending(true);
    setFailed(false);
    try {
      await api.post("/api/auth/logout");
    } catch {
      setPending(false);
      setFailed(true);
      return;
    }
    announceSignOut("signed-out");
    leaveForSignIn("signed-out", { returnHere: false });
  }

  return (
    <div className="flex items-center gap-2">
      <span aria-live="assertive" className="text-xs text-red-700 dark:text-red-300">
        {failed ? "Could not sign out. Try again." : ""}
      </span>
      <Button tone="secondary" size="sm" pending={pending} onClick={() => void signOut()}>
        Sign out
      </Button>
    </div>
  );
}
