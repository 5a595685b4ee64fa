/**
 * The messages an integration test's app kept (no relay is configured there, so each is a HELD
 * row, bodies and all: lib/mail/send-mail.ts), and the single-use links in them. Sign-up and
 * "forgot password" send theirs after answering, so this waits for that work first.
 */
import { settleAfterResponse } from "@/lib/http/after-response";
import type { Db } from "@/lib/db/client";
import { tokenIn } from "./outbox-reader";

export { tokenIn };

/** The newest message `template` made for `to`, once every after-response task has finished. */
export async function heldMessage(db: Db, to: string, template: string): Promise<{ subject: string; text: string }> {
  await settleAfterResponse();
  const row = await db.mailMessage.findFirst({
    where: { to, template },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: { subject: true, text: true },
  });
  if (row === null || row.text === null) throw new Error(`no ${template} message to ${to} was kept`);
  return { subject: row.subject, text: row.text };
}

/** The token of the newest `template` link mailed to `to`, for the page at `page` (`/verify-email`). */
export async function mailedToken(db: Db, to: string, template: string, page: string): Promise<string> {
  return tokenIn((await heldMessage(db, to, template)).text, page);
}
