/**
 * Reading a running app's development outbox (/dev/outbox, app/dev/outbox/page.tsx) the way a
 * developer does: the page, as HTML. Sign-up creates the account after it answers
 * (lib/users/registration.ts), and its confirmation message is written after the account, so a
 * client that waits for the message knows the account exists without guessing at sign-ins
 * (each wrong one would count against the account's real sign-in limit).
 */

export interface OutboxEntry {
  to: string;
  subject: string;
  text: string;
}

const ENTITIES: Readonly<Record<string, string>> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#x27;": "'", "&#39;": "'" };

function plain(markup: string): string {
  return markup.replace(/<[^>]*>/g, "").replace(/&(?:amp|lt|gt|quot|#x27|#39);/g, (entity) => ENTITIES[entity] ?? entity);
}

/** Every message the page lists, newest first. */
export function parseOutbox(html: string): OutboxEntry[] {
  const entries: OutboxEntry[] = [];
  for (const [, article = ""] of html.matchAll(/<article\b[^>]*>([\s\S]*?)<\/article>/g)) {
    const subject = /<h2\b[^>]*>([\s\S]*?)<\/h2>/.exec(article)?.[1];
    const to = /To <span\b[^>]*>([\s\S]*?)<\/span>/.exec(article)?.[1];
    const text = /<pre\b[^>]*>([\s\S]*?)<\/pre>/.exec(article)?.[1];
    if (subject !== undefined && to !== undefined && text !== undefined) entries.push({ to: plain(to), subject: plain(subject), text: plain(text) });
  }
  return entries;
}

export interface OutboxWait {
  /** Headers for the page request (a test client's own address, say). */
  headers?: Record<string, string>;
  /** 10 s unless told: far past the few milliseconds an account and its message take. */
  timeoutMs?: number;
}

/** The newest message to `to` whose subject matches, once the outbox shows it. */
export async function waitForOutboxMessage(origin: string, to: string, subject: RegExp, options: OutboxWait = {}): Promise<OutboxEntry> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let seen: OutboxEntry[] = [];
  while (Date.now() < deadline) {
    const response = await fetch(`${origin}/dev/outbox`, { headers: options.headers ?? {} });
    if (response.status !== 200) throw new Error(`GET /dev/outbox: ${response.status}; the app must run without a mail relay`);
    seen = parseOutbox(await response.text());
    const found = seen.find((entry) => entry.to === to && subject.test(entry.subject));
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(
    `no message to ${to} matching ${String(subject)} in the outbox; it holds ${seen.map((entry) => `${entry.to}: ${entry.subject}`).join("; ") || "nothing"}`,
  );
}

/** The token a mailed link carries in its fragment (`…#token=<43 characters>`). */
export function tokenIn(text: string, page: string): string {
  const match = new RegExp(`${page.replace(/[/]/g, "\\/")}#token=([A-Za-z0-9_-]{43})`).exec(text);
  if (match?.[1] === undefined) throw new Error(`no ${page} link in: ${text}`);
  return match[1];
}
