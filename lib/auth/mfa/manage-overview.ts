/**
 * The caller's own second factors as the security page shows them (GET /api/auth/mfa;
 * docs/decisions/047-second-factor-sign-in-and-step-up.md).
 *
 * Threats: an account page that hands out a factor's secret (the TOTP seed, a recovery code, a
 * passkey's public key or credential id) makes every read-only leak of a session, an XSS or a
 * shared screen a way to copy the factor; and a list that is not scoped to the caller shows
 * someone else's authenticators (OWASP API1, API3).
 * Defence: every read names the caller's own id in its `where`, selects only what the page
 * shows (a passkey through its one serializer, ./passkey-public.ts), and the answer is a strict
 * schema. The TOTP secret and the recovery codes are shown once, when they are made
 * (./manage-totp.ts, ./manage-recovery-codes.ts), and never again: here the factor is a yes or
 * no, and the codes a count.
 */
import "server-only";
import { z } from "zod";
import type { Db } from "../../db/client";
import { passkeySelect, PublicPasskeySchema, toPublicPasskey } from "./passkey-public";
import { remainingRecoveryCodes } from "./recovery-codes";
import { totpFactorState } from "./totp-factor";

export const SecondFactorOverviewSchema = z.strictObject({
  /** A pending enrolment, never confirmed, is not a factor: `enabled` is false until it is. */
  totp: z.strictObject({ enabled: z.boolean(), confirmedAt: z.iso.datetime().nullable() }),
  recoveryCodes: z.strictObject({ remaining: z.number().int().min(0) }),
  passkeys: z.array(PublicPasskeySchema),
});

export type SecondFactorOverview = z.infer<typeof SecondFactorOverviewSchema>;

/** The factors of `userId` (the signed-in caller's own id), newest passkey first. */
export async function secondFactorOverview(db: Db, userId: string): Promise<SecondFactorOverview> {
  const [totp, remaining, passkeys] = await Promise.all([
    totpFactorState(db, userId),
    remainingRecoveryCodes(db, userId),
    // The public columns only (./passkey-public.ts): never the public key, counter or credential id.
    db.passkey.findMany({ where: { userId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], select: passkeySelect }),
  ]);
  return {
    totp: totp.state === "confirmed" ? { enabled: true, confirmedAt: totp.confirmedAt.toISOString() } : { enabled: false, confirmedAt: null },
    recoveryCodes: { remaining },
    passkeys: passkeys.map(toPublicPasskey),
  };
}
