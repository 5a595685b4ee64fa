/**
 * The security event log: an append-only table of who did what to whom, from where, and in which
 * request (OWASP ASVS 5.0 V16.3). Events never contain a secret or a token, only identifiers.
 *
 * Log injection: every string is stripped of control characters (no forged lines, no terminal
 * escapes in a viewer) and truncated, so an attacker-chosen user agent cannot bloat or fake an
 * entry.
 */
import "server-only";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { z } from "zod";
import type { Db } from "./db/client";
import { sqlFor } from "./db/sql";
import type { Prisma } from "./db/generated/client";
import { pagedQuery, pageWindow, type Page } from "./http/query";

export const AUDIT_EVENT_TYPES = [
  "user.registered",
  "user.created",
  "login.succeeded",
  "login.failed",
  "login.rate_limited",
  "refresh.reuse_detected",
  "session.revoked",
  "logout",
  "logout_all",
  "password.changed",
  "role.changed",
  "account.disabled",
  "account.enabled",
  "account.deleted",
  "client.created",
  "client.disabled",
  "client.enabled",
  "client.token_issued",
  "client.auth_failed",
  // Identity-provider sign-in (lib/auth/oauth/linking.ts; docs/decisions/031-account-linking-rules.md).
  "oauth.signed_in",
  "oauth.linked",
  "oauth.link_refused",
  "oauth.sign_in_refused",
  "password.added",
  // A wrong password, or one refused by the sign-in limits, outside sign-in (lib/auth/password-attempt.ts).
  "password.check_failed",
  "password.check_rate_limited",
  // Every other session ended because a sign-in method was added or removed (lib/auth/oauth/linking.ts).
  "sessions.ended",
  "oauth.unlinked",
  // A request carrying a security cookie twice (lib/auth/duplicate-cookies.ts).
  "cookie.duplicate_refused",
  // The retention job ran (lib/db/scheduled-prune.ts): what it deleted.
  "retention.pruned",
  // A message that every delivery attempt failed to hand to the relay (lib/mail/send-mail.ts).
  "mail.failed",
  // Addresses and recovery (lib/users/; docs/decisions/045-verified-addresses-and-recovery.md).
  "user.registration_repeated",
  "email.verification_sent",
  "email.verified",
  "password.reset_requested",
  "password.reset",
  "email.change_requested",
  "email.changed",
  "email.change_undone",
  "account.unverified_password_removed",
  // Second factors (docs/decisions/047-second-factor-sign-in-and-step-up.md)
  "mfa.challenged",
  "mfa.succeeded",
  "mfa.failed",
  "mfa.rate_limited",
  "mfa.step_up",
  "mfa.totp_enrolment_started",
  "mfa.totp_enabled",
  "mfa.totp_removed",
  "mfa.recovery_codes_regenerated",
  "mfa.recovery_code_used",
  "mfa.passkey_added",
  "mfa.passkey_removed",
  "mfa.passkey_renamed",
  "mfa.factors_removed",
] as const;

export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

export interface AuditContext {
  ip: string | null;
  userAgent: string | null;
  requestId: string;
}

export interface AuditEventInput {
  type: AuditEventType;
  actorId?: string | null;
  targetId?: string | null;
  details?: Record<string, string | number | boolean | null>;
}

// C0 and C1 control characters, DEL, and Unicode line/paragraph separators.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

export function neutralise(value: string | null | undefined, max = 256): string | null {
  if (value === null || value === undefined) return null;
  return value.replace(CONTROL, " ").slice(0, max);
}

function neutraliseDetails(details: AuditEventInput["details"]): Prisma.InputJsonObject | undefined {
  if (details === undefined) return undefined;
  return Object.fromEntries(Object.entries(details).map(([key, value]) => [neutralise(key, 64) ?? "", typeof value === "string" ? neutralise(value) : value]));
}

/**
 * Failures anyone can cause at will, without an account or a session: one row per source, target
 * and window, with a count, instead of one row per request. A guessing run of ten thousand
 * requests from one address is then one row, not ten thousand, and still says who, whom, how
 * often and when it last happened.
 */
const AGGREGATED_TYPES: ReadonlySet<AuditEventType> = new Set<AuditEventType>([
  "login.failed",
  "login.rate_limited",
  "password.check_failed",
  "password.check_rate_limited",
  "client.auth_failed",
  "oauth.sign_in_refused",
  "cookie.duplicate_refused",
  "mfa.rate_limited",
]);

/** The window repeated failures are counted in. */
export const AUDIT_AGGREGATION_WINDOW_SECONDS = 15 * 60;

/** One key per type, source address, actor, target, details and window; never a secret (only ids). */
function aggregationKey(
  row: { type: string; ip: string | null; actorId: string | null; targetId: string | null; details?: Prisma.InputJsonObject },
  now: Date,
): string {
  const window = Math.floor(now.getTime() / (AUDIT_AGGREGATION_WINDOW_SECONDS * 1000));
  const material = JSON.stringify([row.type, row.ip, row.actorId, row.targetId, row.details ?? null, window]);
  return createHash("sha256").update(material).digest("base64url");
}

/*
 * Both inserts are raw statements (./db/sql.ts, ADR 048): an event is written on every sign-in
 * and the ORM's insert cost ten times the driver's. `db` may be a transaction client; the
 * statement then runs inside its transaction.
 */
