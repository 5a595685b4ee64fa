/**
 * Step-up: a fresh proof of the person before an action that would let a thief keep the account
 * (docs/decisions/047-second-factor-sign-in-and-step-up.md; RFC 9470).
 *
 * Threat: a session cookie, stolen or borrowed, is enough to change the password, the address or
 * the factors, and so to lock the owner out for good. Defence: the handler of every such action
 * calls `requireRecentAuthentication` (or, where the action already confirms a password,
 * `requireSecondFactorIfEnrolled`) before anything changes, and the session, not the token,
 * says how recently the person proved themselves:
 * - an account with a second factor needs one proved in this session within `max_age`
 *   (10 minutes); a password alone never satisfies it;
 * - an account without one needs a sign-in, or a password step-up, within `max_age`.
 * Otherwise the answer is 401 with `WWW-Authenticate: Bearer error="insufficient_user_authentication"`
 * and `max_age`, and the problem names the methods that would satisfy it, so a client can ask
 * for the right one and retry. The session row is read in the handler, so a token minted before
 * the step-up (or a forged `auth_time`) proves nothing.
 */
import "server-only";
import { z } from "zod";
import { recordAuditEvent, type AuditContext } from "../audit";
import type { UserActor } from "../authz/policy";
import type { Db } from "../db/client";
import { env } from "../env";
import { AppError } from "../http/errors";
import { PasskeyAuthenticationResponseSchema } from "./mfa/passkey-public";
import { hasSecondFactor, proveSecondFactor, RecoveryCodeSchema, secondFactorMethods, TotpCodeSchema, type SecondFactorMethod } from "./mfa/second-factor";
import { attemptPassword } from "./password-attempt";
import type { AuthMethod, SessionGrant } from "./sessions";

/** How recent the proof must be for a sensitive action (RFC 9470 `max_age`): `STEP_UP_MAX_AGE_SECONDS`, 10 minutes by default. */
function maxAgeSeconds(): number {
  return env.STEP_UP_MAX_AGE_SECONDS;
}

/** What a step-up may be done with, as the challenge names them. */
export type StepUpMethod = SecondFactorMethod | "password";

export const StepUpSchema = z.union([
  z.strictObject({ code: TotpCodeSchema }),
  z.strictObject({ recoveryCode: RecoveryCodeSchema }),
  /** An assertion over a challenge from `POST /api/auth/step-up/passkey/options`, bound to this session. */
  z.strictObject({ passkey: PasskeyAuthenticationResponseSchema }),
  z.strictObject({ password: z.string().min(1, "Enter your password.").max(1024) }),
]);
export type StepUpProof = z.output<typeof StepUpSchema>;

interface SessionProof {
  createdAt: Date;
  authTime: Date;
  secondFactorAt: Date | null;
  amr: string[];
}

async function sessionProof(db: Db, caller: UserActor): Promise<SessionProof> {
  const session = await db.session.findFirst({
    where: { id: caller.sessionId, userId: caller.id, revokedAt: null },
    select: { createdAt: true, authTime: true, secondFactorAt: true, amr: true },
  });
  if (session === null) throw new AppError("ERR_UNAUTHENTICATED", { detail: "Your session has ended. Sign in again." });
  return session;
}

function isFresh(since: Date | null, now: Date): boolean {
  return since !== null && now.getTime() - since.getTime() <= maxAgeSeconds() * 1000;
}

/** The proofs a step-up for `userId` accepts: the second factors, else the password, else none (sign in again). */
export async function stepUpMethods(db: Db, userId: string): Promise<StepUpMethod[]> {
  const factors = await secondFactorMethods(db, userId);
  if (factors.length > 0) return factors;
  const user = await db.user.findUnique({ where: { id: userId }, select: { passwordHash: true } });
  return user?.passwordHash === null || user === null ? [] : ["password"];
}

/** The 401 that asks for a step-up (RFC 9470 §3). */
export function stepUpRequiredError(methods: StepUpMethod[], detail: string): AppError {
  return new AppError("ERR_STEP_UP_REQUIRED", {
    detail,
    headers: {
      "www-authenticate": `Bearer error="insufficient_user_authentication", error_description="A more recent authentication is required", max_age=${maxAgeSeconds()}`,
    },
    extensions: { stepUp: { methods, maxAge: maxAgeSeconds() } },
  });
}

async function challenge(db: Db, userId: string): Promise<AppError> {
  const methods = await stepUpMethods(db, userId);
  const detail = methods.length === 0 ? "For your security, sign in again to continue." : "For your security, confirm it is you to continue.";
  return stepUpRequiredError(methods, detail);
}

/**
 * For a sensitive action: the session must have proved a second factor within `max_age` when the
 * account has one, or a sign-in (or password step-up) within `max_age` when it has none.
 */
export async function requireRecentAuthentication(db: Db, caller: UserActor, now = new Date()): Promise<void> {
  const [session, factor] = await Promise.all([sessionProof(db, caller), hasSecondFactor(db, caller.id)]);
  if (isFresh(factor ? session.secondFactorAt : session.authTime, now)) return;
  throw await challenge(db, caller.id);
}

