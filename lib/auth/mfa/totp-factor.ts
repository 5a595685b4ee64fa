/**
 * An account's TOTP factor in the database: enrol, confirm, verify, remove
 * (docs/decisions/046-second-factors-foundation.md). No HTTP here; the routes that call these
 * add the re-authentication, the attempt limits, the audit and the notices.
 *
 * Threats and defences (OWASP ASVS 5.0 V6.5.1, V6.5.5; RFC 6238 §5.2):
 * - an authenticator that never got the secret: a factor counts only once a first valid code
 *   confirms it; until then it is pending, asked for nowhere, and replaced by the next enrolment;
 * - replay of a code seen over a shoulder or through a phishing proxy: the factor keeps the last
 *   time step it accepted, and a code is accepted only for a later step. The check and the write
 *   are one conditional UPDATE, so of two requests racing with one code exactly one passes;
 * - a stolen row: the secret is sealed with MFA_ENCRYPTION_KEY and bound to its user
 *   (./secret-box.ts). A box that does not open is an integrity failure, thrown, never a wrong code;
 * - another user's factor: every query names the user, and a factor has one user (unique).
 */
import "server-only";
import type { Db } from "../../db/client";
import type { Prisma } from "../../db/generated/client";
import { deleteRecoveryCodes } from "./recovery-codes";
import { openSecret, sealSecret } from "./secret-box";
import { generateTotpSecret, matchTotpStep, totpKeyUri, totpManualKey } from "./totp";

type Tx = Db | Prisma.TransactionClient;

/** A factor's secret did not decrypt: another key, or a row altered or copied from another user. */
export class TotpSecretUnreadableError extends Error {
  constructor(readonly userId: string) {
    super("The TOTP secret of this account's factor cannot be decrypted (wrong MFA_ENCRYPTION_KEY, or an altered row).");
    this.name = "TotpSecretUnreadableError";
  }
}

export type TotpFactorState = { state: "none" } | { state: "pending"; createdAt: Date } | { state: "confirmed"; confirmedAt: Date };

/** Whether `userId` has a TOTP factor, and whether it is confirmed (only then is it a second factor). */
export async function totpFactorState(db: Tx, userId: string): Promise<TotpFactorState> {
  const factor = await db.totpFactor.findUnique({ where: { userId }, select: { confirmedAt: true, createdAt: true } });
  if (factor === null) return { state: "none" };
  return factor.confirmedAt === null ? { state: "pending", createdAt: factor.createdAt } : { state: "confirmed", confirmedAt: factor.confirmedAt };
}

export type StartTotpEnrolmentResult =
  /**
   * The new secret, for the enrolment screen only: `keyUri` for the QR code, `manualKey` (the
   * secret in base32) for typing. It is stored sealed and never shown again.
   */
  | { ok: true; secret: Uint8Array; keyUri: string; manualKey: string }
  /** A confirmed factor exists: it must be removed first, after re-authentication. */
  | { ok: false; reason: "already-enrolled" }
  | { ok: false; reason: "no-user" };

/** Store a new, unconfirmed factor for `userId`, replacing a pending one. */
export async function startTotpEnrolment(db: Db, userId: string): Promise<StartTotpEnrolmentResult> {
  const secret = generateTotpSecret();
  return db.$transaction(async (tx): Promise<StartTotpEnrolmentResult> => {
    // The user's row serialises enrolments: two at once must not leave the second secret stored
    // while the first is shown, nor replace a factor confirmed meanwhile.
    const users = await tx.$queryRaw<{ email: string }[]>`SELECT email FROM "User" WHERE id = ${userId} FOR UPDATE`;
    const user = users[0];
    if (user === undefined) return { ok: false, reason: "no-user" };
    const existing = await tx.totpFactor.findUnique({ where: { userId }, select: { confirmedAt: true } });
    if (existing !== null && existing.confirmedAt !== null) return { ok: false, reason: "already-enrolled" };
    await tx.totpFactor.deleteMany({ where: { userId, confirmedAt: null } });
    await tx.totpFactor.create({ data: { userId, encryptedSecret: sealSecret(secret, userId) }, select: { id: true } });
    return { ok: true, secret, keyUri: totpKeyUri(secret, user.email), manualKey: totpManualKey(secret) };
  });
}

export type ConfirmTotpEnrolmentResult =
  | { ok: true; confirmedAt: Date }
  /** No pending factor: none was started, it is confirmed already, or another enrolment replaced it. */
  | { ok: false; reason: "no-pending-enrolment" }
  | { ok: false; reason: "invalid-code" };

/**
 * Confirm the pending factor of `userId` with a first code from the authenticator. The step it
 * matched is recorded, so the same code cannot then pass a sign-in.
 */