const INSERT_EVENT = `
INSERT INTO "AuditEvent" (id, type, "actorId", "targetId", ip, "userAgent", "requestId", details, "createdAt")
VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::timestamp)`;

// One statement, so concurrent failures meet on the unique key instead of racing to insert: the
// first row keeps the first request's ID and user agent; later ones add to its count.
const INSERT_OR_COUNT_EVENT = `
INSERT INTO "AuditEvent" (id, type, "actorId", "targetId", ip, "userAgent", "requestId", details, "createdAt", count, "lastSeenAt", "aggregationKey")
VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::timestamp, 1, $9::timestamp, $10)
ON CONFLICT ("aggregationKey") DO UPDATE SET count = "AuditEvent".count + 1, "lastSeenAt" = EXCLUDED."lastSeenAt"`;

/** Append one event. `db` may be a transaction client, so the event commits with the change it records. */
export async function recordAuditEvent(db: Db | Prisma.TransactionClient, context: AuditContext, event: AuditEventInput): Promise<void> {
  const details = neutraliseDetails(event.details);
  const data = {
    type: event.type,
    actorId: event.actorId ?? null,
    targetId: event.targetId ?? null,
    ip: neutralise(context.ip, 64),
    userAgent: neutralise(context.userAgent),
    requestId: neutralise(context.requestId, 64),
    ...(details === undefined ? {} : { details }),
  };
  const now = new Date();
  const values = [data.type, data.actorId, data.targetId, data.ip, data.userAgent, data.requestId, details === undefined ? null : JSON.stringify(details), now];
  if (!AGGREGATED_TYPES.has(event.type)) {
    await sqlFor(db).query(INSERT_EVENT, [auditRowId(), ...values]);
    return;
  }
  await sqlFor(db).query(INSERT_OR_COUNT_EVENT, [`agg${randomUUID().replaceAll("-", "")}`, ...values, aggregationKey(data, now)]);
}

let rowCounter = 0;

/**
 * A row id for the raw inserts: the admin's log orders by time, then by id, so ids of one
 * process sort in the order it wrote them (the time, then a counter), with 64 random bits so
 * instances never collide. The ORM's own ids had the same property.
 */
function auditRowId(): string {
  rowCounter = (rowCounter + 1) % 36 ** 4;
  return `e${Date.now().toString(36).padStart(9, "0")}${rowCounter.toString(36).padStart(4, "0")}${randomBytes(8).toString("hex")}`;
}

// The read side: the admin's view of the log (GET /api/admin/audit).

/** `?type=` narrows to one event type; `?userId=` to events where that id is the actor or the target. */
export const AuditListQuerySchema = pagedQuery({
  sorts: { created_at: "desc" },
  defaultSort: "created_at",
  filters: {
    type: z.enum(AUDIT_EVENT_TYPES).optional(),
    userId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, { message: "Not an id." })
      .optional(),
  },
});

export type AuditListQuery = z.output<typeof AuditListQuerySchema>;

const auditEventSelect = {
  id: true,
  type: true,
  actorId: true,
  targetId: true,
  ip: true,
  userAgent: true,
  requestId: true,
  details: true,
  createdAt: true,
  count: true,
  lastSeenAt: true,
} as const;

const Details = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).nullable();

export const PublicAuditEventSchema = z.strictObject({
  id: z.string(),
  type: z.string(),
  actorId: z.string().nullable(),
  targetId: z.string().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  requestId: z.string().nullable(),
  details: Details,
  createdAt: z.iso.datetime(),
  /** Occurrences this row stands for: more than 1 for a repeated failure from one source in one window. */
  count: z.number().int().min(1),
  /** The last occurrence counted here; null for an event that happened once by nature. */
  lastSeenAt: z.iso.datetime().nullable(),
});

export type PublicAuditEvent = z.infer<typeof PublicAuditEventSchema>;

type AuditRow = Prisma.AuditEventGetPayload<{ select: typeof auditEventSelect }>;

function toPublicAuditEvent(row: AuditRow): PublicAuditEvent {
  // Only this module writes `details`, always as a flat object of scalars; anything else is not shown.
  const details = Details.safeParse(row.details);
  return {
    id: row.id,
    type: row.type,
    actorId: row.actorId,
    targetId: row.targetId,
    ip: row.ip,
    userAgent: row.userAgent,
    requestId: row.requestId,
    details: details.success ? details.data : null,
    createdAt: row.createdAt.toISOString(),
    count: row.count,
    lastSeenAt: row.lastSeenAt?.toISOString() ?? null,
  };
}

export async function listAuditEvents(db: Db, query: AuditListQuery): Promise<Page<PublicAuditEvent>> {
  const where: Prisma.AuditEventWhereInput = {
    ...(query.type === undefined ? {} : { type: query.type }),
    ...(query.userId === undefined ? {} : { OR: [{ actorId: query.userId }, { targetId: query.userId }] }),
  };
  const [rows, total] = await Promise.all([
    db.auditEvent.findMany({
      where,
      orderBy: [{ createdAt: query.order }, { id: query.order }],
      ...pageWindow(query),
      select: auditEventSelect,
    }),
    db.auditEvent.count({ where }),
  ]);
  return { items: rows.map(toPublicAuditEvent), page: query.page, limit: query.limit, total };
}
