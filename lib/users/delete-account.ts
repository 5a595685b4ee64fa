/**
 * Deleting one's own account: the caller must prove it is them again (their password, or for an
 * account without one a sign-in in the last few minutes), so a stolen session alone cannot destroy
 * an account. Sessions and notes go
 * with the user (ON DELETE CASCADE); the audit trail keeps the event, by id only. The last
 * administrator cannot delete their own account (409), as they cannot demote themselves.
 */
import "server-only";
import { z } from "zod";
import { AppError } from "../http/errors";
import { recordAuditEvent, type AuditContext } from "../audit";
import type { UserActor } from "../authz/policy";
import type { Db } from "../db/client";
import { attemptPassword } from "../auth/password-attempt";
import { isRecentSignIn, RECENT_SIGN_IN_SECONDS } from "../auth/oauth/linking";

export const DeleteAccountSchema = z.strictObject({ password: z.string().min(1).max(1024).optional() });

export async function deleteOwnAccount(db: Db, caller: UserActor, input: z.output<typeof DeleteAccountSchema>, context: AuditContext): Promise<void> {
  const userId = caller.id;
  const user = await db.user.findUnique({ where: { id: userId }, select: { passwordHash: true } });
  if (user === null) throw new AppError("ERR_UNAUTHENTICATED");
  if (user.passwordHash === null) {
    // No password to confirm with (a provider-only account): the proof is a fresh sign-in instead.
    if (!(await isRecentSignIn(db, caller))) {
      throw new AppError("ERR_REAUTH_REQUIRED", {
        detail: `Sign in again to delete this account: it must be done within ${RECENT_SIGN_IN_SECONDS / 60} minutes of signing in.`,
      });
    }
  } else {
    const confirm = (headers?: Headers) =>
      new AppError("ERR_VALIDATION", {
        detail: "Confirm with your current password.",
        errors: { password: ["Not correct."] },
        ...(headers === undefined ? {} : { headers: Object.fromEntries(headers) }),
      });
    // No password sent is no guess: nothing to count. A sent one is checked under the sign-in limits.
    if (input.password === undefined) throw confirm();
    const check = await attemptPassword(db, { account: { userId }, password: input.password, purpose: "account-deletion" }, context);
    if (!check.ok) throw confirm(check.headers);
  }
  await db.$transaction(async (tx) => {
    // The last enabled admin may not delete themselves: that would leave no one able to manage
    // users. The enabled admins are locked first, in id order, exactly as lib/admin/users.ts
    // does, so this cannot race a concurrent demotion.
    const admins = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM "User" WHERE role = 'ADMIN' AND "disabledAt" IS NULL ORDER BY id FOR UPDATE`;
    if (admins.some((admin) => admin.id === userId) && admins.length <= 1) {
      throw new AppError("ERR_LAST_ADMIN", { detail: "Make another account an administrator before deleting this one." });
    }
    await recordAuditEvent(tx, context, { type: "account.deleted", actorId: userId, targetId: userId });
    // deleteMany, not delete: of two deletions sent together (a double click), the second finds
    // no row; that is "already gone" (401), not a crash.
    const deleted = await tx.user.deleteMany({ where: { id: userId } });
    if (deleted.count !== 1) throw new AppError("ERR_UNAUTHENTICATED");
  });
}
