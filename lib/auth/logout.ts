/**
 * Signing out: ending the sessions a browser presents, and clearing its cookies.
 *
 * Cookie tossing (./duplicate-cookies.ts): a browser may send two refresh cookies, ours and one
 * planted by a sibling host. Ending only the first would end the planted session and leave the
 * person's real one valid while they believe they signed out. So logout ends the session of
 * every copy that verifies, and its answer expires every copy, wherever it could have been set.
 */
import "server-only";
import { recordAuditEvent, type AuditContext } from "../audit";
import type { UserActor } from "../authz/policy";
import type { Db } from "../db/client";
import { REFRESH_COOKIE } from "./cookie-names";
import { clearedAuthCookies } from "./cookies";
import { clearingDuplicates } from "./duplicate-cookies";
import { revokeAllSessions, revokeOwnSession, sessionOfRefreshToken } from "./sessions";

/** A browser sends a handful of cookies of one name at most; more is not a browser. */
const MAX_PRESENTED = 8;

export async function endPresentedSessions(db: Db, presented: readonly string[], context: AuditContext): Promise<number> {
  let ended = 0;
  for (const value of new Set(presented.slice(0, MAX_PRESENTED))) {
    const session = await sessionOfRefreshToken(db, value);
    if (session !== null && (await revokeOwnSession(db, session.userId, session.sessionId, "logout"))) {
      ended += 1;
      await recordAuditEvent(db, context, { type: "logout", actorId: session.userId, targetId: session.sessionId });
    }
  }
  return ended;
}

/** Sign out everywhere: every session of the caller ends, audited with how many there were. */
export async function endAllSessions(db: Db, caller: UserActor, context: AuditContext): Promise<number> {
  const revoked = await revokeAllSessions(db, caller.id, "logout_all");
  await recordAuditEvent(db, context, { type: "logout_all", actorId: caller.id, targetId: caller.id, details: { revoked } });
  return revoked;
}

/**
 * `response`, with both auth cookies cleared: ours, and any copy of the refresh cookie another
 * host may have set for a path or parent domain that reaches the refresh or logout endpoint.
 * (The access cookie is `__Host-`: it has only the one copy, which clearedAuthCookies() expires.)
 */
export function signedOut(response: Response, url: URL): Response {
  const cleared = new Set([...clearedAuthCookies(), ...clearingDuplicates([REFRESH_COOKIE], url)]);
  for (const cookie of cleared) response.headers.append("set-cookie", cookie);
  return response;
}

/** What every sign-out answer sets, as its contract documents it. */
export const SESSION_COOKIES_CLEARED = {
  "Set-Cookie": "Both session cookies expired, and every copy of the refresh cookie another host could have set.",
} as const;
