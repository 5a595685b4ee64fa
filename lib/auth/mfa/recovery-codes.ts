/**
 * Recovery codes: single-use look-up secrets that stand in for the second factor when the
 * authenticator is lost (docs/decisions/046-second-factors-foundation.md).
 *
 * Threats (OWASP ASVS 5.0 V6.5.1–V6.5.4, Multifactor Authentication Cheat Sheet):
 * - guessing: a code is 125 bits from the CSPRNG (25 symbols of a 32-symbol alphabet), and the
 *   caller limits wrong second-factor attempts per account besides;
 * - a copy of the database: only SHA-256 of a domain label, the user id and the normalised code
 *   is stored. A fast hash is enough because the input is random, not chosen by a person: ASVS
 *   V6.5.2 allows a standard hash from 112 bits of entropy up, and a slow salted one below that.
 *   Reversing one hash takes about 2^124 SHA-256 evaluations; the user id in the input makes each
 *   hash a separate target, so a copy of many accounts' codes is no easier than one;
 * - replay: a code is spent by a conditional update (`usedAt` from null to now), so of two
 *   requests racing with one copy exactly one spends it;
 * - a code for someone else: the hash includes the user id and the update names the user, so a
 *   code works only for the account it was issued to;
 * - a stale set: generating a new set deletes the old one in the same transaction.
 * Looking a code up by its hash compares in the index, not in constant time; that is safe because
 * the key is a hash of 125 random bits, which a timing difference cannot help anyone guess.
 */
import "server-only";
import { createHash, randomBytes } from "node:crypto";
import type { Db } from "../../db/client";
import type { Prisma } from "../../db/generated/client";

type Tx = Db | Prisma.TransactionClient;

/** About ten, as the issue asks and as most services issue: enough for years of lost phones. */
export const RECOVERY_CODE_COUNT = 10;
/**
 * Crockford's base32: digits and capitals without I, L, O and U, so no two symbols are easily
 * confused when read off paper. 32 symbols, exactly 5 bits each, so no symbol is more likely.
 */
export const RECOVERY_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
export const RECOVERY_CODE_SYMBOLS = 25;
/** 125 bits: above the 112 from which ASVS V6.5.2 allows a standard hash (see the top). */
export const RECOVERY_CODE_BITS = RECOVERY_CODE_SYMBOLS * 5;
const GROUP = 5;
/** 16 bytes hold the 125 bits a code uses; the last 3 bits are dropped. */
const RANDOM_BYTES = 16;

const HASH_LABEL = "palisade/recovery-code/v1\u0000";

/**
 * Spell 16 random bytes as a code: their first 125 bits, five at a time, in groups of five
 * (`7KQ2M-XW4PD-...`). Exported for tests; `generateRecoveryCode` is the one to call.
 */
export function encodeRecoveryCode(bytes: Uint8Array): string {
  if (bytes.length !== RANDOM_BYTES) throw new RangeError(`a recovery code takes ${RANDOM_BYTES} bytes`);
  let symbols = "";
  for (let index = 0; index < RECOVERY_CODE_SYMBOLS; index++) {
    const bit = index * 5;
    // The 5 bits starting at `bit`, read big-endian across at most two bytes.
    const pair = ((bytes[bit >> 3] ?? 0) << 8) | (bytes[(bit >> 3) + 1] ?? 0);
    symbols += RECOVERY_CODE_ALPHABET[(pair >> (11 - (bit & 7))) & 31];
  }
  const groups: string[] = [];
  for (let start = 0; start < symbols.length; start += GROUP) groups.push(symbols.slice(start, start + GROUP));
  return groups.join("-");
}

export function generateRecoveryCode(): string {
  return encodeRecoveryCode(randomBytes(RANDOM_BYTES));
}

/**
 * A code as typed back into the canonical 25 symbols, or null when it cannot be one. Case,
 * spaces and dashes do not matter, and the letters Crockford's alphabet leaves out are read as
 * the digits they are mistaken for (O as 0, I and L as 1), so a code read off paper still works.
 */
