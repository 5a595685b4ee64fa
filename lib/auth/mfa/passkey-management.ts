/**
 * An account's passkeys: list, rename, remove (docs/decisions/047-second-factor-sign-in-and-step-up.md).
 * No HTTP here; the routes add the recent-authentication rule for removal, the audit and the notice.
 *
 * Threat: one user naming another user's passkey id (they are cuids in URLs and responses) to
 * rename or remove it (OWASP API Security Top 10 2023, API1: broken object level authorization).
 * Defence: the owner is a condition of every query (`where: { id, userId }`), in the same
 * statement as the write, so there is no fetch-then-compare step to forget and no window between
 * the check and the write. Someone else's passkey and one that never existed both come back as
 * "not found".
 */
import "server-only";
import type { Db } from "../../db/client";
import type { Prisma } from "../../db/generated/client";
import { PasskeyNameSchema, passkeySelect, toPublicPasskey, type PublicPasskey } from "./passkey-public";
import { deleteRecoveryCodes } from "./recovery-codes";

type Tx = Db | Prisma.TransactionClient;

/** True when `userId` has at least one passkey. */
export async function hasPasskey(db: Tx, userId: string): Promise<boolean> {
  return (await db.passkey.count({ where: { userId } })) > 0;
}

/** The passkeys of `userId`, oldest first, in their public shape. */
export async function listPasskeys(db: Tx, userId: string): Promise<PublicPasskey[]> {
  const rows = await db.passkey.findMany({ where: { userId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], select: passkeySelect });
  return rows.map(toPublicPasskey);
}

export type RenamePasskeyResult = { ok: true; passkey: PublicPasskey } | { ok: false; reason: "invalid-name" } | { ok: false; reason: "not-found" };

/** Rename a passkey of `userId`; another user's passkey is `not-found`, and stays as it was. */
export async function renamePasskey(db: Tx, input: { userId: string; passkeyId: string; name: string }): Promise<RenamePasskeyResult> {
  const name = PasskeyNameSchema.safeParse(input.name);
  if (!name.success) return { ok: false, reason: "invalid-name" };
  // One statement: `UPDATE … WHERE id = $1 AND "userId" = $2 RETURNING …`.
  const [passkey] = await db.passkey.updateManyAndReturn({
    where: { id: input.passkeyId, userId: input.userId },
    data: { name: name.data },
    select: passkeySelect,
  });
  return passkey === undefined ? { ok: false, reason: "not-found" } : { ok: true, passkey: toPublicPasskey(passkey) };
}

export interface RemovePasskeyResult {
  /** False when `userId` has no passkey with this id (none at all, or it is someone else's). */
  removed: boolean;
  /**
   * Recovery codes deleted with it: when this was the account's last second factor, the codes
   * would stand in for a factor it no longer has, and come back to life with the next one.
   */
  recoveryCodesDeleted: number;
}

/** Remove a passkey of `userId`. The caller requires a recent authentication first. */
export async function removePasskey(db: Db, input: { userId: string; passkeyId: string }): Promise<RemovePasskeyResult> {
  return db.$transaction(async (tx) => {
    // The user's row serialises removals: two at once of the last two passkeys would otherwise
    // each still see the other one (not yet committed) as the factor that remains, and both
    // leave the codes behind.
    await tx.$queryRaw`SELECT id FROM "User" WHERE id = ${input.userId} FOR UPDATE`;
    const { count } = await tx.passkey.deleteMany({ where: { id: input.passkeyId, userId: input.userId } });
    if (count === 0) return { removed: false, recoveryCodesDeleted: 0 };
    const passkeys = await tx.passkey.count({ where: { userId: input.userId } });
    const totp = await tx.totpFactor.count({ where: { userId: input.userId, confirmedAt: { not: null } } });
    const recoveryCodesDeleted = passkeys + totp === 0 ? await deleteRecoveryCodes(tx, input.userId) : 0;
    return { removed: true, recoveryCodesDeleted };
  });
}
