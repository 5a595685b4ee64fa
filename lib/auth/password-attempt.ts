/**
 * The one place a password is checked: sign-in, changing a password, deleting an account,
 * confirming a provider link, and any flow added later (docs/decisions/035-one-password-check.md).
 *
 * Threat: every endpoint that answers "is this the password?" is a guessing oracle. One left
 * outside the sign-in limits turns a stolen session into about 43,000 guesses a day instead of
 * 480, and one that costs less for an unknown account than a known one tells an attacker which
 * accounts exist.
 * Defence, the same for every purpose:
 * - the sign-in failure limits, per address and per account (lib/edge/rate-limit/auth-attempts.ts;
 *   ADR 012), counted before the check and refunded on success. The account tier is keyed on the
 *   account's email whichever way the caller names it, so a wrong current password on the
 *   account page counts against sign-in for that account too;
 * - exactly one argon2 verification per attempt, against a dummy hash when there is no account or
 *   no password (OWASP ASVS 5.0 V6.3.8), so the cost never depends on whether the account exists;
 * - an audit event for every failure and refusal.
 * Lint forbids calling the hash verifier (./password-hash.ts) from anywhere else.
 */
import "server-only";
import { randomBytes } from "node:crypto";
import { recordAuditEvent, type AuditContext, type AuditEventType } from "../audit";
import type { Db } from "../db/client";
import { authAttemptRefusalError, checkAuthAttempt, recordAuthFailure, recordAuthSuccess } from "../edge/rate-limit/auth-attempts";
import { toPublicUser, type PublicUser } from "../users/public-user";
import { sqlFor } from "../db/sql";
import type { Role } from "../db/generated/client";
import { hashPassword, needsRehash, verifyPassword } from "./password-hash";

let dummyHash: Promise<string> | undefined;

function getDummyHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(32).toString("base64url"));
  return dummyHash;
}

/** Whose password it must be: named by email (sign-in, link confirmation) or by id (the signed-in caller). */
export type AccountRef = { email: string } | { userId: string };

/**
 * `secondFactor`: the account has a second factor, read in the same statement as the password
 * hash, so a sign-in knows whether the password is enough without another round trip.
 */
export type LoginResult = { ok: true; user: PublicUser; secondFactor: boolean } | { ok: false; userId: string | null };

/**
 * One verification, with no limit and no audit: the primitive `attemptPassword` is built on.
 * Exported for the equal-cost test; every flow calls `attemptPassword`.
 */
interface CredentialRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  emailVerifiedAt: Date | null;
  passwordHash: string | null;
  disabledAt: Date | null;
  secondFactor: boolean;
}

// On every sign-in's path, so raw SQL (../db/sql.ts, ADR 048); the columns are publicUserSelect's,
// the two the check needs, and whether a second factor stands behind the password
// (./mfa/second-factor.ts `hasSecondFactor` asks the same).
const CREDENTIAL_COLUMNS = `u.id, u.email, u.name, u.role, u."emailVerifiedAt" AT TIME ZONE 'UTC' AS "emailVerifiedAt", u."passwordHash",
  u."disabledAt" AT TIME ZONE 'UTC' AS "disabledAt",
  EXISTS (SELECT 1 FROM "TotpFactor" f WHERE f."userId" = u.id AND f."confirmedAt" IS NOT NULL)
    OR EXISTS (SELECT 1 FROM "Passkey" k WHERE k."userId" = u.id) AS "secondFactor"`;
const CREDENTIALS_BY_EMAIL = `SELECT ${CREDENTIAL_COLUMNS} FROM "User" u WHERE u.email = $1`;
const CREDENTIALS_BY_ID = `SELECT ${CREDENTIAL_COLUMNS} FROM "User" u WHERE u.id = $1`;

