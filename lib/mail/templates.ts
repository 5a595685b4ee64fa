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
  /** Null when the message goes to an address with no account, whose owner has no name here. */
  name: string | null;
  paragraphs: string[];
  /** The closing sentence, with the one link the notice offers. */
  action: { lead: string; label: string; url: string };
}

function notice({ subject, heading, name, paragraphs, action }: Notice): RenderedMail {
  const greeting = name === null ? "Hello," : `Hello ${name},`;
  const text = [greeting, ...paragraphs, `${action.lead} ${action.label}: ${action.url}`].join("\n\n");
  const body = html`<h1 style="font-size:20px;margin:0 0 16px">${heading}</h1>
    <p>${greeting}</p>
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

/** How long a mailed link stays good, in words: "30 minutes", "24 hours". */
function lifetime(seconds: number): string {
  return seconds < 7200 ? `${Math.round(seconds / 60)} minutes` : `${Math.round(seconds / 3600)} hours`;
}

export interface VerifyEmailData {
  name: string;
  /** `${APP_URL}/verify-email#token=…` */
  url: string;
  validForSeconds: number;
  /** `${APP_URL}/forgot-password`, for a reader who did not create the account. */
  forgotUrl: string;
}

function verifyEmail(data: VerifyEmailData): RenderedMail {
  return notice({
    subject: "Confirm your email address for Palisade",
    heading: "Confirm your email address",
    name: data.name,
    paragraphs: [
      `A Palisade account was created with this address. Confirming it proves the address is yours. The link works once, for ${lifetime(data.validForSeconds)}.`,
      `If you did not create this account, do not confirm it. Someone else typed your address; you can take the account over by resetting its password at ${data.forgotUrl}.`,
    ],
    action: { lead: "If it was you,", label: "confirm your email address", url: data.url },
  });
}

export interface AccountExistsData {
  name: string;
  signInUrl: string;
  forgotUrl: string;
}

function accountExists(data: AccountExistsData): RenderedMail {
  return notice({
    subject: "You already have a Palisade account",
    heading: "You already have an account",
    name: data.name,
    paragraphs: [
      "Someone tried to create a Palisade account with this address, which already has one. Nothing was changed.",
      `If it was you, sign in at ${data.signInUrl}. If it was not, you can ignore this message.`,
    ],
    action: { lead: "If you no longer know your password,", label: "reset it", url: data.forgotUrl },
  });
}

export interface ResetPasswordData {
  name: string;
  /** `${APP_URL}/reset-password#token=…` */
  url: string;
  validForSeconds: number;
}

function resetPassword(data: ResetPasswordData): RenderedMail {
  return notice({
    subject: "Reset your Palisade password",
    heading: "Reset your password",
    name: data.name,
    paragraphs: [
      `Someone asked to reset the password of your Palisade account. The link works once, for ${lifetime(data.validForSeconds)}, and a newer request or a sign-in cancels it.`,
      "If you did not ask, ignore this message: your password stays as it is.",
    ],
    action: { lead: "To choose a new password,", label: "reset your password", url: data.url },
  });
}

export interface NoAccountData {
  registerUrl: string;
}

function noAccount(data: NoAccountData): RenderedMail {
  return notice({
    subject: "Palisade password reset",
    heading: "There is no account with this address",
    name: null,
    paragraphs: [
      "Someone asked to reset the password of a Palisade account for this address, but no account uses it. Perhaps you signed up with another address.",
      "If you did not ask, ignore this message.",
    ],
    action: { lead: "To create an account,", label: "sign up", url: data.registerUrl },
  });
}

export interface PasswordResetData {
  name: string;
  when: Date;
  sessionsEnded: number;
  forgotUrl: string;
}

function passwordReset(data: PasswordResetData): RenderedMail {
  const ended =
    data.sessionsEnded === 0 ? "No device was signed in." : `${data.sessionsEnded} ${data.sessionsEnded === 1 ? "device was" : "devices were"} signed out.`;
  return notice({
    subject: "Your Palisade password was reset",
    heading: "Your password was reset",
    name: data.name,
    paragraphs: [
      `The password of your Palisade account was reset with a link mailed to this address on ${utc(data.when)}. ${ended}`,
      "If you did this, there is nothing else to do.",
    ],
    action: { lead: "If you did not, someone can read your mail: secure your mailbox, then", label: "reset your password again", url: data.forgotUrl },
  });
}

export interface ConfirmNewEmailData {
  name: string;
  newEmail: string;
  /** `${APP_URL}/email/confirm#token=…` */
  url: string;
  validForSeconds: number;
}

function confirmNewEmail(data: ConfirmNewEmailData): RenderedMail {
  return notice({
    subject: "Confirm your new Palisade address",
    heading: "Confirm your new address",
    name: data.name,
    paragraphs: [
      `Someone asked to make ${data.newEmail} the address of a Palisade account. Nothing changes until it is confirmed from this address. The link works once, for ${lifetime(data.validForSeconds)}.`,
      "If you did not ask, ignore this message.",
    ],
    action: { lead: "If it was you,", label: "confirm the new address", url: data.url },
  });
}

export interface EmailChangedData {
  name: string;
  newEmail: string;
  when: Date;
  /** `${APP_URL}/email/undo#token=…` */
  undoUrl: string;
  validForSeconds: number;
}