/**
 * For an action that confirms the password (or a recent sign-in) its own way: an account with a
 * second factor must also have proved it within `max_age`. No effect on an account without one.
 */
export async function requireSecondFactorIfEnrolled(db: Db, caller: UserActor, now = new Date()): Promise<void> {
  if (!(await hasSecondFactor(db, caller.id))) return;
  const session = await sessionProof(db, caller);
  if (isFresh(session.secondFactorAt, now)) return;
  throw await challenge(db, caller.id);
}

/**
 * Before a new second factor is added (an authenticator app, a passkey). A factor is a lock the
 * owner cannot pick: one added by someone else keeps the owner out, and a password reset does not
 * remove it. So:
 * - the address must be proved: a factor on a squatted address would outlive the owner's claim
 *   (ADR 045), and is removed when the address is first proved anyway;
 * - with a factor already: as `requireRecentAuthentication`, a second factor within `max_age`;
 * - with a password and no factor: the password proved again in this session within `max_age`
 *   (a step-up), not merely a recent sign-in, so a cookie stolen minutes after a sign-in cannot
 *   add the thief's authenticator;
 * - with neither (a provider-only account): a sign-in within `max_age`, the only proof it has.
 */
export async function requireEnrolmentProof(db: Db, caller: UserActor, now = new Date()): Promise<void> {
  const user = await db.user.findUnique({ where: { id: caller.id }, select: { emailVerifiedAt: true, passwordHash: true } });
  if (user === null) throw new AppError("ERR_UNAUTHENTICATED", { detail: "Your session has ended. Sign in again." });
  if (user.emailVerifiedAt === null) {
    throw new AppError("ERR_EMAIL_UNVERIFIED", { detail: "Confirm your email address before you set up two-step verification." });
  }
  if (await hasSecondFactor(db, caller.id)) return requireRecentAuthentication(db, caller, now);
  const session = await sessionProof(db, caller);
  if (user.passwordHash === null) {
    if (isFresh(session.authTime, now)) return;
    throw stepUpRequiredError([], "For your security, sign in again to continue.");
  }
  // A step-up moves authTime past the sign-in that opened the session; a sign-in alone does not.
  const reproved = session.authTime.getTime() > session.createdAt.getTime() ? session.authTime : null;
  if (isFresh(reproved, now)) return;
  throw stepUpRequiredError(["password"], "Confirm your password to set up two-step verification.");
}

export type StepUpResult = { ok: true; grant: SessionGrant; headers: Headers } | { ok: false; headers: Headers };

/**
 * Prove the person again in this session. An account with a second factor must use it (a
 * password alone would let a phished password stand in for the factor); one without uses its
 * password. Every proof is checked under the same limits as at sign-in.
 */
export async function stepUp(db: Db, caller: UserActor, proof: StepUpProof, context: AuditContext): Promise<StepUpResult> {
  const factor = await hasSecondFactor(db, caller.id);
  const session = await sessionProof(db, caller);
  let method: AuthMethod;
  let headers: Headers;
  if (factor) {
    if ("password" in proof) {
      throw new AppError("ERR_VALIDATION", {
        detail: "Confirm with your passkey, a code from your authenticator app or a recovery code.",
        errors: { password: ["Use your second factor."] },
      });
    }
    // A passkey's challenge is bound to this session: one issued to another session steps up nothing here.
    const result = await proveSecondFactor(db, caller.id, proof, "step-up", context, caller.sessionId);
    if (!result.ok) return { ok: false, headers: result.headers };
    method = result.amr;
    headers = result.headers;
  } else {
    if (!("password" in proof)) {
      throw new AppError("ERR_VALIDATION", {
        detail: "This account has no second factor: confirm with your password.",
        errors: { code: ["Use your password."] },
      });
    }
    const result = await attemptPassword(db, { account: { userId: caller.id }, password: proof.password, purpose: "step-up" }, context);
    if (!result.ok) return { ok: false, headers: result.headers };
    method = "pwd";
    headers = result.headers;
  }
  const now = new Date();
  const amr = combinedMethods(session.amr, method);
  const updated = await db.session.updateMany({
    where: { id: caller.sessionId, userId: caller.id, revokedAt: null },
    data: { authTime: now, amr, ...(factor ? { secondFactorAt: now } : {}) },
  });
  if (updated.count !== 1) throw new AppError("ERR_UNAUTHENTICATED", { detail: "Your session has ended. Sign in again." });
  await recordAuditEvent(db, context, { type: "mfa.step_up", actorId: caller.id, targetId: caller.sessionId, details: { method } });
  return { ok: true, grant: { sessionId: caller.sessionId, authTime: now, amr }, headers };
}

/** The session's methods with the new one: `mfa` once two different factors were proved in it. */
function combinedMethods(previous: readonly string[], added: AuthMethod): AuthMethod[] {
  const factors = new Set<AuthMethod>([...(previous.filter((value) => value !== "mfa") as AuthMethod[]), added]);
  const methods = [...factors];
  return factors.size > 1 ? [...methods, "mfa"] : methods;
}
