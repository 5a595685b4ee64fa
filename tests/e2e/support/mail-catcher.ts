/**
 * The end-to-end suite's mail server: a real SMTP server on loopback (../../support/smtp-peer.ts,
 * nodemailer's own smtp-server) that the app sends through as it would through any relay, and a
 * small HTTP API beside it from which the tests read what arrived, like a mail catcher
 * (./mailbox.ts). Started by whoever starts the app: scripts/e2e-server.ts for the suite's own
 * server, bench/scale-out.ts for the instances it runs the suite against.
 *
 * Both listen on 127.0.0.1 only, at fixed ports derived from the app's (./server-env.ts), so the
 * app's environment and the tests agree on them without passing anything around.
 *
 * API: `GET /messages?to=<address>` answers `{ messages }`, every message with that recipient
 * (case-insensitive), oldest first. Nothing is ever deleted: each test mails addresses of its own.
 */
import http from "node:http";
import { startSmtpPeer, type ReceivedMail } from "../../support/smtp-peer";
import { e2eMailPorts } from "./server-env";

export interface MailCatcher {
  smtpUrl: string;
  mailboxUrl: string;
  /** For the process that runs the catcher: the first message to `to` whose subject matches (../../support/smtp-peer.ts). */
  waitForMessage(to: string, subject: RegExp, timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

export async function startMailCatcher(appPort: number): Promise<MailCatcher> {
  const ports = e2eMailPorts(appPort);
  const peer = await startSmtpPeer({ port: ports.smtp });
  const api = http.createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://mailbox");
    if (request.method !== "GET" || url.pathname !== "/messages") {
      response.writeHead(404).end();
      return;
    }
    const to = url.searchParams.get("to")?.toLowerCase();
    const messages: ReceivedMail[] = to === undefined ? peer.messages : peer.messages.filter((m) => m.to.some((a) => a.toLowerCase() === to));
    response.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify({ messages }));
  });
  try {
    await new Promise<void>((resolve, reject) => {
      api.once("error", reject);
      api.listen(ports.mailbox, "127.0.0.1", () => {
        api.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    await peer.close();
    throw error;
  }
  return {
    smtpUrl: peer.url,
    mailboxUrl: `http://127.0.0.1:${ports.mailbox}`,
    waitForMessage: (to, subject, timeoutMs) => peer.waitForMessage(to, subject, timeoutMs),
    async close() {
      await new Promise<void>((resolve) => api.close(() => resolve()));
      await peer.close();
    },
  };
}
