/**
 * Every message the app sends, as typed templates: each takes the data it needs and returns a
 * subject, a plain-text part and an HTML part (ADR 044). The text part says everything on its
 * own, for clients that show no HTML. Dates are written in UTC, because the server does not know
 * the reader's time zone.
 */
import { html, htmlDocument } from "./render";

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

function utc(when: Date): string {
  return `${when.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export interface PasswordChangedData {
  name: string;
  when: Date;
  /** How many other sessions the change ended. */
  otherSessionsEnded: number;
  /** Where the account's sessions are listed: `${APP_URL}/sessions`. */
  sessionsUrl: string;
}

function passwordChanged(data: PasswordChangedData): RenderedMail {
  const subject = "Your Palisade password was changed";
  const ended =
    data.otherSessionsEnded === 0
      ? "No other device was signed in."
      : `${data.otherSessionsEnded} other ${data.otherSessionsEnded === 1 ? "device was" : "devices were"} signed out.`;
  const text = [
    `Hello ${data.name},`,
    "",
    `The password of your Palisade account was changed on ${utc(data.when)}. ${ended}`,
    "",
    "If you made this change, there is nothing else to do.",
    `If you did not, someone else knows your password. Review where you are signed in: ${data.sessionsUrl}`,
  ].join("\n");
  const body = html`<h1 style="font-size:20px;margin:0 0 16px">Your password was changed</h1>
    <p>Hello ${data.name},</p>
    <p>The password of your Palisade account was changed on ${utc(data.when)}. ${ended}</p>
    <p>If you made this change, there is nothing else to do.</p>
    <p>If you did not, someone else knows your password. <a href="${data.sessionsUrl}">Review where you are signed in</a>.</p>`;
  return { subject, text, html: htmlDocument(subject, body) };
}

export const TEMPLATES = {
  "password-changed": passwordChanged,
} as const;

export type TemplateName = keyof typeof TEMPLATES;
export type TemplateData<N extends TemplateName> = Parameters<(typeof TEMPLATES)[N]>[0];

export function renderMail<N extends TemplateName>(template: N, data: TemplateData<N>): RenderedMail {
  // Each entry takes its own data type; the key ties the two together for the caller.
  return (TEMPLATES[template] as (data: TemplateData<N>) => RenderedMail)(data);
}
