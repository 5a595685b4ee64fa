/**
 * Security notices: mail to an account's own address when something that protects the account
 * changed, so its owner hears of it even when they were not the one who made the change. Each
 * is sent after the change committed, and each change is already audited where it happens.
 */
import "server-only";
import type { AuditContext } from "../audit";
import type { Db } from "../db/client";
import { env } from "../env";
import { sendMail } from "../mail/send-mail";

export type SecurityNotice =
  | { kind: "sign-in-method-changed"; method: string; change: "connected" | "removed" }
  /** A replayed refresh token ended a session (lib/auth/sessions.ts). */
  | { kind: "session-ended-on-reuse" };

export async function sendSecurityNotice(db: Db, userId: string, notice: SecurityNotice, context: AuditContext): Promise<void> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { email: true, name: true } });
  // Deleted meanwhile: there is no one left to tell.
  if (user === null) return;
  const when = new Date();
  if (notice.kind === "sign-in-method-changed") {
    const data = { name: user.name, method: notice.method, change: notice.change, when, accountUrl: `${env.APP_URL}/account` };
    await sendMail(db, { to: user.email, template: "sign-in-method-changed", data }, { context });
    return;
  }
  await sendMail(
    db,
    { to: user.email, template: "session-ended-on-reuse", data: { name: user.name, when, sessionsUrl: `${env.APP_URL}/sessions` } },
    { context },
  );
}
