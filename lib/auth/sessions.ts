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
import { sqlFor } from "../db/sql";
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

/*
 * The statements on a sign-in's and a refresh's path are raw SQL (../db/sql.ts, ADR 048): one
 * statement each, where the ORM took one to three operations of several hundred microseconds of
 * CPU. Timestamps go in as ISO strings cast to `timestamp` and come out `AT TIME ZONE 'UTC'`.
 */

const OPEN_SESSION = `
WITH opened AS (
  INSERT INTO "Session" (id, "userId", "userAgent", ip, "createdAt", "lastUsedAt", "idleExpiresAt", "absoluteExpiresAt", "authTime", amr, "secondFactorAt")
  VALUES ($1, $2, $3, $4, $5::timestamp, $5::timestamp, $6::timestamp, $7::timestamp, $5::timestamp, $8::text[], $9::timestamp)
  RETURNING id
)
INSERT INTO "RefreshToken" (id, "sessionId", "secretHash", "createdAt")
SELECT $10, opened.id, $11, $5::timestamp FROM opened`;

/** Open a session (a new refresh family) for a user who just proved who they are. */
export async function createSession(db: Db, userId: string, meta: SessionMeta, proof: SignInProof = PASSWORD_SIGN_IN): Promise<IssuedSession> {
  const now = new Date();
  const absoluteExpiresAt = addSeconds(now, env.SESSION_ABSOLUTE_TTL);
  const idleExpiresAt = earliest(addSeconds(now, env.SESSION_IDLE_TTL), absoluteExpiresAt);
  const sessionId = randomBytes(16).toString("base64url");
  const token = newTokenParts();
  // The session and its first token in one statement: both exist, or neither.
  await sqlFor(db).query(OPEN_SESSION, [
    sessionId,
    userId,
    meta.userAgent?.slice(0, 512) ?? null,
    meta.ip,
    now,
    idleExpiresAt,
    absoluteExpiresAt,
    [...proof.amr],
    proof.secondFactor ? now : null,
    token.id,
    token.secretHash,
  ]);
  return { sessionId, refreshToken: `${token.id}.${token.secret}`, refreshExpiresAt: idleExpiresAt, authTime: now, amr: proof.amr };
}

interface PresentedToken {
  secretHash: string;
  sessionId: string;
  revokedAt: Date | null;
  idleExpiresAt: Date;
  absoluteExpiresAt: Date;
  authTime: Date;
  amr: string[];
  userId: string;
  email: string;
  name: string;
  role: Role;
  emailVerifiedAt: Date | null;
  disabledAt: Date | null;
  /** The successor's idle expiry when this statement rotated the token; null when it did not. */
  rotatedIdleExpiresAt: Date | null;
}

/*
 * A refresh in one statement. `presented` reads the token, its session and its user; `won` is the
 * step that decides a race: the conditional update (`rotatedAt IS NULL`) that only one request
 * can make, and only for the right secret, a live session and an enabled user. Under Postgres's
 * row lock, a racing statement waits for the winner and then finds `rotatedAt` set, so it updates
 * nothing. `successor` and `touched` run only when `won` did: the new token, and the session's
 * sliding expiry (never past the absolute one). The caller still compares the secret's hash in
 * constant time on the row it gets back.
 */
const ROTATE = `
WITH presented AS (
  SELECT t.id, t."secretHash", s.id AS "sessionId", s."revokedAt", s."idleExpiresAt", s."absoluteExpiresAt", s."authTime", s.amr,
         u.id AS "userId", u.email, u.name, u.role, u."emailVerifiedAt", u."disabledAt"
  FROM "RefreshToken" t
  JOIN "Session" s ON s.id = t."sessionId"
  JOIN "User" u ON u.id = s."userId"
  WHERE t.id = $1
),
won AS (
  UPDATE "RefreshToken" t SET "rotatedAt" = $3::timestamp, "successorId" = $4
  FROM presented p
  WHERE t.id = p.id AND t."rotatedAt" IS NULL AND p."secretHash" = $2
    AND p."revokedAt" IS NULL AND p."idleExpiresAt" >= $3::timestamp AND p."absoluteExpiresAt" >= $3::timestamp AND p."disabledAt" IS NULL
  RETURNING t.id
),
successor AS (
  INSERT INTO "RefreshToken" (id, "sessionId", "secretHash", "createdAt")
  SELECT $4, p."sessionId", $5, $3::timestamp FROM presented p, won
),
touched AS (
  UPDATE "Session" s SET "lastUsedAt" = $3::timestamp, "idleExpiresAt" = LEAST($3::timestamp + make_interval(secs => $6), s."absoluteExpiresAt")
  FROM presented p, won
  WHERE s.id = p."sessionId"
  RETURNING s."idleExpiresAt"
)
SELECT p."secretHash", p."sessionId", p."revokedAt" AT TIME ZONE 'UTC' AS "revokedAt", p."idleExpiresAt" AT TIME ZONE 'UTC' AS "idleExpiresAt",
       p."absoluteExpiresAt" AT TIME ZONE 'UTC' AS "absoluteExpiresAt", p."authTime" AT TIME ZONE 'UTC' AS "authTime", p.amr,
       p."userId", p.email, p.name, p.role, p."emailVerifiedAt" AT TIME ZONE 'UTC' AS "emailVerifiedAt", p."disabledAt" AT TIME ZONE 'UTC' AS "disabledAt",
       (SELECT "idleExpiresAt" AT TIME ZONE 'UTC' FROM touched) AS "rotatedIdleExpiresAt"
FROM presented p`;

