/**
 * Single-use secrets sent by mail: confirm an address, reset a password, prove a new address,
 * undo an address change (docs/decisions/045-verified-addresses-and-recovery.md).
 *
 * Threats (OWASP Forgot Password Cheat Sheet; ASVS 5.0 V6.4.1–V6.4.2):
 * - guessing: a token is 256 bits from the CSPRNG, far past the 128 the standard asks for, and the
 *   endpoints that take one are rate limited besides;
 * - a copy of the database: only SHA-256 of a token is stored, so a backup or a read-only SQL
 *   injection yields nothing to spend. A fast hash is enough: the input is random, not a password;
 * - replay: a token is deleted in the act of spending it, and of two requests racing with one copy
 *   exactly one deletes the row;
 * - a stale token: each purpose has a short lifetime (a reset 30 minutes), a user holds at most one
 *   live token per purpose (a newer request deletes the older), and a password change, a reset or
 *   a sign-in deletes the reset tokens (`revokeEmailTokens`). Undo links are the exception: each
 *   one is the way back for the owner of an address the account had, so a later change must not
 *   delete an earlier one (./email-change.ts says which one wins);
 * - a token for someone else: the row names its user and the address it was sent to, and the
 *   caller acts on that user only.
 * Looking a token up by its hash compares in the index, not in constant time; that is safe because
 * the lookup key is a hash of 256 random bits, which a timing difference cannot help anyone guess.
 */
import "server-only";
import { createHash, randomBytes } from "node:crypto";
import type { Db } from "../db/client";
import { sqlFor } from "../db/sql";
import type { EmailTokenPurpose, Prisma } from "../db/generated/client";

export type { EmailTokenPurpose };

type Tx = Db | Prisma.TransactionClient;

/** Seconds each purpose's token lives. A reset is the shortest: it replaces the password outright. */
export const EMAIL_TOKEN_LIFETIME: Readonly<Record<EmailTokenPurpose, number>> = {
  VERIFY_EMAIL: 24 * 60 * 60,
  RESET_PASSWORD: 30 * 60,
  CHANGE_EMAIL: 60 * 60,
  // Long enough for the old address's owner to read their mail after a weekend away.
  UNDO_EMAIL_CHANGE: 72 * 60 * 60,
};

/** 32 bytes in base64url: exactly 43 characters of the URL-safe alphabet. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function hashEmailToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export interface IssueInput {
  userId: string;
  purpose: EmailTokenPurpose;
  /** The address the token is mailed to. */
  email: string;
  /** For an undo: the address it puts back. */
  previousEmail?: string;
}

/**
 * Mint a token, replacing any live one of the same user and purpose (but an undo link, which
 * replaces none). Returns the secret to mail.
 */
export async function issueEmailToken(db: Db, input: IssueInput, now = new Date()): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + EMAIL_TOKEN_LIFETIME[input.purpose] * 1000);
  // Replacing the undo link of an earlier change would let whoever made two changes cancel the
  // first address's way back (the second undo link goes to the first new address, perhaps theirs).
  const replaces = input.purpose !== "UNDO_EMAIL_CHANGE";
  await db.$transaction([
    ...(replaces ? [db.emailToken.deleteMany({ where: { userId: input.userId, purpose: input.purpose } })] : []),
    db.emailToken.create({
      data: {
        userId: input.userId,
        purpose: input.purpose,
        tokenHash: hashEmailToken(token),
        email: input.email,
        previousEmail: input.previousEmail ?? null,
        expiresAt,
      },
      select: { id: true },
    }),
  ]);
  return token;
}

export interface SpentToken {
  userId: string;
  email: string;
  previousEmail: string | null;
  /** When it was issued: of two live undo links, the older wins (./email-change.ts). */
  issuedAt: Date;
}

/**
 * Spend a token: null unless it exists, is of this purpose, has not expired, and this call is the
 * one that deleted it. A token of another purpose is left alone, so it cannot be spent sideways.
 */
export async function spendEmailToken(db: Tx, token: string, purpose: EmailTokenPurpose, now = new Date()): Promise<SpentToken | null> {
  if (!TOKEN_SHAPE.test(token)) return null;
  const tokenHash = hashEmailToken(token);
  const row = await db.emailToken.findUnique({
    where: { tokenHash },
    select: { id: true, userId: true, purpose: true, email: true, previousEmail: true, expiresAt: true, createdAt: true },
  });
  if (row === null || row.purpose !== purpose) return null;
  // Deleting is spending: of two requests holding one copy, only one deletes a row.
  const spent = await db.emailToken.deleteMany({ where: { id: row.id, tokenHash } });
  if (spent.count !== 1 || row.expiresAt.getTime() <= now.getTime()) return null;
  return { userId: row.userId, email: row.email, previousEmail: row.previousEmail, issuedAt: row.createdAt };
}

/** Delete a user's live tokens of these purposes (after a sign-in, a password change, a reset). */
// Every sign-in runs it (a password proved needs no reset link), so one raw statement (../db/sql.ts, ADR 048).
const REVOKE_EMAIL_TOKENS = `
WITH revoked AS (DELETE FROM "EmailToken" WHERE "userId" = $1 AND purpose = ANY($2::"EmailTokenPurpose"[]) RETURNING 1)
SELECT count(*)::int AS count FROM revoked`;

export async function revokeEmailTokens(db: Tx, userId: string, purposes: readonly EmailTokenPurpose[]): Promise<number> {
  const [row] = await sqlFor(db).query<{ count: number }>(REVOKE_EMAIL_TOKENS, [userId, [...purposes]]);
  return row?.count ?? 0;
}

/** The link a message carries. The token rides in the fragment, which no browser sends to any server (not in logs, not in Referer). */
export function emailTokenUrl(appUrl: string, page: string, token: string): string {
  return `${appUrl}${page}#token=${token}`;
}
