/**
 * A passwordless sign-in with a passkey: `POST /api/auth/passkeys/authentication/options`, then
 * `POST /api/auth/passkeys/authentication` (docs/decisions/047-second-factor-sign-in-and-step-up.md,
 * decision 12). The ceremony itself is ./passkeys.ts; this adds the browser binding, the refusals,
 * the audit, the notice and the session.
 *
 * Threats and defences (W3C WebAuthn Level 3 §13.4.3; OWASP ASVS 5.0 V6.3.3, V6.5.1; RFC 8176):
 * - an assertion relayed from the victim's browser into the attacker's (a phishing page that
 *   fetched its own challenge and shows it to the victim): the challenge is bound to a 256-bit
 *   nonce in a `__Host-` cookie of the browser that asked for it, SameSite=Strict, and only the
 *   nonce's SHA-256 is stored, so an answer sent from any other browser finds no challenge.
 *   The origin and RP ID checks of ./passkeys.ts stop the relay before that;
 * - a replayed assertion: the challenge is spent by the first finish that presents it;
 * - account discovery: a missing nonce, a stale or used challenge, an unknown credential, a bad
 *   signature, no user verification and a disabled account all get one 401 with one body, so the
 *   answer never says whether a credential, or its account, exists;
 * - one factor passing as two: user verification (the device's PIN or biometric) is required, so
 *   the passkey is possession plus something the person knows or is, and the session records
 *   `[swk|hwk, "user", "mfa"]` and a second factor proved now;
 * - flooding: both routes are in the edge's per-address `credential` tier (lib/edge/routes.ts).
 */
import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { recordAuditEvent, type AuditContext } from "../../audit";
import type { Db } from "../../db/client";
import { AppError } from "../../http/errors";
import { problemResponse } from "../../http/problem";
import { revokeEmailTokens } from "../../users/email-tokens";
import { noticeNewSignIn } from "../../users/new-sign-in";
import { publicUserSelect, toPublicUser } from "../../users/public-user";
import { PASSKEY_SIGN_IN_COOKIE } from "../cookie-names";
import { readCookie } from "../cookies";
import { sessionResponse } from "../issue";
import { createSession } from "../sessions";
import { optionsResponse } from "./passkey-options";
import { PASSKEY_CHALLENGE_TTL_MS } from "./passkey-challenges";
import { finishPasskeyAuthentication, startPasskeyAuthentication } from "./passkeys";
import { passkeyAmr } from "./second-factor";

export { PASSKEY_SIGN_IN_COOKIE };

/** The cookie lives exactly as long as the challenge it names. */
export const PASSKEY_SIGN_IN_TTL_SECONDS = PASSKEY_CHALLENGE_TTL_MS / 1000;

/** 32 bytes in base64url without padding: exactly 43 characters. */
const NONCE_FORMAT = /^[A-Za-z0-9_-]{43}$/;

const REFUSAL = "That passkey could not sign you in.";

export const PASSKEY_SIGN_IN_SET = {
  "Set-Cookie": "`__Host-palisade-passkey`: the nonce this browser's challenge is bound to (HttpOnly, Secure, SameSite=Strict, 5 minutes).",
} as const;

/** What the challenge row holds: a copy of the table cannot name the browser's cookie. */
function boundTo(nonce: string): string {
  return createHash("sha256").update(nonce).digest("hex");
}

/** Options for any of the person's passkeys for this site, bound to a new nonce in this browser. */
export async function passkeySignInOptions(db: Db): Promise<Response> {
  // 256 bits from the CSPRNG: the nonce is what an attacker's browser would need to finish this one's ceremony.
  const nonce = randomBytes(32).toString("base64url");
  const started = await startPasskeyAuthentication(db, { purpose: "sign-in", boundTo: boundTo(nonce) });
  // Nobody is known yet, so there is no account without a passkey to refuse.
  if (!started.ok) throw new Error("a passwordless sign-in challenge names no account and cannot lack a passkey");
  const response = optionsResponse(started.options);
  response.headers.append("set-cookie", passkeySignInCookie(nonce));
  return response;
}

