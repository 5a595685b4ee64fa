/**
 * Every message the app sends, as typed templates: each takes the data it needs and returns a
 * subject, a plain-text part and an HTML part (ADR 044). The text part says everything on its
 * own, for clients that show no HTML. Dates are written in UTC, because the server does not know
 * the reader's time zone.
 */
import { html, htmlDocument, raw } from "./render";

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

function utc(when: Date): string {
  return `${when.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** A notice's parts, written once: the text and HTML parts are both made from them. */
interface Notice {
  subject: string;
  heading: string;
  name: string;
  paragraphs: string[];
  /** The closing sentence, with the one link the notice offers. */
  action: { lead: string; label: string; url: string };
}

function notice({ subject, heading, name, paragraphs, action }: Notice): RenderedMail {
  const text = [`Hello ${name},`, ...paragraphs, `${action.lead} ${action.label}: ${action.url}`].join("\n\n");
  const body = html`<h1 style="font-size:20px;margin:0 0 16px">${heading}</h1>
    <p>Hello ${name},</p>
    ${raw(paragraphs.map((paragraph) => html`<p>${paragraph}</p>`.trustedHtml).join("\n    "))}
    <p>${action.lead} <a href="${action.url}">${action.label}</a>.</p>`;
  return { subject, text, html: htmlDocument(subject, body) };
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
  const ended =
    data.otherSessionsEnded === 0
      ? "No other device was signed in."
      : `${data.otherSessionsEnded} other ${data.otherSessionsEnded === 1 ? "device was" : "devices were"} signed out.`;
  return notice({
    subject: "Your Palisade password was changed",
    heading: "Your password was changed",
    name: data.name,
    paragraphs: [`The password of your Palisade account was changed on ${utc(data.when)}. ${ended}`, "If you made this change, there is nothing else to do."],
    action: { lead: "If you did not, someone else knows your password.", label: "Review where you are signed in", url: data.sessionsUrl },
  });
}

export interface SignInMethodChangedData {
  name: string;
  /** The provider's name, as the sign-in page shows it. */
  method: string;
  change: "connected" | "removed";
  when: Date;
  /** Where the account's sign-in methods are listed: `${APP_URL}/account`. */
  accountUrl: string;
}

function signInMethodChanged(data: SignInMethodChangedData): RenderedMail {
  const connected = data.change === "connected";
  const subject = connected ? `${data.method} can now sign in to your Palisade account` : `${data.method} was removed from your Palisade account`;
  const what = connected
    ? `${data.method} was connected to your Palisade account on ${utc(data.when)}: it can now sign you in.`
    : `${data.method} was removed from your Palisade account on ${utc(data.when)}: it can no longer sign you in.`;
  return notice({
    subject,
    heading: subject,
    name: data.name,
    paragraphs: [`${what} Your other devices were signed out.`, "If you made this change, there is nothing else to do."],
    action: { lead: "If you did not,", label: "review your sign-in methods and change your password", url: data.accountUrl },
  });
}

export interface SessionEndedOnReuseData {
  name: string;
  when: Date;
  /** Where the account's sessions are listed: `${APP_URL}/sessions`. */
  sessionsUrl: string;
}

function sessionEndedOnReuse(data: SessionEndedOnReuseData): RenderedMail {
  return notice({
    subject: "A sign-in to your Palisade account was ended",
    heading: "A sign-in was ended",
    name: data.name,
    paragraphs: [
      `On ${utc(data.when)} a sign-in to your account presented a session key that had already been used. ` +
        "That happens when a key is copied and replayed, so the sign-in was ended on every device that shared it.",
      "Sign in again on that device.",
    ],
    action: { lead: "If this happens again, change your password and", label: "review where you are signed in", url: data.sessionsUrl },
  });
}

export interface NewSignInData {
  name: string;
  when: Date;
  /** "Firefox on Windows" (lib/shared/user-agent.ts). */
  device: string;
  /** The client address, when a trusted proxy gave one. */
  ip: string | null;
  /** "your password", or the provider's name. */
  method: string;
  newDevice: boolean;
  sessionsUrl: string;
}

function newSignIn(data: NewSignInData): RenderedMail {
  const from = data.ip === null ? data.device : `${data.device}, from the address ${data.ip}`;
  const fresh = data.newDevice ? "a device" : "an address";
  return notice({
    subject: "A new sign-in to your Palisade account",
    heading: "A new sign-in to your account",
    name: data.name,
    paragraphs: [
      `Your account was signed in to with ${data.method} on ${utc(data.when)}, using ${from}.`,
      `It is ${fresh} your account had not signed in from before. If it was you, there is nothing else to do.`,
    ],
    action: { lead: "If it was not you, change your password and end that session:", label: "review where you are signed in", url: data.sessionsUrl },
  });
}

export const TEMPLATES = {
  "password-changed": passwordChanged,
  "sign-in-method-changed": signInMethodChanged,
  "session-ended-on-reuse": sessionEndedOnReuse,
  "new-sign-in": newSignIn,
} as const;

export type TemplateName = keyof typeof TEMPLATES;
export type TemplateData<N extends TemplateName> = Parameters<(typeof TEMPLATES)[N]>[0];

export function renderMail<N extends TemplateName>(template: N, data: TemplateData<N>): RenderedMail {
  // Each entry takes its own data type; the key ties the two together for the caller.
  return (TEMPLATES[template] as (data: TemplateData<N>) => RenderedMail)(data);
}
