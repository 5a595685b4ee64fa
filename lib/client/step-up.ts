/**
 * Step-up in the browser: what the API client does when a sensitive action answers "prove it is
 * still you" (RFC 9470; docs/decisions/047-second-factor-sign-in-and-step-up.md).
 *
 * Threat: a session cookie stolen or left open must not be enough to change the password, turn
 * the second factor off or delete the account. The server refuses such an action unless the
 * session proved a factor recently, with `401` and `WWW-Authenticate: Bearer
 * error="insufficient_user_authentication"`. That 401 is not an expired token: refreshing would
 * not help (the refresh keeps the old proof, by design), so the client must tell the two apart
 * and ask the person instead. The person answers in a dialog (components/auth/step-up-dialog.tsx)
 * that posts to `POST /api/auth/step-up`; nothing here sees a code or a password.
 *
 * One dialog at a time: several requests refused together (a page that saves two things) wait
 * for the same answer, and each is then retried once by the client.
 */

/** The error RFC 9470 §3 defines for "authenticate again, or more strongly". */
export const STEP_UP_ERROR = "insufficient_user_authentication";

/** The ways the server may accept for a step-up. Passkeys have no dialog yet. */
export type StepUpMethod = "totp" | "recovery-code" | "password" | "passkey";

const KNOWN_METHODS: ReadonlySet<string> = new Set<StepUpMethod>(["totp", "recovery-code", "password", "passkey"]);

export interface StepUpChallenge {
  /** What the account may prove itself with; empty when only a new sign-in will do. */
  methods: StepUpMethod[];
  /** The freshness the action asks for, in seconds (RFC 9470 `max_age`), when the server says. */
  maxAge: number | null;
}

/** Resolves true when the person proved it is them, false when they cancelled. */
export type StepUp = (challenge: StepUpChallenge) => Promise<boolean>;

/**
 * The auth-params of the first `Bearer` challenge in a `WWW-Authenticate` value (RFC 9110
 * §11.6.1), names lowercased, or null when there is none. Quoted strings may hold commas and
 * escaped quotes; anything unreadable is skipped rather than guessed at.
 */
export function bearerParams(header: string | null): Map<string, string> | null {
  if (header === null) return null;
  const match = /^\s*Bearer(?:\s+|$)/i.exec(header);
  if (match === null) return null;
  const params = new Map<string, string>();
  // Linear: each alternative consumes at least one character and none can overlap another.
  const param = /([A-Za-z0-9!#$%&'*+.^_`|~-]+)[ \t]*=[ \t]*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))[ \t]*(?:,[ \t]*|$)/gy;
  param.lastIndex = match[0].length;
  let found: RegExpExecArray | null;
  while ((found = param.exec(header)) !== null && found[0] !== "") {
    const [, name, quoted, token] = found;
    if (name === undefined) break;
    const value = quoted === undefined ? (token ?? "") : quoted.replace(/\\(.)/g, "$1");
    if (!params.has(name.toLowerCase())) params.set(name.toLowerCase(), value);
  }
  return params;
}

/** True for the RFC 9470 challenge: a step-up is asked for, not a new token. */
export function isStepUpChallenge(header: string | null): boolean {
  return bearerParams(header)?.get("error") === STEP_UP_ERROR;
}

/** `max_age` from the challenge, as whole seconds, or null. */
export function challengeMaxAge(header: string | null): number | null {
  const raw = bearerParams(header)?.get("max_age");
  return raw !== undefined && /^\d{1,9}$/.test(raw) ? Number(raw) : null;
}

/** The problem's `stepUp.methods`, keeping only the names this client knows. */
export function challengeMethods(value: unknown): StepUpMethod[] {
  if (!Array.isArray(value)) return [];
  return value.filter((method): method is StepUpMethod => typeof method === "string" && KNOWN_METHODS.has(method));
}

export interface StepUpCoordinator {
  /** What the API client calls: asks whichever dialog is mounted, or answers false when none is. */
  request: StepUp;
  /** The dialog registers here while it is mounted; returns the unregister function. */
  attach(handler: StepUp): () => void;
}

/**
 * Connects the API client, created once per tab, to a dialog that only exists inside a rendered
 * page. With no dialog mounted (a page outside the signed-in shell) the request is refused, and
 * the caller sees the server's own 401, as it would without step-up support.
 */
export function createStepUpCoordinator(): StepUpCoordinator {
  let handler: StepUp | null = null;
  let inFlight: Promise<boolean> | null = null;
  return {
    request(challenge) {
      if (handler === null) return Promise.resolve(false);
      const current = handler;
      inFlight ??= current(challenge)
        .catch(() => false)
        .finally(() => {
          inFlight = null;
        });
      return inFlight;
    },
    attach(next) {
      handler = next;
      return () => {
        if (handler === next) handler = null;
      };
    },
  };
}
