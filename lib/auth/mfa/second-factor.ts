/**
 * The one place a second-factor code is checked: the second step of sign-in, the step-up, and
 * the management actions that ask for a code (docs/decisions/047-second-factor-sign-in-and-step-up.md).
 *
 * Every check, whatever asked for it:
 * - is counted against the account's code budget before the code is looked at, and refunded
 *   when it passes (./second-factor-attempts.ts), so no endpoint is a free guessing oracle;
 * - spends what it accepts: a TOTP step is recorded so the same digits cannot pass twice, and a
 *   recovery code is marked used; of two racing requests with one code, exactly one wins;
 * - is audited, pass or fail, and mails the owner when a recovery code is used (how many are
 *   left) and when the budget runs out (someone may hold the password).
 * A wrong TOTP code and a replayed one get the same answer: the caller learns only "not accepted".
 * A passkey assertion is checked here too, under the same budget: a stale, replayed or foreign
 * assertion is a wrong answer like a wrong code (./passkeys.ts says why each is refused).
 */
import "server-only";
import { z } from "zod";
import { recordAuditEvent, type AuditContext } from "../../audit";
import type { Db } from "../../db/client";
import { sqlFor } from "../../db/sql";
import { isAppError } from "../../http/errors";
import { sendSecurityNotice } from "../../users/security-notices";
import type { AuthMethod } from "../sessions";
import { finishPasskeyAuthentication } from "./passkeys";
import { PasskeyAuthenticationResponseSchema } from "./passkey-public";
import { beginSecondFactorAttempt, secondFactorFailed, secondFactorSucceeded } from "./second-factor-attempts";
import { consumeRecoveryCode } from "./recovery-codes";
import { verifyTotpCode } from "./totp-factor";

/** A code from the authenticator app. */
export const TotpCodeSchema = z
  .string()
  .trim()
  .regex(/^\d{6}$/, "Enter the 6-digit code from your authenticator app.");
/** A recovery code as typed: its own rules (./recovery-codes.ts) read it; this only bounds it. */
export const RecoveryCodeSchema = z.string().min(1, "Enter one of your recovery codes.").max(64);

/** Proof of a second factor, as a body carries it: exactly one of a code, a recovery code or a passkey assertion. */
export const SecondFactorProofSchema = z.union([
  z.strictObject({ code: TotpCodeSchema }),
  z.strictObject({ recoveryCode: RecoveryCodeSchema }),
  z.strictObject({ passkey: PasskeyAuthenticationResponseSchema }),
]);
export type SecondFactorProof = z.output<typeof SecondFactorProofSchema>;

/** The methods a second step can offer: what the account holds. */
export type SecondFactorMethod = "totp" | "recovery-code" | "passkey";

/** Why a code is being checked, for the audit trail. */
export type SecondFactorPurpose = "sign-in" | "step-up" | "management";

export type SecondFactorResult =
  /**
   * `method` says which proof passed, `amr` how RFC 8176 names it; `headers` are the limit's
   * fields, for the response.
   */
  { ok: true; method: SecondFactorMethod; amr: Extract<AuthMethod, "otp" | "hwk" | "swk">; headers: Headers } | { ok: false; headers: Headers };

/**
 * RFC 8176 for a passkey (ADR 047): a synced passkey (`multiDevice`) is a key its provider copies
 * between devices in software, so `swk`; a device-bound one (`singleDevice`, a security key or a
 * platform key that never leaves its chip) is `hwk`. The flag is the authenticator's own claim,
 * so `hwk` says what it reported, not what we could attest (attestation is `none`).
 */
export function passkeyAmr(deviceType: string): "hwk" | "swk" {
  return deviceType === "singleDevice" ? "hwk" : "swk";
}

/** True when the account has a confirmed second factor: a confirmed TOTP factor or a passkey. */
// On every sign-in's path and every admin call's, so one statement (../../db/sql.ts, ADR 048).
const HAS_SECOND_FACTOR = `
SELECT EXISTS (SELECT 1 FROM "TotpFactor" WHERE "userId" = $1 AND "confirmedAt" IS NOT NULL)
    OR EXISTS (SELECT 1 FROM "Passkey" WHERE "userId" = $1) AS "has"`;

export async function hasSecondFactor(db: Db, userId: string): Promise<boolean> {
  const [row] = await sqlFor(db).query<{ has: boolean }>(HAS_SECOND_FACTOR, [userId]);
  return row?.has === true;
}

