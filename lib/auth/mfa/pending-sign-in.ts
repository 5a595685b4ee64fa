/**
 * A sign-in between its two factors (docs/decisions/047-second-factor-sign-in-and-step-up.md).
 *
 * After a right password, or a provider's assertion, for an account with a second factor, no
 * session is opened. A row records whose sign-in it is and how the first factor was proved, and
 * the browser holds a 256-bit token naming it, in `__Host-palisade-2fa`.
 *
 * Threats and defences:
 * - The pending state used as a session: no guard reads this cookie or table; the only thing it
 *   can do is finish this sign-in at `POST /api/auth/login/second-factor`. Every other endpoint
 *   sees a visitor who is not signed in.
 * - A stolen or copied table: only SHA-256 of the token is stored, so a row finishes nothing.
 * - Planting (cookie tossing): a sibling host cannot set a `__Host-` cookie, so it cannot make a
 *   victim finish the attacker's sign-in and then work inside the attacker's account.
 * - A forgotten tab: 5 minutes, then the first factor must be proved again.
 * - Someone else with the password: their sign-ins wait beside the owner's and never replace it,
 *   so repeating the password cannot cancel the owner's second step; every waiting sign-in
 *   draws on the one per-account code budget, so more of them buy no more guesses.
 * - Two racing completions: the row is spent by one `DELETE`, and only the request that deleted
 *   it opens a session.
 * - Guessing the code while the row lives: the account's code budget (./second-factor-attempts.ts)
 *   bounds every attempt, here and at the step-up.
 */
import "server-only";
import { createHash, randomBytes } from "node:crypto";
import type { Db } from "../../db/client";
import { PENDING_SIGN_IN_COOKIE } from "../cookie-names";
import { readCookie } from "../cookies";
import type { AuthMethod } from "../sessions";

export { PENDING_SIGN_IN_COOKIE };

/** Long enough to open an authenticator app and type a code; short enough to go stale in a forgotten tab. */
export const PENDING_SIGN_IN_TTL_SECONDS = 300;

/** How the first factor was proved. */
export type FirstFactor = { method: "pwd" } | { method: "fed"; provider: string };

export interface PendingSignIn {
  /** The row's id: SHA-256 of the cookie's token. */
  id: string;
  userId: string;
  firstFactor: Extract<AuthMethod, "pwd" | "fed">;
  provider: string | null;
  expiresAt: Date;
}

const TOKEN_FORMAT = /^[A-Za-z0-9_-]{43}$/;

function idOf(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Record a sign-in waiting for `userId`'s second factor; returns the cookie that names it. */
export async function startPendingSignIn(db: Db, userId: string, firstFactor: FirstFactor, now = new Date()): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + PENDING_SIGN_IN_TTL_SECONDS * 1000);
  await db.pendingSignIn.create({
    data: {
      id: idOf(token),
      userId,
      firstFactor: firstFactor.method,
      provider: firstFactor.method === "fed" ? firstFactor.provider : null,
      createdAt: now,
      expiresAt,
    },
    select: { id: true },
  });
  return pendingSignInCookie(token);
}

/** The live pending sign-in a request's cookie names, or null (none, unknown, or expired). */
export async function readPendingSignIn(db: Db, request: Request, now = new Date()): Promise<PendingSignIn | null> {
  const token = readCookie(request.headers, PENDING_SIGN_IN_COOKIE);
  if (token === undefined || !TOKEN_FORMAT.test(token)) return null;
  const row = await db.pendingSignIn.findFirst({
    where: { id: idOf(token), expiresAt: { gt: now }, user: { disabledAt: null } },
    select: { id: true, userId: true, firstFactor: true, provider: true, expiresAt: true },
  });
  if (row === null || (row.firstFactor !== "pwd" && row.firstFactor !== "fed")) return null;
  return { ...row, firstFactor: row.firstFactor };
}

/**
 * Spend the pending sign-in, once its second factor has passed. False when another request spent
 * it first (or it expired meanwhile): that request, not this one, opens the session.
 */
export async function spendPendingSignIn(db: Db, pending: PendingSignIn, now = new Date()): Promise<boolean> {
  const { count } = await db.pendingSignIn.deleteMany({ where: { id: pending.id, userId: pending.userId, expiresAt: { gt: now } } });
  return count === 1;
}

/** SameSite=Strict: a cross-site page can neither send it nor use it to finish a sign-in. */
export function pendingSignInCookie(token: string): string {
  return [`${PENDING_SIGN_IN_COOKIE}=${token}`, "Path=/", `Max-Age=${PENDING_SIGN_IN_TTL_SECONDS}`, "HttpOnly", "Secure", "SameSite=Strict"].join("; ");
}

export function clearedPendingSignInCookie(): string {
  return [`${PENDING_SIGN_IN_COOKIE}=`, "Path=/", "Max-Age=0", "HttpOnly", "Secure", "SameSite=Strict"].join("; ");
}
