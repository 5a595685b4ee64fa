/**
 * Silent session refresh, done once no matter how many requests or tabs notice the expiry.
 *
 * The access token lives 15 minutes in an HttpOnly cookie this code cannot read; when it runs
 * out, API calls answer 401 and `POST /api/auth/refresh` exchanges the refresh cookie for a new
 * pair. The refresh token rotates on every use, and presenting one that was already rotated is
 * treated as theft: the server revokes the whole session (lib/auth/sessions.ts). So two refreshes
 * racing with the same cookie are not just wasteful, they can sign the user out. Defences:
 * - Within a tab, one shared promise: ten requests that hit 401 together wait for one refresh.
 * - Across tabs, the Web Locks API: a tab refreshes only while holding one origin-wide lock, so
 *   tabs take turns instead of racing. Whoever refreshed announces the outcome on a
 *   BroadcastChannel; a tab that queued behind it skips its own refresh.
 * - A request remembers the refresh "generation" it was sent in. If a refresh completed since,
 *   the 401 was for the old token and the request is simply retried, with no second refresh.
 * Where Web Locks are missing, tabs can still race; the server's short reuse grace window
 * (docs/decisions/006-refresh-token-reuse-grace.md) then keeps the loser signed in.
 *
 * Nothing here reads, writes or stores a token: the browser holds both cookies, and the only
 * state kept is a counter and whether a refresh is in flight.
 */

export const REFRESH_PATH = "/api/auth/refresh";
/** A cheap authenticated read: answers 200 exactly when the access cookie works. */
export const PROBE_PATH = "/api/me";
export const LOCK_NAME = "palisade:session-refresh";
export const CHANNEL_NAME = "palisade:session";

/** A refresh that hangs must not hold the cross-tab lock for every other tab. */
const REFRESH_TIMEOUT_MS = 10_000;

/**
 * - refreshed:   a new access token is in the cookie jar; retry the request.
 * - signed-out:  the server refused the refresh token; the session is over.
 * - unavailable: no verdict (offline, rate-limited, server error); the session may be fine.
 */
export type RefreshOutcome = "refreshed" | "signed-out" | "unavailable";

/** Why a tab left the signed-in area; the sign-in page turns it into a fixed message. */
export type SignOutReason = "session-ended" | "signed-out" | "signed-out-everywhere" | "account-deleted";

export type SessionMessage = { type: "refreshed" } | { type: "signed-out"; reason: SignOutReason };

const SIGN_OUT_REASONS: ReadonlySet<string> = new Set<SignOutReason>(["session-ended", "signed-out", "signed-out-everywhere", "account-deleted"]);

/** The slice of `navigator.locks` this module uses. */
export interface LockManagerLike {
  request<T>(name: string, options: LockOptions, callback: (lock: Lock | null) => T): Promise<T>;
}

/** The slice of `BroadcastChannel` this module uses. */
export interface ChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: "message", listener: (event: MessageEvent) => void): void;
}

export interface SessionSyncDependencies {
  fetch: typeof fetch;
  /** `navigator.locks`, or null where the browser has none. */
  locks: LockManagerLike | null;
  /** A BroadcastChannel named CHANNEL_NAME, or null where the browser has none. */
  channel: ChannelLike | null;
}

export interface SessionSync {
  /** The current refresh generation; a request records it when it is sent. */
  generation(): number;
  /**
   * Make sure a token newer than the one sent in `sentGeneration` exists: refresh unless one
   * has completed since, joining any refresh already in flight in this tab.
   */
  refresh(sentGeneration: number): Promise<RefreshOutcome>;
  /** Tell the other tabs that this one signed out, so they leave the signed-in area too. */
  announceSignedOut(reason: SignOutReason): void;
  /** Called when another tab signed out or lost the session. Returns an unsubscribe function. */
  onSignedOut(listener: (reason: SignOutReason) => void): () => void;
}

