/**
 * `sendMail`: the one way the app sends a message (ADR 044).
 *
 * Every message is a MailMessage row before any delivery is tried, so a relay that is down or
 * slow delays a message but cannot lose it. Then:
 * - the request that triggered the message waits for the relay at most MAIL_SEND_TIMEOUT_MS; past
 *   that it answers anyway, and the attempt carries on and records its own outcome;
 * - a failed attempt is retried with a growing delay, by the next message sent and by the
 *   scheduled job, up to MAX_ATTEMPTS; after the last one the message is FAILED, logged at error
 *   level and audited, never dropped in silence;
 * - once the relay has it, or it has failed for good, its bodies are erased: they may hold a
 *   single-use link, and a copy at rest in the database would be a second way to spend it.
 * Without a relay (local development) the row is HELD: the development outbox (/dev/outbox).
 * A failure of this module never fails the request that sent the message.
 */
import "server-only";
import { recordAuditEvent, type AuditContext } from "../audit";
import type { Db } from "../db/client";
import { env } from "../env";
import { log } from "../log";
import { renderMail, type TemplateData, type TemplateName } from "./templates";
import { mailTransport, type MailTransport } from "./transport";

export const MAX_ATTEMPTS = 6;

/** How long one attempt holds a message, so two instances do not both send it. */
const LEASE_MS = 60_000;

/** One minute after the first failure, then 2, 4, 8, 16: about half an hour in all. */
export function retryDelayMs(attempts: number): number {
  return 60_000 * 2 ** Math.max(0, attempts - 1);
}

const SYSTEM: AuditContext = { ip: null, userAgent: null, requestId: "mail-delivery" };

export interface MailRequest<N extends TemplateName> {
  to: string;
  template: N;
  data: TemplateData<N>;
}

export interface SendOptions {
  transport?: MailTransport;
  /** Who caused the message, for the audit trail of a failure. */
  context?: AuditContext;
  timeoutMs?: number;
}

export type SendOutcome = "held" | "sent" | "queued" | "not-recorded";

/** Record the message and try to deliver it within the time bound; never throws. */
export async function sendMail<N extends TemplateName>(db: Db, request: MailRequest<N>, options: SendOptions = {}): Promise<SendOutcome> {
  const transport = options.transport ?? mailTransport();
  const context = options.context ?? SYSTEM;
  let id: string;
  try {
    const rendered = renderMail(request.template, request.data);
    const row = await db.mailMessage.create({
      data: { to: request.to, template: request.template, ...rendered, status: transport.kind === "outbox" ? "HELD" : "QUEUED" },
      select: { id: true },
    });
    id = row.id;
  } catch (error) {
    // Nothing was written, so nothing can be retried: say so as loudly as a log can.
    log.error({ err: error, template: request.template }, "mail not recorded");
    return "not-recorded";
  }
  if (transport.kind === "outbox") {
    log.info({ mailId: id, template: request.template }, "mail kept in the development outbox");
    return "held";
  }
  const attempt = deliverMessage(db, transport, id, context);
  // Then earlier messages that are due, in the background, without holding this request. After
  // this one's attempt, not beside it: the pass must not claim the message this request is sending.
  void attempt.then(() => deliverDueMail(db, { transport, limit: 5, context })).catch((error: unknown) => log.error({ err: error }, "mail retry pass failed"));
  const timeoutMs = options.timeoutMs ?? env.MAIL_SEND_TIMEOUT_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const outcome = await Promise.race([
    attempt,
    new Promise<"queued">((resolve) => {
      timer = setTimeout(() => resolve("queued"), timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  return outcome;
}

/** Claim one message and try it once; records the outcome. Resolves "sent" or "queued"; never throws. */
export async function deliverMessage(db: Db, transport: MailTransport, id: string, context: AuditContext = SYSTEM): Promise<"sent" | "queued"> {
  try {
    const now = new Date();
    const claimed = await db.mailMessage.updateManyAndReturn({
      where: { id, status: "QUEUED", nextAttemptAt: { lte: now } },
      data: { nextAttemptAt: new Date(now.getTime() + LEASE_MS), attempts: { increment: 1 } },
      select: { id: true, to: true, template: true, subject: true, text: true, html: true, attempts: true },
    });
    const message = claimed[0];
    // Someone else holds it, or it is not due yet.
    if (message === undefined) return "queued";
    try {
      await transport.send({ to: message.to, subject: message.subject, text: message.text ?? "", html: message.html ?? "" });
    } catch (error) {
      await recordFailure(db, message, error, context);
      return "queued";
    }
    await db.mailMessage.update({ where: { id }, data: { status: "SENT", sentAt: new Date(), text: null, html: null, lastError: null } });
    log.info({ mailId: id, template: message.template, attempts: message.attempts }, "mail sent");
    return "sent";
  } catch (error) {
    // The database failed around the attempt; the row is still QUEUED and its lease will expire.
    log.error({ err: error, mailId: id }, "mail delivery could not be recorded");
    return "queued";
  }
}

async function recordFailure(db: Db, message: { id: string; template: string; attempts: number }, error: unknown, context: AuditContext): Promise<void> {
  const reason = (error instanceof Error ? error.message : String(error)).slice(0, 500);
  if (message.attempts >= MAX_ATTEMPTS) {
    await db.mailMessage.update({ where: { id: message.id }, data: { status: "FAILED", lastError: reason, text: null, html: null } });
    log.error({ mailId: message.id, template: message.template, attempts: message.attempts, reason }, "mail failed for good");
    await recordAuditEvent(db, context, { type: "mail.failed", details: { mailId: message.id, template: message.template, attempts: message.attempts } });
    return;
  }
  const nextAttemptAt = new Date(Date.now() + retryDelayMs(message.attempts));
  await db.mailMessage.update({ where: { id: message.id }, data: { lastError: reason, nextAttemptAt } });
  log.warn({ mailId: message.id, template: message.template, attempts: message.attempts, nextAttemptAt, reason }, "mail attempt failed; it will be retried");
}

export interface DeliveryReport {
  sent: number;
  queued: number;
}

/** Try every message that is due, oldest first, up to `limit`. The scheduled job calls this. */
export async function deliverDueMail(db: Db, options: { transport?: MailTransport; limit?: number; context?: AuditContext } = {}): Promise<DeliveryReport> {
  const transport = options.transport ?? mailTransport();
  const report: DeliveryReport = { sent: 0, queued: 0 };
  if (transport.kind === "outbox") return report;
  const due = await db.mailMessage.findMany({
    where: { status: "QUEUED", nextAttemptAt: { lte: new Date() } },
    orderBy: { nextAttemptAt: "asc" },
    take: options.limit ?? 50,
    select: { id: true },
  });
  for (const { id } of due) report[await deliverMessage(db, transport, id, options.context)] += 1;
  return report;
}
