/**
 * The browser's instances of the client layer: one session coordinator and one API client per
 * tab. Built on first use, not at import, because client components are also rendered on the
 * server, where there is no window, lock manager or BroadcastChannel.
 */
import { createApiClient, type ApiClient } from "./api";
import { CHANNEL_NAME, createSessionSync, type SessionSync, type SignOutReason } from "./session-sync";
import { signInHref, type SignInReason } from "./sign-in-reasons";
import { createStepUpCoordinator } from "./step-up";

let sync: SessionSync | null = null;

export function sessionSync(): SessionSync {
  sync ??= createSessionSync({
    fetch: (input, init) => window.fetch(input, init),
    // Both are missing in some embedded browsers; session-sync.ts explains what still holds then.
    locks: typeof navigator !== "undefined" && "locks" in navigator ? navigator.locks : null,
    channel: typeof BroadcastChannel === "function" ? new BroadcastChannel(CHANNEL_NAME) : null,
  });
  return sync;
}

/** Where the user is now, to come back to after signing in again. */
export function currentPath(): string {
  return `${window.location.pathname}${window.location.search}`;
}

/**
 * Leave for the sign-in page. A full navigation, not a client-side route change: it drops every
 * piece of the signed-in UI's memory, and the server renders sign-in fresh.
 */
let leaving = false;

export function leaveForSignIn(reason: SignInReason, options: { returnHere?: boolean } = {}): void {
  // Ten requests failing together would otherwise start ten navigations; the first one wins.
  if (leaving) return;
  leaving = true;
  window.location.assign(signInHref(reason, options.returnHere === false ? undefined : currentPath()));
}

/** End this tab's session deliberately and tell the other tabs (they leave too). */
export function announceSignOut(reason: SignOutReason): void {
  sessionSync().announceSignedOut(reason);
}

/**
 * Where the API client's step-up requests go: to the dialog the signed-in shell mounts
 * (components/auth/step-up-dialog.tsx), which attaches itself here.
 */
export const stepUpCoordinator = createStepUpCoordinator();

export const api: ApiClient = createApiClient({
  fetch: (input, init) => window.fetch(input, init),
  session: {
    generation: () => sessionSync().generation(),
    refresh: (sentGeneration) => sessionSync().refresh(sentGeneration),
  },
  onSessionEnded: () => leaveForSignIn("session-ended"),
  stepUp: (challenge) => stepUpCoordinator.request(challenge),
});
