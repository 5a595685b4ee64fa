/**
 * The security event log: an append-only table of who did what to whom, from where, and in which
 * request (OWASP ASVS 5.0 V16.3). Events never contain a secret or a token, only identifiers.
 *
 * Log injection: every string is stripped of control characters (no forged lines, no terminal
 * escapes in a viewer) and truncated, so an attacker-chosen user agent cannot bloat or fake an
 * entry.
 */
import "server-only";
import type { Db } from "./db/client";
import type { Prisma } from "./db/generated/client";

export const AUDIT_EVENT_TYPES = [
  "user.registered",
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
  "client.token_issued",
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
  return Object.fromEntries(
    Object.entries(details).map(([key, value]) => [neutralise(key, 64) ?? "", typeof value === "string" ? neutralise(value) : value]),
  );
}

/** Append one event. `db` may be a transaction client, so the event commits with the change it records. */
export async function recordAuditEvent(db: Db | Prisma.TransactionClient, context: AuditContext, event: AuditEventInput): Promise<void> {
  const details = neutraliseDetails(event.details);
  await db.auditEvent.create({
    data: {
      type: event.type,
      actorId: event.actorId ?? null,
      targetId: event.targetId ?? null,
      ip: neutralise(context.ip, 64),
      userAgent: neutralise(context.userAgent),
      requestId: neutralise(context.requestId, 64),
      ...(details === undefined ? {} : { details }),
    },
    select: { id: true },
  });
}