export async function confirmTotpEnrolment(db: Tx, userId: string, code: string, now = new Date()): Promise<ConfirmTotpEnrolmentResult> {
  const factor = await db.totpFactor.findUnique({ where: { userId }, select: { id: true, encryptedSecret: true, confirmedAt: true } });
  if (factor === null || factor.confirmedAt !== null) return { ok: false, reason: "no-pending-enrolment" };
  const step = matchTotpStep(readSecret(factor.encryptedSecret, userId), code, now);
  if (step === null) return { ok: false, reason: "invalid-code" };
  // Only the secret this code was checked against may be confirmed: an enrolment started in
  // another tab meanwhile replaced it, and its secret is the one that tab shows.
  const confirmed = await db.totpFactor.updateMany({
    where: { id: factor.id, encryptedSecret: factor.encryptedSecret, confirmedAt: null },
    data: { confirmedAt: now, lastUsedStep: step },
  });
  if (confirmed.count !== 1) return { ok: false, reason: "no-pending-enrolment" };
  return { ok: true, confirmedAt: now };
}

export type VerifyTotpCodeResult =
  /** Accepted for time step `step`, now recorded as the last one used. */
  | { ok: true; step: number }
  /** The account has no confirmed TOTP factor. */
  | { ok: false; reason: "no-factor" }
  /** Not a current code of this account's secret. */
  | { ok: false; reason: "invalid-code" }
  /**
   * A current code, but of a step already used (or earlier), or another request spent it first:
   * seen before, so possibly seen by someone else. A caller counts it as a failure.
   */
  | { ok: false; reason: "replayed" };

/** Check a sign-in (or step-up) code against the confirmed factor of `userId`, once only. */
export async function verifyTotpCode(db: Tx, userId: string, code: string, now = new Date()): Promise<VerifyTotpCodeResult> {
  const factor = await db.totpFactor.findUnique({ where: { userId }, select: { id: true, encryptedSecret: true, confirmedAt: true, lastUsedStep: true } });
  if (factor === null || factor.confirmedAt === null) return { ok: false, reason: "no-factor" };
  const step = matchTotpStep(readSecret(factor.encryptedSecret, userId), code, now);
  if (step === null) return { ok: false, reason: "invalid-code" };
  if (factor.lastUsedStep !== null && step <= factor.lastUsedStep) return { ok: false, reason: "replayed" };
  // The replay rule again, as the UPDATE's condition: of two requests that both read the old
  // lastUsedStep, the second one's UPDATE waits for the first (Postgres re-checks the row it
  // waited for) and then matches nothing. NULL is never `< step`, hence the explicit case.
  const accepted = await db.totpFactor.updateMany({
    where: { id: factor.id, confirmedAt: { not: null }, OR: [{ lastUsedStep: null }, { lastUsedStep: { lt: step } }] },
    data: { lastUsedStep: step },
  });
  // Zero rows: another request accepted this step or a later one first (or the factor was
  // removed meanwhile, which refuses the code just the same).
  if (accepted.count !== 1) return { ok: false, reason: "replayed" };
  return { ok: true, step };
}

export interface RemoveTotpFactorResult {
  /** False when there was no factor, pending or confirmed. */
  removed: boolean;
  /** Recovery codes deleted with it: they stand in for a second factor the account no longer has. */
  recoveryCodesDeleted: number;
}

export interface RemoveTotpFactorOptions {
  /**
   * Keep the recovery codes when the account still has a passkey: they stand in for that factor
   * too. The passkeys are counted inside the removal's transaction, under the user's row lock, so
   * the answer cannot be stale by the time the codes are kept.
   */
  keepRecoveryCodesForPasskeys?: boolean;
}

/**
 * Remove the TOTP factor of `userId`, with its recovery codes: left behind, they would come back
 * to life with the next enrolment. With `keepRecoveryCodesForPasskeys`, the codes stay while the
 * account has a passkey. The caller requires a recent re-authentication first.
 */
export async function removeTotpFactor(db: Db, userId: string, options: RemoveTotpFactorOptions = {}): Promise<RemoveTotpFactorResult> {
  return db.$transaction(async (tx) => {
    if (options.keepRecoveryCodesForPasskeys === true) {
      // Serialises this with any other change to the account's factors that takes the same lock.
      await tx.$queryRaw`SELECT id FROM "User" WHERE id = ${userId} FOR UPDATE`;
    }
    const { count } = await tx.totpFactor.deleteMany({ where: { userId } });
    const keep = options.keepRecoveryCodesForPasskeys === true && (await tx.passkey.count({ where: { userId } })) > 0;
    const recoveryCodesDeleted = keep ? 0 : await deleteRecoveryCodes(tx, userId);
    return { removed: count === 1, recoveryCodesDeleted };
  });
}

function readSecret(box: string, userId: string): Uint8Array {
  const secret = openSecret(box, userId);
  if (secret === null) throw new TotpSecretUnreadableError(userId);
  return secret;
}
