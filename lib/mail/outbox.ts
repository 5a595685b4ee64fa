/**
 * The development outbox: the messages kept instead of sent when no relay is configured, for
 * /dev/outbox to show. `outboxAvailable()` (./transport.ts) decides whether the page exists; it
 * never does in a deployment.
 */
import "server-only";
import type { Db } from "../db/client";

export interface OutboxMessage {
  id: string;
  to: string;
  subject: string;
  text: string;
  createdAt: string;
}

export const OUTBOX_PAGE_SIZE = 50;

export async function listOutbox(db: Db): Promise<OutboxMessage[]> {
  const rows = await db.mailMessage.findMany({
    where: { status: "HELD" },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: OUTBOX_PAGE_SIZE,
    select: { id: true, to: true, subject: true, text: true, createdAt: true },
  });
  return rows.map((row) => ({ id: row.id, to: row.to, subject: row.subject, text: row.text ?? "", createdAt: row.createdAt.toISOString() }));
}

export type TextPiece = { kind: "text"; text: string } | { kind: "link"; href: string };

/**
 * A message's text with the app's own links picked out, so the page can make them clickable.
 * Only links to the app's origin: a link anywhere else stays text.
 */
export function linkPieces(text: string, appOrigin: string): TextPiece[] {
  const pieces: TextPiece[] = [];
  let rest = 0;
  for (const match of text.matchAll(/https?:\/\/[^\s<>"]+/g)) {
    const href = match[0].replace(/[.,;:)]+$/, "");
    let sameOrigin = false;
    try {
      sameOrigin = new URL(href).origin === appOrigin;
    } catch {
      sameOrigin = false;
    }
    if (!sameOrigin) continue;
    if (match.index > rest) pieces.push({ kind: "text", text: text.slice(rest, match.index) });
    pieces.push({ kind: "link", href });
    rest = match.index + href.length;
  }
  if (rest < text.length) pieces.push({ kind: "text", text: text.slice(rest) });
  return pieces;
}