/**
 * Finish a passwordless sign-in. There is deliberately no per-account failure budget here, unlike
 * a code (./second-factor-attempts.ts): a budget bounds guessing, and an assertion is a signature
 * over a fresh 256-bit challenge, which cannot be guessed. A failure is garbage (bounded per
 * address by the edge) or the owner's own authenticator. Counting it against the account would
 * instead let anyone who has seen a credential id (it is not a secret: it crosses every ceremony)
 * spend the owner's budget and lock them out of their second factor.
 */
export async function signInWithPasskey(db: Db, request: Request, response: unknown, context: AuditContext): Promise<Response> {
  const nonce = readCookie(request.headers, PASSKEY_SIGN_IN_COOKIE);
  // Not audited: without a nonce no challenge can match, so nothing was tried (like the second
  // step without its pending cookie). Every refusal below follows a ceremony and is.
  if (nonce === undefined || !NONCE_FORMAT.test(nonce)) return refusal(context.requestId);

  const result = await finishPasskeyAuthentication(db, { purpose: "sign-in", boundTo: boundTo(nonce), response });
  if (!result.ok) return refused(db, context, { reason: result.reason });

  // Checked after the signature: before it, nothing says whose passkey this is.
  const user = await db.user.findUnique({ where: { id: result.userId }, select: { ...publicUserSelect, disabledAt: true } });
  if (user === null || user.disabledAt !== null) return refused(db, context, { reason: "disabled", userId: result.userId });

  // As after a right password: whoever can sign in needs no reset link, and one still in a mailbox dies here.
  await revokeEmailTokens(db, user.id, ["RESET_PASSWORD"]);
  // Compared with the sessions from before this one.
  await noticeNewSignIn(db, user.id, "a passkey", context);
  const session = await createSession(db, user.id, context, { amr: [passkeyAmr(result.deviceType), "user", "mfa"], secondFactor: true });
  await recordAuditEvent(db, context, {
    type: "login.succeeded",
    actorId: user.id,
    targetId: session.sessionId,
    details: { method: "passkey", passkeyId: result.passkeyId, deviceType: result.deviceType },
  });
  const signedIn = await sessionResponse(toPublicUser(user), session, session);
  signedIn.headers.append("set-cookie", clearedPasskeySignInCookie());
  return signedIn;
}

/**
 * The one answer to every refusal. The nonce goes too: its challenge was spent by this attempt
 * (or never existed), so the next try starts with new options either way.
 */
function refusal(requestId: string): Response {
  const response = problemResponse(new AppError("ERR_INVALID_CREDENTIALS", { detail: REFUSAL }), requestId);
  response.headers.append("set-cookie", clearedPasskeySignInCookie());
  return response;
}

async function refused(db: Db, context: AuditContext, why: { reason: string; userId?: string }): Promise<Response> {
  // Aggregated per address and window (lib/audit.ts), so a flood is one row. A counter that went
  // back is kept apart by its reason: it may be a cloned authenticator.
  await recordAuditEvent(db, context, {
    type: "login.failed",
    actorId: null,
    targetId: why.userId ?? null,
    details: { method: "passkey", reason: why.reason },
  });
  return refusal(context.requestId);
}

/** SameSite=Strict: a cross-site page can neither send it nor finish a ceremony with it. */
export function passkeySignInCookie(nonce: string): string {
  return [`${PASSKEY_SIGN_IN_COOKIE}=${nonce}`, "Path=/", `Max-Age=${PASSKEY_SIGN_IN_TTL_SECONDS}`, "HttpOnly", "Secure", "SameSite=Strict"].join("; ");
}

export function clearedPasskeySignInCookie(): string {
  return [`${PASSKEY_SIGN_IN_COOKIE}=`, "Path=/", "Max-Age=0", "HttpOnly", "Secure", "SameSite=Strict"].join("; ");
}