function emailChanged(data: EmailChangedData): RenderedMail {
  return notice({
    subject: "The address of your Palisade account was changed",
    heading: "Your account's address was changed",
    name: data.name,
    paragraphs: [
      `On ${utc(data.when)} the address of your Palisade account was changed from this one to ${data.newEmail}. Messages about the account now go there.`,
      `If you made this change, there is nothing else to do. If you did not, the link below puts this address back and signs every device out; it works for ${lifetime(data.validForSeconds)}.`,
    ],
    action: { lead: "If it was not you,", label: "undo the change", url: data.undoUrl },
  });
}

export interface AddressInUseData {
  signInUrl: string;
}

function addressInUse(data: AddressInUseData): RenderedMail {
  return notice({
    subject: "Your address was offered for another Palisade account",
    heading: "This address already has an account",
    name: null,
    paragraphs: [
      "Someone asked to move a Palisade account to this address, but an account already uses it. Nothing was changed, and no one else can take this address.",
      "If it was you, sign in to the account that already has it.",
    ],
    action: { lead: "To sign in,", label: "open Palisade", url: data.signInUrl },
  });
}

export interface UnverifiedPasswordRemovedData {
  name: string;
  provider: string;
  accountUrl: string;
}

function unverifiedPasswordRemoved(data: UnverifiedPasswordRemovedData): RenderedMail {
  return notice({
    subject: "Your Palisade account is now yours alone",
    heading: "We removed a password no one had proved",
    name: data.name,
    paragraphs: [
      `You signed in with ${data.provider}, which vouched for this address. The account with this address had a password but its address had never been confirmed, so anyone could have set that password.`,
      "We removed it, ended every other session, and disconnected every other sign-in method. Add a password of your own if you want one.",
    ],
    action: { lead: "Review the account:", label: "open your account page", url: data.accountUrl },
  });
}

/** What changed about an account's second factors (docs/decisions/047-second-factor-sign-in-and-step-up.md). */
export type SecondFactorChange =
  | { event: "totp-enabled" }
  | { event: "totp-removed" }
  | { event: "recovery-codes-regenerated" }
  | { event: "recovery-code-used"; remaining: number }
  | { event: "passkey-added"; passkeyName: string }
  | { event: "passkey-removed"; passkeyName: string }
  /** The per-account limit on wrong codes was reached: someone may hold the password. */
  | { event: "codes-refused" };

export interface SecondFactorChangedData {
  name: string;
  when: Date;
  change: SecondFactorChange;
  /** Where the account's factors are managed: `${APP_URL}/account/security`. */
  securityUrl: string;
}

/** The subject and the first paragraph of each second-factor notice. */
function secondFactorWording(change: SecondFactorChange, when: string): { subject: string; what: string } {
  switch (change.event) {
    case "totp-enabled":
      return {
        subject: "Two-step sign-in is on for your Palisade account",
        what: `An authenticator app was set up for your account on ${when}. Signing in now takes a code from it.`,
      };
    case "totp-removed":
      return {
        subject: "Two-step sign-in was turned off for your Palisade account",
        what: `The authenticator app was removed from your account on ${when}.`,
      };
    case "recovery-codes-regenerated":
      return {
        subject: "New recovery codes for your Palisade account",
        what: `New recovery codes were made for your account on ${when}. The old ones no longer work.`,
      };
    case "recovery-code-used": {
      const left = change.remaining === 1 ? "1 code is left" : `${change.remaining} codes are left`;
      return { subject: "A recovery code was used on your Palisade account", what: `A recovery code was used to sign in to your account on ${when}. ${left}.` };
    }
    case "passkey-added":
      return { subject: "A passkey was added to your Palisade account", what: `The passkey "${change.passkeyName}" was added to your account on ${when}.` };
    case "passkey-removed":
      return {
        subject: "A passkey was removed from your Palisade account",
        what: `The passkey "${change.passkeyName}" was removed from your account on ${when}.`,
      };
    case "codes-refused":
      return {
        subject: "Wrong sign-in codes for your Palisade account",
        what: `On ${when} several wrong codes were entered for your account after its password or a session, and further tries are paused for a while. If that was not you, someone may know your password.`,
      };
  }
}

function secondFactorChanged(data: SecondFactorChangedData): RenderedMail {
  const { subject, what } = secondFactorWording(data.change, utc(data.when));
  return notice({
    subject,
    heading: subject,
    name: data.name,
    paragraphs: [what, "If this was you, there is nothing else to do."],
    action: { lead: "If it was not, change your password and", label: "review your sign-in security", url: data.securityUrl },
  });
}

export const TEMPLATES = {
  "password-changed": passwordChanged,
  "sign-in-method-changed": signInMethodChanged,
  "session-ended-on-reuse": sessionEndedOnReuse,
  "new-sign-in": newSignIn,
  "verify-email": verifyEmail,
  "account-exists": accountExists,
  "reset-password": resetPassword,
  "no-account": noAccount,
  "password-reset": passwordReset,
  "confirm-new-email": confirmNewEmail,
  "email-changed": emailChanged,
  "address-in-use": addressInUse,
  "unverified-password-removed": unverifiedPasswordRemoved,
  "second-factor-changed": secondFactorChanged,
} as const;

export type TemplateName = keyof typeof TEMPLATES;
export type TemplateData<N extends TemplateName> = Parameters<(typeof TEMPLATES)[N]>[0];

export function renderMail<N extends TemplateName>(template: N, data: TemplateData<N>): RenderedMail {
  // Each entry takes its own data type; the key ties the two together for the caller.
  return (TEMPLATES[template] as (data: TemplateData<N>) => RenderedMail)(data);
}
