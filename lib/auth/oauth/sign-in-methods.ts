/**
 * The ways into an account: its password, and each linked identity provider. Listing them, and
 * removing a provider (GET /api/auth/oauth/accounts, DELETE /api/auth/oauth/accounts/{provider};
 * docs/decisions/036-linked-identities-are-visible-and-removable.md).
 *
 * Threat: a provider linked during a borrowed session (an unlocked laptop, a stolen access token
 * in its first 10 minutes) is a lasting way in that changing the password or signing out
 * everywhere does not touch. If the owner cannot see it, they cannot remove it (OWASP ASVS 5.0
 * 7.4.3: the user can see and end every way of authenticating).
 * Defence: every method is listed with when it was linked and last used. Removing one needs a
 * recent sign-in (the person, not only a token, is present), is refused when it would leave the
 * account with no way in, ends every other session (the borrowed one among them), and is audited.
 * The check for "another way in" and the delete run under a lock on the user's row, so two
 * removals racing cannot both pass it and leave the account unreachable.
 */
import "server-only";
import { z } from "zod";
import { recordAuditEvent, type AuditContext } from "../../audit";
import type { UserActor } from "../../authz/policy";
import type { Db } from "../../db/client";
import { AppError } from "../../http/errors";
import { PROVIDER_IDS, type ProviderId } from "./configured";
import { endSessionsAfterChange, isRecentSignIn, RECENT_SIGN_IN_SECONDS } from "./linking";
import { providerName } from "./provider-name";
import { sendSecurityNotice } from "../../users/security-notices";

export const LinkedProviderSchema = z.strictObject({
  provider: z.enum(PROVIDER_IDS as [ProviderId, ...ProviderId[]]),
  /** The button label of the provider; its id when the deployment no longer offers it. */
  name: z.string(),
  /** The verified email the provider asserted when it was linked. */
  email: z.string().nullable(),
  linkedAt: z.iso.datetime(),
  lastSignInAt: z.iso.datetime().nullable(),
});

export const SignInMethodsSchema = z.strictObject({
  password: z.boolean(),
  providers: z.array(LinkedProviderSchema),
});

export type LinkedProvider = z.infer<typeof LinkedProviderSchema>;
export type SignInMethods = z.infer<typeof SignInMethodsSchema>;

export const UnlinkParamsSchema = z.strictObject({
  provider: z.enum(PROVIDER_IDS as [ProviderId, ...ProviderId[]], { message: "Not a sign-in provider." }),
});

/** The caller's own sign-in methods. Reads a count for the password, never the hash. */
export async function listSignInMethods(db: Db, userId: string): Promise<SignInMethods> {
  const [withPassword, accounts] = await Promise.all([
    db.user.count({ where: { id: userId, passwordHash: { not: null } } }),
    db.account.findMany({
      where: { userId },
      orderBy: { createdAt: "asc" },
      select: { provider: true, email: true, createdAt: true, lastSignInAt: true },
    }),
  ]);
  return {
    password: withPassword === 1,
    providers: accounts
      .filter((account): account is typeof account & { provider: ProviderId } => (PROVIDER_IDS as readonly string[]).includes(account.provider))
      .map((account) => ({
        provider: account.provider,
        name: providerName(account.provider),
        email: account.email,
        linkedAt: account.createdAt.toISOString(),
        lastSignInAt: account.lastSignInAt?.toISOString() ?? null,
      })),
  };
}

/** Remove one linked provider from the caller's account. */
export async function unlinkProvider(db: Db, caller: UserActor, provider: ProviderId, context: AuditContext): Promise<void> {
  if (!(await isRecentSignIn(db, caller))) {
    throw new AppError("ERR_REAUTH_REQUIRED", {
      detail: `Sign in again to remove a sign-in method: it must be done within ${RECENT_SIGN_IN_SECONDS / 60} minutes of signing in.`,
    });
  }
  await db.$transaction(async (tx) => {
    // Serialises every change to this user's ways in (a concurrent unlink waits here).
    const locked = await tx.$queryRaw<{ passwordHash: string | null }[]>`
      SELECT "passwordHash" FROM "User" WHERE id = ${caller.id} FOR UPDATE`;
    const user = locked[0];
    if (user === undefined) throw new AppError("ERR_UNAUTHENTICATED");
    const linked = await tx.account.findMany({ where: { userId: caller.id }, select: { provider: true } });
    if (!linked.some((account) => account.provider === provider)) {
      throw new AppError("ERR_NOT_FOUND", { detail: "That provider is not connected to this account." });
    }
    if (user.passwordHash === null && linked.length === 1) {
      throw new AppError("ERR_CONFLICT", {
        detail: "This is the only way to sign in to this account. Add a password or connect another provider before removing it.",
      });
    }
    await tx.account.deleteMany({ where: { userId: caller.id, provider } });
    await recordAuditEvent(tx, context, { type: "oauth.unlinked", actorId: caller.id, targetId: caller.id, details: { provider } });
  });
  // Outside the lock: ending sessions touches other rows and need not hold the user's.
  await endSessionsAfterChange(db, context, caller.id, caller.sessionId, "provider_unlinked");
  await sendSecurityNotice(db, caller.id, { kind: "sign-in-method-changed", method: providerName(provider), change: "removed" }, context);
}