export function normaliseRecoveryCode(input: string): string | null {
  const code = input
    .toUpperCase()
    .replace(/[\s\-\u2010-\u2015\u2212]+/g, "")
    .replace(/O/g, "0")
    .replace(/[IL]/g, "1");
  if (code.length !== RECOVERY_CODE_SYMBOLS) return null;
  for (const symbol of code) if (!RECOVERY_CODE_ALPHABET.includes(symbol)) return null;
  return code;
}

/** The stored form: SHA-256 (hex) of the label, the user id and the normalised code. */
export function hashRecoveryCode(userId: string, normalisedCode: string): string {
  return createHash("sha256").update(`${HASH_LABEL}${userId}\u0000${normalisedCode}`, "utf8").digest("hex");
}

export interface ReplaceRecoveryCodesOptions {
  /**
   * Issue a set only when the account holds neither a confirmed authenticator app nor an unused
   * code: a passkey registration that gives the account its first second factor (ADR 047,
   * decision 13). Decided under the same row lock as the write, so of two registrations at once
   * only one issues a set, and no set that was shown is silently replaced by the other's.
   */
  onlyWhenUncovered?: boolean;
}

/**
 * Replace every recovery code of `userId` (used or not) with a new set, and return the new codes:
 * the only time they exist outside the user's hands. Null when the account no longer exists, or,
 * with `onlyWhenUncovered`, when it needs no new set. Call it only for an account with a second
 * factor, after a recent re-authentication (the caller's rule).
 */
export async function replaceRecoveryCodes(db: Db, userId: string, options: ReplaceRecoveryCodesOptions = {}): Promise<string[] | null> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, generateRecoveryCode);
  return db.$transaction(async (tx) => {
    // Two regenerations at once must not both survive: each would show its own set, and the
    // account would end up with twenty codes. The user's row serialises them.
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "User" WHERE id = ${userId} FOR UPDATE`;
    if (locked.length === 0) return null;
    if (options.onlyWhenUncovered === true) {
      const totp = await tx.totpFactor.count({ where: { userId, confirmedAt: { not: null } } });
      if (totp > 0 || (await remainingRecoveryCodes(tx, userId)) > 0) return null;
    }
    await tx.recoveryCode.deleteMany({ where: { userId } });
    await tx.recoveryCode.createMany({
      data: codes.map((code) => ({ userId, codeHash: hashRecoveryCode(userId, normaliseRecoveryCode(code) as string) })),
    });
    return codes;
  });
}

export type ConsumeRecoveryCodeResult =
  /** Spent. `remaining` is how many unused codes the account has left, to warn when few remain. */
  | { ok: true; remaining: number }
  /** Not a code of this account, already used, or not a code at all: the same answer for each. */
  | { ok: false; reason: "invalid-code" };

/** Spend one recovery code of `userId`. Single use: of two racing calls with one code, one wins. */
export async function consumeRecoveryCode(db: Tx, userId: string, submitted: string, now = new Date()): Promise<ConsumeRecoveryCodeResult> {
  const code = normaliseRecoveryCode(submitted);
  if (code === null) return { ok: false, reason: "invalid-code" };
  // The condition on usedAt is the spend: a second update of the same row finds it set and
  // changes nothing, on Postgres (which re-checks the row after waiting for the first) and PGlite.
  const spent = await db.recoveryCode.updateMany({
    where: { userId, codeHash: hashRecoveryCode(userId, code), usedAt: null },
    data: { usedAt: now },
  });
  if (spent.count !== 1) return { ok: false, reason: "invalid-code" };
  return { ok: true, remaining: await remainingRecoveryCodes(db, userId) };
}

/** How many unused recovery codes `userId` holds. */
export function remainingRecoveryCodes(db: Tx, userId: string): Promise<number> {
  return db.recoveryCode.count({ where: { userId, usedAt: null } });
}

/** Delete every recovery code of `userId`, for when the account has no second factor left. */
export async function deleteRecoveryCodes(db: Tx, userId: string): Promise<number> {
  const { count } = await db.recoveryCode.deleteMany({ where: { userId } });
  return count;
}
