/**
 * Retention: delete what no rule needs any more, in small batches, so the tables that every
 * request touches stay the size of the live data.
 *
 * Threat: every refresh writes a token row (about 96 a day for a session kept open), and nothing
 * was ever deleted. Left alone, the refresh-token, session and audit tables grow without bound:
 * indexes outgrow memory, the hot path slows, backups and restores stretch, and an attacker who
 * can make the app write rows (failed sign-ins) makes it grow faster (OWASP API4:2023).
 *
 * What goes, and why it is safe (docs/decisions/018-retention-in-bounded-batches.md):
 * - a **superseded refresh token** (rotated) once it was rotated longer ago than the idle
 *   lifetime (SESSION_IDLE_TTL): the reuse check needs the row to recognise a replay, and a
 *   session left alone that long would have ended anyway. A later replay of such a token is
 *   refused as unknown; it still grants nothing;
 * - an **ended session** (revoked, or idle past its expiry) and its tokens, once it ended more
 *   than RETENTION_ENDED_SESSION_DAYS ago. Tokens go first, in batches, so no one statement
 *   cascades into thousands of rows;
 * - an **audit row** older than RETENTION_AUDIT_DAYS (400 by default: a year and a margin, as
 *   incident reviews and ASVS 16.4 retention expect);
 * - a **spent proof** whose proof has expired: nothing can present it any more;
 * - a **mailed-link token** past its expiry: it can no longer be spent (lib/users/email-tokens.ts).
 * - a **passkey challenge** past its expiry: the ceremony's finish refuses it (its delete matches
 *   only unexpired rows, lib/auth/mfa/passkey-challenges.ts), so the row only takes space. Anyone
 *   may start a passwordless sign-in, so this table grows with traffic, not with accounts;
 * - a **pending sign-in** past its expiry: the second step refuses it and nothing else reads it
 *   (docs/decisions/047-second-factor-sign-in-and-step-up.md);
 * - a **mail message** sent, failed or held for the outbox longer ago than an ended session is
 *   kept; one still queued for its relay stays until it is delivered or fails.
 *
 * Each batch is one statement on its own: `DELETE … WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP
 * LOCKED)`. It locks only the rows it deletes, never waits on a row a request holds (a refresh in
 * flight keeps its token), and commits before the next batch starts. A live session's current
 * token is never selected by any rule.
 */
import "server-only";
import { z } from "zod";
import type { Db } from "./client";
import { Prisma } from "./generated/client";

export interface RetentionPolicy {
  /** Seconds after its rotation that a superseded token is kept for the reuse check. */
  supersededTokenSeconds: number;
  endedSessionDays: number;
  auditDays: number;
  batchSize: number;
}

export interface PruneOptions {
  now?: Date;
  /** Start no batch after this time (ms since the epoch): a scheduled call has a time limit. */
  deadline?: number;
}

export const PRUNE_STEPS = [
  "supersededTokens",
  "endedSessionTokens",
  "endedSessions",
  "auditEvents",
  "spentProofs",
  "emailTokens",
  "passkeyChallenges",
  "pendingSignIns",
  "mailMessages",
] as const;
export type PruneStep = (typeof PRUNE_STEPS)[number];

export interface PruneReport {
  deleted: Record<PruneStep, number>;
  batches: number;
  /** False when the deadline stopped it with work left; the next run carries on. */
  complete: boolean;
  milliseconds: number;
}

const count = z.number().int().nonnegative();

/** What `GET /api/cron/prune` answers: the report, exactly. */
export const PruneReportSchema = z.strictObject({
  deleted: z.strictObject(Object.fromEntries(PRUNE_STEPS.map((step) => [step, count])) as Record<PruneStep, typeof count>),
  batches: count,
  complete: z.boolean(),
  milliseconds: count,
});

const DAY_MS = 86_400_000;

/** One batch of one step: deletes at most `limit` rows and says how many it deleted. */
type Batch = (db: Db, limit: number) => Promise<number>;

