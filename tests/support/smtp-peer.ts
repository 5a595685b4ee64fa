/**
 * A real SMTP server on loopback, for the tests and the scan to send mail to: nodemailer's own
 * `smtp-server`, with every message it accepts parsed by `mailparser`. Not a mock of our mail
 * code: the app speaks SMTP to it over TCP exactly as it would to a relay.
 *
 * `refuseNext(n)` makes the next n messages fail with a temporary error (451), and `holdFor(ms)`
 * makes the server wait before answering a message, so the tests can show a relay that is down
 * or slow.
 */
import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string;
}

export interface SmtpPeer {
  url: string;
  messages: ReceivedMail[];
  refuseNext(count: number): void;
  holdFor(ms: number): void;
  /** Resolves when `count` messages in all have arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  /** Resolves with the first message to `to` whose subject matches; rejects after `timeoutMs`, naming what did arrive. */
  waitForMessage(to: string, subject: RegExp, timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

/** `port` 0 (the default) takes any free one; the end-to-end suite's peer has a fixed one. */
export async function startSmtpPeer(options: { port?: number } = {}): Promise<SmtpPeer> {
  const messages: ReceivedMail[] = [];
  let refusals = 0;
  let holdMs = 0;
  const waiters: (() => void)[] = [];

  const server = new SMTPServer({
    // Loopback, as the app's transport allows without TLS; no login, any sender.
    secure: false,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const respond = async () => {
          if (holdMs > 0) await new Promise((resolve) => setTimeout(resolve, holdMs));
          if (refusals > 0) {
            refusals -= 1;
            callback(Object.assign(new Error("Try again later"), { responseCode: 451 }));
            return;
          }
          const parsed = await simpleParser(Buffer.concat(chunks));
          const to = Array.isArray(parsed.to) ? parsed.to.flatMap((a) => a.value) : (parsed.to?.value ?? []);
          messages.push({
            from: parsed.from?.text ?? "",
            to: to.map((address) => address.address ?? ""),
            subject: parsed.subject ?? "",
            text: parsed.text ?? "",
            html: typeof parsed.html === "string" ? parsed.html : "",
            messageId: parsed.messageId ?? "",
          });
          callback();
          for (const wake of waiters.splice(0)) wake();
        };
        // A message the parser cannot read is refused, as a relay would, not left unanswered.
        respond().catch((error: unknown) => callback(error instanceof Error ? error : new Error(String(error))));
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    // A fixed port already taken must fail here, not crash the process later.
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      // From here on a failed connection (a client that hangs up mid-message) is reported, not
      // thrown: an unhandled 'error' event would end the process the peer lives in.
      server.on("error", (error: Error) => process.stderr.write(`SMTP peer: ${error.message}\n`));
      resolve();
    });
  });
  const { port } = server.server.address() as AddressInfo;

  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    refuseNext(count) {
      refusals = count;
    },
    holdFor(ms) {
      holdMs = ms;
    },
    async waitFor(count, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > deadline) throw new Error(`the SMTP peer received ${messages.length} of ${count} messages`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
      return messages;
    },
    async waitForMessage(to, subject, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.find((message) => message.to.includes(to) && subject.test(message.subject));
        if (found !== undefined) return found;
        if (Date.now() > deadline) {
          const seen = messages.map((message) => `${message.to.join(",")}: ${message.subject}`).join("; ");
          throw new Error(`no message to ${to} matching ${String(subject)}; the SMTP peer received ${seen || "nothing"}`);
        }
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
