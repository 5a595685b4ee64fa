/**
 * Reading what a person types as a second factor, before it is sent (ADR 046, ADR 047). The
 * server normalises and checks again; this only spares a round trip, and a wrong guess counted
 * against the account's five-per-quarter-hour budget, for input that cannot be a code at all.
 */

export type CodeMethod = "totp" | "recovery-code";

/** Every way a second step can be proved, in the order the pages offer them: the phishing-resistant one first. */
export type SecondFactorMethod = "passkey" | CodeMethod;
export const SECOND_FACTOR_METHODS: readonly SecondFactorMethod[] = ["passkey", "totp", "recovery-code"];

export function isCodeMethod(method: string): method is CodeMethod {
  return method === "totp" || method === "recovery-code";
}

/** The query parameter that carries the login's 202 `methods` on to the second step's page. */
export const METHODS_PARAM = "methods";

/**
 * The methods named in `?methods=`, known ones only and in the pages' order, or null when the
 * parameter is absent or names none (a provider's sign-in arrives without it). Only a hint for
 * which control comes first: the server decides what it accepts, so a crafted link can at most
 * put the controls in another order.
 */
export function readMethods(value: string | undefined): SecondFactorMethod[] | null {
  if (value === undefined) return null;
  const named = new Set(value.split(","));
  const methods = SECOND_FACTOR_METHODS.filter((method) => named.has(method));
  return methods.length === 0 ? null : methods;
}

/** `href` (a same-origin path) with the methods the login answered, for the second step's page. */
export function withMethods(href: string, methods: readonly string[]): string {
  const known = SECOND_FACTOR_METHODS.filter((method) => methods.includes(method));
  if (known.length === 0) return href;
  const url = new URL(href, "https://palisade.invalid");
  url.searchParams.set(METHODS_PARAM, known.join(","));
  return `${url.pathname}${url.search}`;
}

export const TOTP_DIGITS = 6;
/** 25 symbols of Crockford's base32, shown in five groups of five (lib/auth/mfa/recovery-codes.ts). */
export const RECOVERY_CODE_SYMBOLS = 25;

export const CODE_MESSAGES = {
  totpMissing: "Enter the 6-digit code from your authenticator app.",
  recoveryMissing: "Enter one of your recovery codes: 25 letters and digits.",
  /** The server's one answer for a wrong code, whichever kind (ERR_SECOND_FACTOR_INVALID). */
  wrong: "That code is not correct",
  /** What to try next, under the field, after a wrong code of each kind. */
  retry: {
    totp: "Enter the newest code your app shows.",
    "recovery-code": "Check the code, or use another one: each works once.",
  },
} as const;

/**
 * What the code field keeps of a keystroke or a paste: digits only, at most six. Apps show a
 * code as "123 456", and a pasted one often carries a space or a newline.
 */
export function totpInput(value: string): string {
  return value.replace(/\D+/g, "").slice(0, TOTP_DIGITS);
}

/** The six digits to send, or null when the input is not a whole code. */
export function readTotpCode(value: string): string | null {
  const digits = value.replace(/\s+/g, "");
  return digits.length === TOTP_DIGITS && /^\d+$/.test(digits) ? digits : null;
}

/**
 * A recovery code as typed (spaces, dashes and case do not matter to the server), or null when
 * it cannot be one: the wrong number of letters and digits, or another character.
 */
export function readRecoveryCode(value: string): string | null {
  const trimmed = value.trim();
  const symbols = trimmed.replace(/[\s\-\u2010-\u2015\u2212]+/g, "");
  return symbols.length === RECOVERY_CODE_SYMBOLS && /^[0-9A-Za-z]+$/.test(symbols) ? trimmed : null;
}

/** The request body for one method, or the message for its field. */
export function secondFactorBody(
  method: CodeMethod,
  value: string,
): { ok: true; body: { code: string } | { recoveryCode: string } } | { ok: false; message: string } {
  if (method === "totp") {
    const code = readTotpCode(value);
    return code === null ? { ok: false, message: CODE_MESSAGES.totpMissing } : { ok: true, body: { code } };
  }
  const recoveryCode = readRecoveryCode(value);
  return recoveryCode === null ? { ok: false, message: CODE_MESSAGES.recoveryMissing } : { ok: true, body: { recoveryCode } };
}

/** The key without the spaces it is shown with: what an authenticator app's "enter a key" field takes. */
export function compactKey(manualKey: string): string {
  return manualKey.replace(/\s+/g, "");
}

/** The key in groups of four, whatever grouping the server sent, for reading aloud or off the screen. */
export function keyGroups(manualKey: string): string[] {
  const compact = compactKey(manualKey);
  const groups: string[] = [];
  for (let start = 0; start < compact.length; start += 4) groups.push(compact.slice(start, start + 4));
  return groups;
}

/** The text file a person downloads: one code a line, with what they are and how to use them. */
export function recoveryCodesText(codes: readonly string[], account: string, issuedAt: Date): string {
  return [
    "Palisade recovery codes",
    `Account: ${account}`,
    `Generated: ${issuedAt.toISOString()}`,
    "",
    "Each code signs you in once when you cannot use your authenticator app or your passkeys.",
    "Generating new codes makes all of these stop working. Keep this file somewhere safe.",
    "",
    ...codes,
    "",
  ].join("\n");
}