/** A batch of the rows of one table whose timestamp column is before `cutoff`. */
function olderThan(
  table: "RefreshToken" | "AuditEvent" | "SpentProof" | "EmailToken" | "PasskeyChallenge" | "PendingSignIn",
  column: "rotatedAt" | "createdAt" | "expiresAt",
  cutoff: Date,
): Batch {
  // Identifiers cannot be bound parameters; these come from the union types above, never from input.
  const from = Prisma.raw(`"${table}"`);
  const when = Prisma.raw(`"${column}"`);
  return (db, limit) => db.$executeRaw`
    DELETE FROM ${from} WHERE id IN (
      SELECT id FROM ${from} WHERE ${when} < ${cutoff}
      LIMIT ${limit} FOR UPDATE SKIP LOCKED)`;
}

function batches(policy: RetentionPolicy, now: Date): Record<PruneStep, Batch> {
  const tokenCutoff = new Date(now.getTime() - policy.supersededTokenSeconds * 1000);
  const sessionCutoff = new Date(now.getTime() - policy.endedSessionDays * DAY_MS);
  const auditCutoff = new Date(now.getTime() - policy.auditDays * DAY_MS);
  return {
    supersededTokens: olderThan("RefreshToken", "rotatedAt", tokenCutoff),
    endedSessionTokens: (db, limit) => db.$executeRaw`
      DELETE FROM "RefreshToken" WHERE id IN (
        SELECT t.id FROM "RefreshToken" t JOIN "Session" s ON s.id = t."sessionId"
        WHERE s."revokedAt" < ${sessionCutoff} OR s."idleExpiresAt" < ${sessionCutoff}
        LIMIT ${limit} FOR UPDATE OF t SKIP LOCKED)`,
    // Idle expiry never passes absolute expiry (lib/auth/sessions.ts caps it), so these two cover every ended session.
    endedSessions: (db, limit) => db.$executeRaw`
      DELETE FROM "Session" WHERE id IN (
        SELECT id FROM "Session" WHERE "revokedAt" < ${sessionCutoff} OR "idleExpiresAt" < ${sessionCutoff}
        LIMIT ${limit} FOR UPDATE SKIP LOCKED)`,
    auditEvents: olderThan("AuditEvent", "createdAt", auditCutoff),
    spentProofs: olderThan("SpentProof", "expiresAt", now),
    emailTokens: olderThan("EmailToken", "expiresAt", now),
    passkeyChallenges: olderThan("PasskeyChallenge", "expiresAt", now),
    pendingSignIns: olderThan("PendingSignIn", "expiresAt", now),
    // A message still waiting for its relay is kept whatever its age: it has not been delivered.
    mailMessages: (db, limit) => db.$executeRaw`
      DELETE FROM "MailMessage" WHERE id IN (
        SELECT id FROM "MailMessage" WHERE status <> 'QUEUED' AND "createdAt" < ${sessionCutoff}
        LIMIT ${limit} FOR UPDATE SKIP LOCKED)`,
  };
}

/** Run every step to the end, or until the deadline; each step finishes before the next starts. */
export async function prune(db: Db, policy: RetentionPolicy, options: PruneOptions = {}): Promise<PruneReport> {
  const started = Date.now();
  const steps = batches(policy, options.now ?? new Date());
  const deleted = Object.fromEntries(PRUNE_STEPS.map((step) => [step, 0])) as Record<PruneStep, number>;
  let count = 0;
  for (const step of PRUNE_STEPS) {
    for (;;) {
      if (options.deadline !== undefined && Date.now() >= options.deadline) {
        return { deleted, batches: count, complete: false, milliseconds: Date.now() - started };
      }
      const removed = await steps[step](db, policy.batchSize);
      count++;
      deleted[step] += removed;
      // A short batch means nothing is left (rows locked by a request are next run's).
      if (removed < policy.batchSize) break;
    }
  }
  return { deleted, batches: count, complete: true, milliseconds: Date.now() - started };
}

type PolicyEnv = { SESSION_IDLE_TTL: number; RETENTION_ENDED_SESSION_DAYS: number; RETENTION_AUDIT_DAYS: number; PRUNE_BATCH_SIZE: number };

export function retentionPolicyFrom(env: PolicyEnv): RetentionPolicy {
  return {
    supersededTokenSeconds: env.SESSION_IDLE_TTL,
    endedSessionDays: env.RETENTION_ENDED_SESSION_DAYS,
    auditDays: env.RETENTION_AUDIT_DAYS,
    batchSize: env.PRUNE_BATCH_SIZE,
  };
}
