/**
 * Security notices: mail to an account's own address when something that protects the account
 * changed, so its owner hears of it even when they were not the one who made the change. Each
 * is sent after the change committed, and each change is already audited where it happens.
 * Like `sendMail`, a notice never fails the request that caused it: the change has happened,
 * and a lookup that fails on the way to telling someone is logged, not thrown.
 */
import "server-only";
import type { AuditContext } from "../audit";
import type { Db } from "../db/client";
import { env } from "../env";
import { log } from "../log";
import { sendMail } from "../mail/send-mail";
import type { SecondFactorChange } from "../mail/templates";

export type SecurityNotice =
  | { kind: "sign-in-method-changed"; method: string; change: "connected" | "removed" }
  /** A replayed refresh token ended a session (lib/auth/sessions.ts). */
  | { kind: "session-ended-on-reuse" }
  /** A sign-in from a device or an address the account has no session from (./new-sign-in.ts). */
  | { kind: "new-sign-in"; method: string; device: string; ip: string | null; newDevice: boolean }
  /** A provider's sign-in claimed an account whose address had never been proved (lib/auth/oauth/linking.ts). */
  | { kind: "unverified-password-removed"; provider: string }
  /** A second factor was added, removed or used, or wrong codes were refused (lib/auth/mfa/). */
  | { kind: "second-factor"; change: SecondFactorChange };

export async function sendSecurityNotice(db: Db, userId: string, notice: SecurityNotice, context: AuditContext): Promise<void> {
  try {
    await send(db, userId, notice, context);
  } catch (error) {
    log.error({ err: error, userId, notice: notice.kind }, "security notice not sent");
  }
}

async function send(db: Db, userId: string, notice: SecurityNotice, context: AuditContext): Promise<void> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { email: true, name: true } });
  // Deleted meanwhile: there is no one left to tell.
  if (user === null) return;
  const when = new Date();
  const sessionsUrl = `${env.APP_URL}/sessions`;
  const to = user.email;
  // A switch the compiler holds to every kind, so a new notice cannot fall through to another's template.
  switch (notice.kind) {
    case "sign-in-method-changed": {
      const data = { name: user.name, method: notice.method, change: notice.change, when, accountUrl: `${env.APP_URL}/account` };
      await sendMail(db, { to, template: "sign-in-method-changed", data }, { context });
      return;
    }
    case "new-sign-in": {
      const { method, device, ip, newDevice } = notice;
      await sendMail(db, { to, template: "new-sign-in", data: { name: user.name, when, method, device, ip, newDevice, sessionsUrl } }, { context });
      return;
    }
    case "unverified-password-removed":
      await sendMail(
        db,
        { to, template: "unverified-password-removed", data: { name: user.name, provider: notice.provider, accountUrl: `${env.APP_URL}/account` } },
        { context },
      );
      return;
    case "session-ended-on-reuse":
      await sendMail(db, { to, template: "session-ended-on-reuse", data: { name: user.name, when, sessionsUrl } }, { context });
      return;
    case "second-factor":
      await sendMail(
        db,
        { to, template: "second-factor-changed", data: { name: user.name, when, change: notice.change, securityUrl: `${env.APP_URL}/account/security` } },
        { context },
      );
      return;
    default: {
      const unknown: never = notice;
      throw new Error(`unknown security notice ${JSON.stringify(unknown)}`);
    }
  }
}
