/**
 * Sessions and rotating refresh tokens with reuse detection.
 *
 * A session is one sign-in: a *family* of refresh tokens, each exchanged exactly once for its
 * successor. The token the client holds is `<id>.<secret>`: a 128-bit lookup id and a 256-bit
 * secret from the CSPRNG. Only SHA-256(secret) is stored, and it is compared in constant time, so
 * a leaked database does not yield usable tokens.
 *
 * Threats and defences (docs/tokens.md, docs/decisions/006-refresh-token-reuse-grace.md):
 * - A stolen refresh token: the thief and the victim both hold it; whoever refreshes second
 *   presents an already-rotated token. That is reuse, and it revokes the whole family, so the
 *   thief's chain dies too (OAuth 2.0 Security BCP, RFC 9700 §4.14.2).
 * - Concurrent refreshes: rotation is a conditional update (`rotatedAt IS NULL`) inside one
 *   transaction, so of N parallel requests with one token exactly one mints a successor. The
 *   others, if they arrive within the grace window and the token is the *immediate* predecessor
 *   of the live one, get a new access token but no refresh token: no second chain is ever born.
 * - Long-lived theft: idle (7 days) and absolute (30 days) expiry; a disabled or deleted user, or
 *   a revoked session, fails at the next refresh, and the user's current role is re-read then.
 */
import "server-only";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { env } from "../env";
import { recordAuditEvent, type AuditContext } from "../audit";
import type { Db } from "../db/client";
import type { Prisma, Role } from "../db/generated/client";

export type SessionRevokeReason =
  | "logout"
  | "logout_all"
  | "reuse_detected"
  | "password_changed"
  | "password_reset"
  | "email_change_undone"
  | "unverified_account_claimed"
  | "sign_in_method_changed"
  | "second_factor_changed"
  | "revoked_by_user"
  | "role_changed"
  | "account_disabled"
  | "expired"
  | "user_disabled";

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  emailVerifiedAt: Date | null;
}

/**
 * How the person proved who they are, as the session remembers it and its access tokens carry it
 * (`auth_time`, `amr`; docs/decisions/047-second-factor-sign-in-and-step-up.md).
 */
export interface SessionAuthentication {
  /** The last time the person authenticated in this session: the sign-in, then each step-up. */
  authTime: Date;
  /** RFC 8176 method values of that authentication. */
  amr: readonly AuthMethod[];
}

/** The RFC 8176 values this app records. */
export type AuthMethod = "pwd" | "fed" | "otp" | "hwk" | "swk" | "user" | "mfa";

/** A session and how it was authenticated: enough to mint an access token for it. */
export interface SessionGrant extends SessionAuthentication {
  sessionId: string;
}

/** How a sign-in proved the person: the methods, and whether one of them was a second factor. */
export interface SignInProof {
  amr: readonly AuthMethod[];
  secondFactor: boolean;
}

export const PASSWORD_SIGN_IN: SignInProof = { amr: ["pwd"], secondFactor: false };

export interface IssuedSession extends SessionAuthentication {
  sessionId: string;
  refreshToken: string;
  /** When the refresh cookie should expire: the earlier of idle and absolute expiry. */
  refreshExpiresAt: Date;
}

export type RotateOutcome =
  | { kind: "rotated"; user: SessionUser; session: IssuedSession }
  | { kind: "grace"; user: SessionUser; grant: SessionGrant }
  | { kind: "invalid" }
  | { kind: "reused"; userId: string; sessionId: string };

export type SessionMeta = AuditContext;

const TOKEN_FORMAT = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

function newTokenParts(): { id: string; secret: string; secretHash: string } {
  const id = randomBytes(16).toString("base64url"); // 128 bits: a lookup key, not a secret
  const secret = randomBytes(32).toString("base64url"); // 256 bits from the CSPRNG
  return { id, secret, secretHash: hashSecret(secret) };
}

function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, "hex");
  const right = Buffer.from(b, "hex");
  return left.length === right.length && timingSafeEqual(left, right);
}

export function parseRefreshToken(value: string | undefined | null): { id: string; secret: string } | null {
  const match = value === undefined || value === null ? null : TOKEN_FORMAT.exec(value);
  return match === null ? null : { id: match[1] as string, secret: match[2] as string };
}

