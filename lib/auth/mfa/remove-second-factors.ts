/**
 * Every second factor of an account, gone at once: its authenticator app, passkeys, recovery
 * codes and any sign-in waiting for one. For when the account's address is proved for the first
 * time by someone who may not be the one who set them up (a provider claiming an unverified
 * account, a reset through the mailed link): a squatter's factor must neither stand between the
 * owner and the account nor let the squatter back in (ADR 045, ADR 047).
 */
import "server-only";
import type { Prisma } from "../../db/generated/client";

export async function removeSecondFactors(tx: Prisma.TransactionClient, userId: string): Promise<void> {
  await tx.totpFactor.deleteMany({ where: { userId } });
  await tx.passkey.deleteMany({ where: { userId } });
  await tx.recoveryCode.deleteMany({ where: { userId } });
  await tx.pendingSignIn.deleteMany({ where: { userId } });
}