/** The second-factor methods `userId` can use now, in the order a second step offers them. */
export async function secondFactorMethods(db: Db, userId: string): Promise<SecondFactorMethod[]> {
  const [totp, codes, passkeys] = await Promise.all([
    db.totpFactor.count({ where: { userId, confirmedAt: { not: null } } }),
    db.recoveryCode.count({ where: { userId, usedAt: null } }),
    db.passkey.count({ where: { userId } }),
  ]);
  const methods: SecondFactorMethod[] = [];
  if (passkeys > 0) methods.push("passkey");
  if (totp > 0) methods.push("totp");
  // Codes stand in for a factor; without one (all removed) they open nothing.
  if (codes > 0 && totp + passkeys > 0) methods.push("recovery-code");
  return methods;
}

/**
 * Check `proof` for `userId` under the code limit. Throws the 429 (or 503) when the budget is
 * spent, before any code is looked at; otherwise says whether the proof passed. `passkeyBoundTo`
 * is what the ceremony's challenge was bound to (the pending sign-in's id at sign-in, the session's
 * id at a step-up); without it a passkey proof is refused, as at the management checks.
 */
export async function proveSecondFactor(
  db: Db,
  userId: string,
  proof: SecondFactorProof,
  purpose: SecondFactorPurpose,
  context: AuditContext,
  passkeyBoundTo?: string,
): Promise<SecondFactorResult> {
  let attempt;
  try {
    attempt = await beginSecondFactorAttempt(userId, context.requestId);
  } catch (error) {
    if (isAppError(error) && error.code === "ERR_RATE_LIMITED") {
      await recordAuditEvent(db, context, { type: "mfa.rate_limited", actorId: userId, targetId: userId, details: { purpose } });
    }
    throw error;
  }
  const method: SecondFactorMethod = "code" in proof ? "totp" : "recoveryCode" in proof ? "recovery-code" : "passkey";
  const passed = await check(db, userId, proof, purpose, passkeyBoundTo);
  if (!passed.ok) {
    secondFactorFailed(attempt);
    await recordAuditEvent(db, context, {
      type: "mfa.failed",
      actorId: userId,
      targetId: userId,
      details: { purpose, method, ...(passed.reason === undefined ? {} : { reason: passed.reason }) },
    });
    // The last failure the budget allows: tell the owner now, while it can still matter.
    const remaining = attempt.decision.outcomes[0]?.status === "counted" ? attempt.decision.outcomes[0].result.remaining : null;
    if (remaining === 0) await sendSecurityNotice(db, userId, { kind: "second-factor", change: { event: "codes-refused" } }, context);
    return { ok: false, headers: attempt.headers };
  }
  await secondFactorSucceeded(attempt);
  if (passed.remainingCodes !== null) {
    await recordAuditEvent(db, context, {
      type: "mfa.recovery_code_used",
      actorId: userId,
      targetId: userId,
      details: { purpose, remaining: passed.remainingCodes },
    });
    await sendSecurityNotice(db, userId, { kind: "second-factor", change: { event: "recovery-code-used", remaining: passed.remainingCodes } }, context);
  }
  return { ok: true, method, amr: passed.amr, headers: attempt.headers };
}

type Checked =
  | { ok: true; amr: "otp" | "hwk" | "swk"; remainingCodes: number | null }
  /** `reason` only where the audit trail needs more than "wrong": a passkey's counter that went back. */
  | { ok: false; reason?: string };

async function check(db: Db, userId: string, proof: SecondFactorProof, purpose: SecondFactorPurpose, passkeyBoundTo: string | undefined): Promise<Checked> {
  if ("code" in proof) {
    const result = await verifyTotpCode(db, userId, proof.code);
    return result.ok ? { ok: true, amr: "otp", remainingCodes: null } : { ok: false };
  }
  if ("passkey" in proof) {
    if (passkeyBoundTo === undefined || purpose === "management") return { ok: false };
    const result = await finishPasskeyAuthentication(db, {
      purpose: purpose === "sign-in" ? "second-factor" : "step-up",
      userId,
      boundTo: passkeyBoundTo,
      response: proof.passkey,
    });
    if (result.ok) return { ok: true, amr: passkeyAmr(result.deviceType), remainingCodes: null };
    // A valid signature whose counter went back may be a cloned authenticator: worth a look.
    return result.reason === "counter-regression" ? { ok: false, reason: "counter-regression" } : { ok: false };
  }
  // A recovery code opens nothing once the factor it stands in for is gone.
  if (!(await hasSecondFactor(db, userId))) return { ok: false };
  const result = await consumeRecoveryCode(db, userId, proof.recoveryCode);
  return result.ok ? { ok: true, amr: "otp", remainingCodes: result.remaining } : { ok: false };
}