function addSeconds(date: Date, seconds: number): Date {
  return new Date(date.getTime() + seconds * 1000);
}

function earliest(a: Date, b: Date): Date {
  return a.getTime() <= b.getTime() ? a : b;
}

const TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 10_000 } as const;

/** Open a session (a new refresh family) for a user who just proved who they are. */
export async function createSession(db: Db, userId: string, meta: SessionMeta, proof: SignInProof = PASSWORD_SIGN_IN): Promise<IssuedSession> {
  const now = new Date();
  const absoluteExpiresAt = addSeconds(now, env.SESSION_ABSOLUTE_TTL);
  const idleExpiresAt = earliest(addSeconds(now, env.SESSION_IDLE_TTL), absoluteExpiresAt);
  const sessionId = randomBytes(16).toString("base64url");
  const token = newTokenParts();
  await db.session.create({
    data: {
      id: sessionId,
      userId,
      userAgent: meta.userAgent?.slice(0, 512) ?? null,
      ip: meta.ip,
      createdAt: now,
      lastUsedAt: now,
      idleExpiresAt,
      absoluteExpiresAt,
      authTime: now,
      amr: [...proof.amr],
      secondFactorAt: proof.secondFactor ? now : null,
      tokens: { create: { id: token.id, secretHash: token.secretHash, createdAt: now } },
    },
    select: { id: true },
  });
  return { sessionId, refreshToken: `${token.id}.${token.secret}`, refreshExpiresAt: idleExpiresAt, authTime: now, amr: proof.amr };
}

/** Exchange a refresh token for its successor. Never throws for a bad token: see RotateOutcome. */
export async function rotateRefreshToken(db: Db, presented: string | undefined, meta: SessionMeta): Promise<RotateOutcome> {
  const parsed = parseRefreshToken(presented);
  if (parsed === null) return { kind: "invalid" };

  return db.$transaction(async (tx) => {
    const now = new Date();
    const row = await tx.refreshToken.findUnique({
      where: { id: parsed.id },
      select: {
        secretHash: true,
        session: {
          select: {
            id: true,
            revokedAt: true,
            idleExpiresAt: true,
            absoluteExpiresAt: true,
            authTime: true,
            amr: true,
            user: { select: { id: true, email: true, name: true, role: true, emailVerifiedAt: true, disabledAt: true } },
          },
        },
      },
    });
    if (row === null || !sameHash(row.secretHash, hashSecret(parsed.secret))) return { kind: "invalid" };
    const { session } = row;
    const { disabledAt, ...user } = session.user;
    // A refresh carries the sign-in's proof forward unchanged: only the person can renew it.
    const authentication: SessionAuthentication = { authTime: session.authTime, amr: session.amr as AuthMethod[] };
    if (session.revokedAt !== null) return { kind: "invalid" };
    if (now > session.idleExpiresAt || now > session.absoluteExpiresAt) {
      await revokeSessionIn(tx, session.id, "expired", now);
      return { kind: "invalid" };
    }
    if (disabledAt !== null) {
      await revokeSessionIn(tx, session.id, "user_disabled", now);
      return { kind: "invalid" };
    }

    // The one step that decides the race: only the first request flips rotatedAt from NULL, and
    // it names the successor in the same statement. The winner's other writes (the successor row
    // and the session's expiry) are one nested write: each Prisma operation costs milliseconds of
    // CPU, most of a refresh's cost (bench/refresh.ts).
    const next = newTokenParts();
    const won = await tx.refreshToken.updateMany({ where: { id: parsed.id, rotatedAt: null }, data: { rotatedAt: now, successorId: next.id } });
    if (won.count === 1) {
      const idleExpiresAt = earliest(addSeconds(now, env.SESSION_IDLE_TTL), session.absoluteExpiresAt);
      await tx.session.update({
        where: { id: session.id },
        data: { lastUsedAt: now, idleExpiresAt, tokens: { create: { id: next.id, secretHash: next.secretHash, createdAt: now } } },
        select: { id: true },
      });
      return {
        kind: "rotated",
        user,
        session: { sessionId: session.id, refreshToken: `${next.id}.${next.secret}`, refreshExpiresAt: idleExpiresAt, ...authentication },
      };
    }

    // Already rotated. Tolerated only for the immediate predecessor of the live token, shortly
    // after its rotation: a replay later than that, or of an older token, is theft.
    const rotated = await tx.refreshToken.findUnique({
      where: { id: parsed.id },
      select: { rotatedAt: true, successorId: true },
    });
    const successor =
      rotated?.successorId === null || rotated?.successorId === undefined
        ? null
        : await tx.refreshToken.findUnique({ where: { id: rotated.successorId }, select: { rotatedAt: true } });
    const withinGrace =
      rotated?.rotatedAt !== null && rotated?.rotatedAt !== undefined && now.getTime() - rotated.rotatedAt.getTime() <= env.REFRESH_REUSE_GRACE * 1000;
    if (withinGrace && successor !== null && successor.rotatedAt === null) {
      return { kind: "grace", user, grant: { sessionId: session.id, ...authentication } };
    }

    await revokeSessionIn(tx, session.id, "reuse_detected", now);
    await recordAuditEvent(tx, meta, {
      type: "refresh.reuse_detected",
      actorId: user.id,
      targetId: session.id,
      details: { sessionId: session.id },
    });
    return { kind: "reused", userId: user.id, sessionId: session.id };
  }, TRANSACTION_OPTIONS);
}

