"use client";

import { useEffect } from "react";
import { leaveForSignIn, sessionSync } from "@/lib/client/browser";

/**
 * Keeps this tab in step with the others: when another tab signs out, signs out everywhere,
 * deletes the account or loses the session, this one leaves the signed-in area at once instead
 * of failing at its next request. Renders nothing.
 */
export function SessionWatcher() {
  useEffect(() => sessionSync().onSignedOut((reason) => leaveForSignIn(reason, { returnHere: reason === "session-ended" })), []);
  return null;
}