/** Messages come from our own origin, but are still checked: a typo elsewhere must not crash a tab. */
export function parseSessionMessage(data: unknown): SessionMessage | null {
  if (typeof data !== "object" || data === null) return null;
  const message = data as Record<string, unknown>;
  if (message.type === "refreshed") return { type: "refreshed" };
  if (message.type === "signed-out" && typeof message.reason === "string" && SIGN_OUT_REASONS.has(message.reason)) {
    return { type: "signed-out", reason: message.reason as SignOutReason };
  }
  return null;
}

const NOT_GRANTED = Symbol("lock not granted");

/**
 * Only the status matters here. The body is discarded explicitly: an unread body keeps the request
 * open until the abort timer fires, and the page looks busy (network activity) for that long.
 */
async function statusOf(response: Response): Promise<number> {
  await response.body?.cancel().catch(() => undefined);
  return response.status;
}

export function createSessionSync(deps: SessionSyncDependencies): SessionSync {
  let generation = 0;
  let inFlight: Promise<RefreshOutcome> | null = null;
  const signedOutListeners = new Set<(reason: SignOutReason) => void>();

  deps.channel?.addEventListener("message", (event) => {
    const message = parseSessionMessage(event.data);
    if (message === null) return;
    if (message.type === "refreshed") generation += 1;
    else for (const listener of signedOutListeners) listener(message.reason);
  });

  function announce(message: SessionMessage): void {
    deps.channel?.postMessage(message);
  }

  async function postRefresh(): Promise<RefreshOutcome> {
    try {
      const response = await deps.fetch(REFRESH_PATH, {
        method: "POST",
        credentials: "same-origin",
        headers: { accept: "application/json" },
        cache: "no-store",
        signal: AbortSignal.timeout(REFRESH_TIMEOUT_MS),
      });
      const status = await statusOf(response);
      if (status >= 200 && status < 300) return "refreshed";
      // 401 is the server's verdict on the refresh token. 429 and 5xx say nothing about it.
      return status === 401 ? "signed-out" : "unavailable";
    } catch {
      return "unavailable";
    }
  }

  async function accessStillWorks(): Promise<boolean> {
    try {
      const response = await deps.fetch(PROBE_PATH, { credentials: "same-origin", headers: { accept: "application/json" }, cache: "no-store" });
      const status = await statusOf(response);
      return status >= 200 && status < 300;
    } catch {
      return false;
    }
  }

  /** Runs while holding the cross-tab lock (or without one where locks are unsupported). */
  async function refreshHoldingLock(sentGeneration: number, waited: boolean): Promise<RefreshOutcome> {
    // Another tab's announcement arrived while we queued: its new token is already in the jar.
    if (generation !== sentGeneration) return "refreshed";
    // We queued behind another tab, but its announcement may still be on its way (the lock and
    // the channel are separate queues). Ask the server instead of refreshing a second time.
    if (waited && (await accessStillWorks())) {
      generation += 1;
      return "refreshed";
    }
    const outcome = await postRefresh();
    if (outcome === "refreshed") {
      generation += 1;
      announce({ type: "refreshed" });
    } else if (outcome === "signed-out") {
      announce({ type: "signed-out", reason: "session-ended" });
    }
    return outcome;
  }

  async function withCrossTabLock(run: (waited: boolean) => Promise<RefreshOutcome>): Promise<RefreshOutcome> {
    if (deps.locks === null) return run(false);
    // Try without queueing first, so we know whether another tab was mid-refresh.
    const immediate = await deps.locks.request(LOCK_NAME, { ifAvailable: true }, (lock) => (lock === null ? NOT_GRANTED : run(false)));
    if (immediate !== NOT_GRANTED) return immediate;
    return deps.locks.request(LOCK_NAME, {}, () => run(true));
  }

  return {
    generation: () => generation,

    refresh(sentGeneration) {
      if (generation !== sentGeneration) return Promise.resolve("refreshed");
      inFlight ??= withCrossTabLock((waited) => refreshHoldingLock(sentGeneration, waited)).finally(() => {
        inFlight = null;
      });
      return inFlight;
    },

    announceSignedOut(reason) {
      announce({ type: "signed-out", reason });
    },

    onSignedOut(listener) {
      signedOutListeners.add(listener);
      return () => {
        signedOutListeners.delete(listener);
      };
    },
  };
}