async function revokeSessionIn(tx: Prisma.TransactionClient, sessionId: string, reason: SessionRevokeReason, now = new Date()) {
  await tx.session.updateMany({ where: { id: sessionId, revokedAt: null }, data: { revokedAt: now, revokedReason: reason } });
}

/** Revoke one session, but only if it belongs to `userId` (so a guessed id does nothing). */
export async function revokeOwnSession(db: Db, userId: string, sessionId: string, reason: SessionRevokeReason): Promise<boolean> {
  const result = await db.session.updateMany({
    where: { id: sessionId, userId, revokedAt: null },
    data: { revokedAt: new Date(), revokedReason: reason },
  });
  return result.count === 1;
}

/** Revoke every live session of a user, optionally keeping one (the caller's own). */
export async function revokeAllSessions(
  db: Db | Prisma.TransactionClient,
  userId: string,
  reason: SessionRevokeReason,
  keepSessionId?: string,
): Promise<number> {
  const result = await db.session.updateMany({
    where: { userId, revokedAt: null, ...(keepSessionId === undefined ? {} : { id: { not: keepSessionId } }) },
    data: { revokedAt: new Date(), revokedReason: reason },
  });
  return result.count;
}

/** The session behind a refresh token, without rotating it (logout needs to know which one). */
export async function sessionOfRefreshToken(db: Db, presented: string | undefined): Promise<{ sessionId: string; userId: string } | null> {
  const parsed = parseRefreshToken(presented);
  if (parsed === null) return null;
  const row = await db.refreshToken.findUnique({
    where: { id: parsed.id },
    select: { secretHash: true, session: { select: { id: true, userId: true } } },
  });
  if (row === null || !sameHash(row.secretHash, hashSecret(parsed.secret))) return null;
  return { sessionId: row.session.id, userId: row.session.userId };
}

export interface LiveSession {
  id: string;
  createdAt: Date;
  lastUsedAt: Date;
  userAgent: string | null;
  ip: string | null;
}

export async function listLiveSessions(db: Db, userId: string): Promise<LiveSession[]> {
  const now = new Date();
  return db.session.findMany({
    where: { userId, revokedAt: null, idleExpiresAt: { gt: now }, absoluteExpiresAt: { gt: now } },
    orderBy: { lastUsedAt: "desc" },
    select: { id: true, createdAt: true, lastUsedAt: true, userAgent: true, ip: true },
  });
}

/** True when the session exists, is not revoked or expired, and its user is enabled. */
export async function isSessionLive(db: Db, sessionId: string, userId: string): Promise<boolean> {
  const now = new Date();
  const count = await db.session.count({
    where: {
      id: sessionId,
      userId,
      revokedAt: null,
      idleExpiresAt: { gt: now },
      absoluteExpiresAt: { gt: now },
      user: { disabledAt: null },
    },
  });
  return count === 1;
}
