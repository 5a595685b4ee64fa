/**
 * The caller's own sessions as the account page shows them, and the revocation of one of them.
 *
 * Both are keyed by the signed-in caller's id inside the query (lib/auth/sessions.ts), so another
 * person's session is never listed, and revoking one is "not found", exactly as for an id that
 * never existed (OWASP API1).
 */
import "server-only";
import { z } from "zod";
import { recordAuditEvent, type AuditContext } from "../audit";
import type { UserActor } from "../authz/policy";
import type { Db } from "../db/client";
import { listLiveSessions, revokeOwnSession } from "./sessions";

/** Session ids are 22 characters of base64url (128 random bits). Anything else is refused before a query runs. */
export const SessionParams = z.strictObject({ id: z.string().regex(/^[A-Za-z0-9_-]{22}$/, { message: "Not a session id." }) });

export const SessionListSchema = z.strictObject({
  sessions: z.array(
    z.strictObject({
      id: z.string(),
      createdAt: z.iso.datetime(),
      lastUsedAt: z.iso.datetime(),
      userAgent: z.string().nullable(),
      ip: z.string().nullable(),
      current: z.boolean(),
    }),
  ),
});

export type SessionList = z.infer<typeof SessionListSchema>;

/** The caller's live sessions, most recently used first; `current` marks the one asking. */
export async function ownSessions(db: Db, caller: UserActor): Promise<SessionList> {
  const sessions = await listLiveSessions(db, caller.id);
  return {
    sessions: sessions.map((session) => ({
      id: session.id,
      createdAt: session.createdAt.toISOString(),
      lastUsedAt: session.lastUsedAt.toISOString(),
      userAgent: session.userAgent,
      ip: session.ip,
      current: session.id === caller.sessionId,
    })),
  };
}

/** Ends one of the caller's own sessions, audited; false when the caller has no such session. */
export async function revokeSession(db: Db, caller: UserActor, sessionId: string, context: AuditContext): Promise<boolean> {
  if (!(await revokeOwnSession(db, caller.id, sessionId, "revoked_by_user"))) return false;
  await recordAuditEvent(db, context, { type: "session.revoked", actorId: caller.id, targetId: sessionId });
  return true;
}
