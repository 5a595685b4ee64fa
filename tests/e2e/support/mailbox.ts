/**
 * Reading the suite's mail, as the person would read their inbox: every message the app sent
 * arrived over SMTP at the suite's peer on loopback (./mail-catcher.ts), and these ask its HTTP
 * API for them. Sign-up and "forgot password" send theirs after answering
 * (lib/http/after-response.ts), so each read is a bounded wait, never a single look.
 */
import { E2E_BASE_URL, E2E_PORT, e2eMailPorts } from "./server-env";

export interface MailMessage {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
}

/** The subjects the app's messages carry (lib/mail/templates.ts), as the tests look for them. */
export const SUBJECTS = {
  verify: /^Confirm your email address for Palisade$/,
  accountExists: /^You already have a Palisade account$/,
  reset: /^Reset your Palisade password$/,
  noAccount: /^Palisade password reset$/,
  passwordReset: /^Your Palisade password was reset$/,
  passwordChanged: /^Your Palisade password was changed$/,
  confirmNewAddress: /^Confirm your new Palisade address$/,
  addressChanged: /^The address of your Palisade account was changed$/,
} as const;

const MAILBOX_URL = `http://127.0.0.1:${e2eMailPorts(E2E_PORT).mailbox}`;

/** Far past the few hundred milliseconds an account and its message take, well inside a test's 30 s. */
const DEFAULT_WAIT_MS = 15_000;

/** Every message to `to` so far, oldest first. */
export async function messagesTo(to: string): Promise<MailMessage[]> {
  let response: Response;
  try {
    response = await fetch(`${MAILBOX_URL}/messages?to=${encodeURIComponent(to)}`);
  } catch (error) {
    throw new Error(`the suite's mailbox (${MAILBOX_URL}) does not answer: is the mail catcher running? ${String(error)}`);
  }
  if (response.status !== 200) throw new Error(`the suite's mailbox answered ${response.status}`);
  return ((await response.json()) as { messages: MailMessage[] }).messages;
}

export interface WaitOptions {
  /** Wait for the count-th matching message (1, the first, unless told), and return that one. */
  count?: number;
  timeoutMs?: number;
}

/** The first (or `count`-th) message to `to` whose subject matches, once it has arrived. */
export async function waitForMessage(to: string, subject: RegExp, options: WaitOptions = {}): Promise<MailMessage> {
  const count = options.count ?? 1;
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const all = await messagesTo(to);
    const matching = all.filter((message) => subject.test(message.subject));
    const found = matching[count - 1];
    if (found !== undefined) return found;
    if (Date.now() > deadline) {
      const arrived = all.map((message) => `"${message.subject}"`).join(", ") || "nothing";
      throw new Error(
        `no message ${count > 1 ? `number ${count} ` : ""}to ${to} with a subject matching ${String(subject)} within ${timeoutMs / 1000} s; what arrived for that address: ${arrived}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The app's link in the message's text part that opens `path` (`/reset-password`), with
 * everything after it (its `#token=…`): the first URL that starts with `${baseURL}${path}`
 * followed by `#`, `?` or the end. Links elsewhere (the forgot-password link in a confirmation
 * message) are passed over.
 */
export function linkIn(message: Pick<MailMessage, "subject" | "text">, path: string, baseURL: string = E2E_BASE_URL): string {
  const prefix = `${baseURL}${path}`;
  for (const [url] of message.text.matchAll(/https?:\/\/[^\s<>"]+/g)) {
    const href = url.replace(/[.,;:)]+$/, "");
    if (href === prefix || href.startsWith(`${prefix}#`) || href.startsWith(`${prefix}?`)) return href;
  }
  throw new Error(`no link to ${prefix} in "${message.subject}":\n${message.text}`);
}

/** The single-use token a mailed link carries in its fragment. */
export function tokenOf(link: string): string {
  const token = new URL(link).hash.match(/^#token=([A-Za-z0-9_-]{43})$/)?.[1];
  if (token === undefined) throw new Error(`no token in ${link}`);
  return token;
}
