/**
 * Where mail goes: an SMTP relay when one is configured (any provider: Resend, SES, Postmark, a
 * company relay), otherwise the development outbox, which keeps each message in the database
 * for /dev/outbox to show. A deployment must configure a relay (lib/env.ts refuses to boot
 * without one), so the outbox never stands in for real delivery.
 *
 * Threat: mail carries single-use links. Sent in clear text to a relay across a network, a link
 * can be read and spent by anyone on the path. Every connection to a relay that is not on
 * loopback therefore requires TLS: implicit TLS for `smtps://` or port 465, STARTTLS otherwise,
 * and a message is never sent over a connection on which STARTTLS failed. Certificates are
 * verified, TLS 1.2 at least. No setting turns this off.
 */
import "server-only";
import nodemailer from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport";
import { env, type Env } from "../env";

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface MailTransport {
  readonly kind: "smtp" | "outbox";
  /** Resolves once the relay accepted the message; rejects with the relay's reason. */
  send(mail: OutgoingMail): Promise<void>;
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

/** No single network step may hang longer than this; the whole attempt is bounded by the caller. */
const STEP_TIMEOUT_MS = 10_000;

type SmtpSettings = Pick<Env, "SMTP_URL" | "SMTP_HOST" | "SMTP_PORT" | "SMTP_USER" | "SMTP_PASSWORD">;

/** nodemailer's options for the configured relay, or null when none is configured. Pure, for the tests. */
export function smtpOptions(settings: SmtpSettings): SMTPTransport.Options | null {
  let host: string;
  let port: number;
  let implicitTls: boolean;
  let user: string | undefined;
  let pass: string | undefined;
  if (settings.SMTP_URL !== undefined) {
    const url = new URL(settings.SMTP_URL);
    implicitTls = url.protocol === "smtps:";
    host = url.hostname;
    port = url.port === "" ? (implicitTls ? 465 : 587) : Number(url.port);
    user = url.username === "" ? undefined : decodeURIComponent(url.username);
    pass = url.password === "" ? undefined : decodeURIComponent(url.password);
  } else if (settings.SMTP_HOST !== undefined) {
    host = settings.SMTP_HOST;
    port = settings.SMTP_PORT ?? 587;
    implicitTls = port === 465;
    user = settings.SMTP_USER;
    pass = settings.SMTP_PASSWORD;
  } else {
    return null;
  }
  const loopback = LOOPBACK.has(host.toLowerCase());
  return {
    host,
    port,
    secure: implicitTls,
    // Off loopback, STARTTLS is required: a relay that does not offer it gets no message.
    requireTLS: !implicitTls && !loopback,
    // nodemailer names the server for SNI and checks the certificate against the host.
    tls: { minVersion: "TLSv1.2", rejectUnauthorized: true },
    ...(user === undefined ? {} : { auth: { user, pass: pass ?? "" } }),
    connectionTimeout: STEP_TIMEOUT_MS,
    greetingTimeout: STEP_TIMEOUT_MS,
    socketTimeout: STEP_TIMEOUT_MS,
    // A message is built from our own templates only: nothing may make it read a file or fetch a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

export function smtpTransport(options: SMTPTransport.Options, from: string): MailTransport {
  const transporter = nodemailer.createTransport(options);
  return {
    kind: "smtp",
    async send(mail) {
      await transporter.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
    },
  };
}

const OUTBOX: MailTransport = {
  kind: "outbox",
  // The outbox is the message's row itself (./send-mail.ts keeps it as HELD): there is nothing to send.
  send: async () => {},
};

let configured: MailTransport | undefined;

/** The transport this process's configuration names. */
export function mailTransport(): MailTransport {
  if (configured !== undefined) return configured;
  const options = smtpOptions(env);
  configured = options === null ? OUTBOX : smtpTransport(options, mailFrom());
  return configured;
}

/** The sender: MAIL_FROM, required in a deployment; locally a name that says where it came from. */
export function mailFrom(): string {
  return env.MAIL_FROM ?? "Palisade <no-reply@localhost>";
}

/** The development outbox is shown only where it is the transport, and never in a deployment. */
export function outboxAvailable(settings: Pick<Env, "deployed"> & SmtpSettings = env): boolean {
  return !settings.deployed && smtpOptions(settings) === null;
}