/** What became of a token that lost (or never entered) the race: read after the winner's commit. */
const ROTATED_STATE = `
SELECT t."rotatedAt" AT TIME ZONE 'UTC' AS "rotatedAt", successor."rotatedAt" IS NULL AND successor.id IS NOT NULL AS "successorLive"
FROM "RefreshToken" t
LEFT JOIN "RefreshToken" successor ON successor.id = t."successorId"
WHERE t.id = $1`;

/** Exchange a refresh token for its successor. Never throws for a bad token: see RotateOutcome. */
export async function rotateRefreshToken(db: Db, presented: string | undefined, meta: SessionMeta): Promise<RotateOutcome> {
  const parsed = parseRefreshToken(presented);
  if (parsed === null) return { kind: "invalid" };

  const now = new Date();
  const next = newTokenParts();
  const [row] = await sqlFor(db).query<PresentedToken>(ROTATE, [parsed.id, hashSecret(parsed.secret), now, next.id, next.secretHash, env.SESSION_IDLE_TTL]);
  if (row === undefined || !sameHash(row.secretHash, hashSecret(parsed.secret))) return { kind: "invalid" };
  const user: SessionUser = { id: row.userId, email: row.email, name: row.name, role: row.role, emailVerifiedAt: row.emailVerifiedAt };
  // A refresh carries the sign-in's proof forward unchanged: only the person can renew it.
  const authentication: SessionAuthentication = { authTime: row.authTime, amr: row.amr as AuthMethod[] };
  if (row.rotatedIdleExpiresAt !== null) {
    return {
      kind: "rotated",
      user,
      session: { sessionId: row.sessionId, refreshToken: `${next.id}.${next.secret}`, refreshExpiresAt: row.rotatedIdleExpiresAt, ...authentication },
    };
  }

  if (row.revokedAt !== null) return { kind: "invalid" };
  if (now > row.idleExpiresAt || now > row.absoluteExpiresAt) {
    await revokeSessionIn(db, row.sessionId, "expired", now);
    return { kind: "invalid" };
  }
  if (row.disabledAt !== null) {
    await revokeSessionIn(db, row.sessionId, "user_disabled", now);
    return { kind: "invalid" };
  }

  // Already rotated. Tolerated only for the immediate predecessor of the live token, shortly
  // after its rotation: a replay later than that, or of an older token, is theft.
  const [state] = await sqlFor(db).query<{ rotatedAt: Date | null; successorLive: boolean }>(ROTATED_STATE, [parsed.id]);
  const withinGrace =
    state?.rotatedAt !== null && state?.rotatedAt !== undefined && now.getTime() - state.rotatedAt.getTime() <= env.REFRESH_REUSE_GRACE * 1000;
  if (withinGrace && state?.successorLive === true) {
    return { kind: "grace", user, grant: { sessionId: row.sessionId, ...authentication } };
  }

  await db.$transaction(async (tx) => {
    await revokeSessionIn(tx, row.sessionId, "reuse_detected", now);
    await recordAuditEvent(tx, meta, {
      type: "refresh.reuse_detected",
      actorId: user.id,
      targetId: row.sessionId,
      details: { sessionId: row.sessionId },
    });
  }, TRANSACTION_OPTIONS);
  return { kind: "reused", userId: user.id, sessionId: row.sessionId };
}

async function revokeSessionIn(tx: Db | Prisma.TransactionClient, sessionId: string, reason: SessionRevokeReason, now = new Date()) {
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

const LIVE_SESSION_ROLE = `
SELECT u.role FROM "Session" s JOIN "User" u ON u.id = s."userId"
WHERE s.id = $1 AND s."userId" = $2 AND s."revokedAt" IS NULL AND s."idleExpiresAt" > $3::timestamp AND s."absoluteExpiresAt" > $3::timestamp
  AND u."disabledAt" IS NULL`;

/**
 * The per-request session check (lib/auth/guards.ts): the role of the session's user when the
 * session exists, belongs to `userId`, is neither revoked nor expired, and its user is enabled;
 * null otherwise. It runs on every authenticated API call (ADR 007), so it is one statement.
 */
export async function liveSessionRole(db: Db, sessionId: string, userId: string): Promise<Role | null> {
  const [row] = await sqlFor(db).query<{ role: Role }>(LIVE_SESSION_ROLE, [sessionId, userId, new Date()]);
  return row?.role ?? null;
}