export async function checkCredentials(db: Db, account: AccountRef & { password: string }): Promise<LoginResult> {
  const [user = null] = await sqlFor(db).query<CredentialRow>("email" in account ? CREDENTIALS_BY_EMAIL : CREDENTIALS_BY_ID, [
    "email" in account ? account.email : account.userId,
  ]);
  const valid = await verifyPassword(user?.passwordHash ?? (await getDummyHash()), account.password);
  if (user === null || user.passwordHash === null || !valid || user.disabledAt !== null) {
    return { ok: false, userId: user?.id ?? null };
  }
  if (needsRehash(user.passwordHash)) {
    // The stored hash used older parameters; upgrade it now that we hold the plaintext.
    await db.user.update({ where: { id: user.id }, data: { passwordHash: await hashPassword(account.password) }, select: { id: true } });
  }
  return { ok: true, user: toPublicUser(user), secondFactor: user.secondFactor === true };
}

export type PasswordPurpose = "sign-in" | "password-change" | "account-deletion" | "link-confirmation" | "step-up";

export interface PasswordAttemptInput {
  account: AccountRef;
  password: string;
  purpose: PasswordPurpose;
  /** Added to the audit events, e.g. the provider a link confirmation is for. */
  details?: Record<string, string>;
}

export type PasswordAttemptResult =
  /** `headers`: the RateLimit fields, for the response either way. */
  { ok: true; user: PublicUser; secondFactor: boolean; headers: Headers } | { ok: false; userId: string | null; headers: Headers };

/** Sign-in keeps its long-standing event names; every other purpose shares two. */
const EVENTS: Record<PasswordPurpose, { failed: AuditEventType; limited: AuditEventType }> = {
  "sign-in": { failed: "login.failed", limited: "login.rate_limited" },
  "password-change": { failed: "password.check_failed", limited: "password.check_rate_limited" },
  "account-deletion": { failed: "password.check_failed", limited: "password.check_rate_limited" },
  "link-confirmation": { failed: "oauth.link_refused", limited: "password.check_rate_limited" },
  "step-up": { failed: "password.check_failed", limited: "password.check_rate_limited" },
};

/** The account's email, for the account tier's key; an unknown id keys on itself, still one account. */
async function accountEmail(db: Db, account: AccountRef): Promise<{ email: string; userId: string | null }> {
  if ("email" in account) return { email: account.email, userId: null };
  const user = await db.user.findUnique({ where: { id: account.userId }, select: { email: true } });
  return { email: user?.email ?? `id:${account.userId}`, userId: account.userId };
}

/**
 * Check a password under the sign-in limits. Throws the 429 (or, with the store down, 503)
 * problem when the limits refuse the attempt, before any verification; otherwise reports whether
 * the password was right, and the caller chooses its own wording for a wrong one.
 */
export async function attemptPassword(db: Db, input: PasswordAttemptInput, context: AuditContext): Promise<PasswordAttemptResult> {
  const { email, userId: callerId } = await accountEmail(db, input.account);
  const events = EVENTS[input.purpose];
  // Sign-in's events say it all by their type; the others name their purpose.
  const details = input.purpose === "sign-in" ? input.details : { purpose: input.purpose, ...input.details };
  const failureDetails = input.purpose === "sign-in" ? details : { ...details, reason: "wrong_password" };
  const attempt = await checkAuthAttempt({ ip: context.ip, email, requestId: context.requestId });
  if (!attempt.allowed) {
    await recordAuditEvent(db, context, { type: events.limited, actorId: callerId, targetId: callerId, ...(details === undefined ? {} : { details }) });
    throw authAttemptRefusalError(attempt);
  }
  const result = await checkCredentials(db, { ...input.account, password: input.password });
  if (!result.ok) {
    await recordAuthFailure(attempt);
    await recordAuditEvent(db, context, {
      type: events.failed,
      actorId: callerId,
      targetId: result.userId,
      ...(failureDetails === undefined ? {} : { details: failureDetails }),
    });
    return { ok: false, userId: result.userId, headers: attempt.headers };
  }
  await recordAuthSuccess(attempt);
  return { ok: true, user: result.user, secondFactor: result.secondFactor, headers: attempt.headers };
}
