/**
 * Reading what a person types as a second factor, before it is sent (ADR 046, ADR 047). The
 * server normalises and checks again; this only spares a round trip, and a wrong guess counted
 * against the account's five-per-quarter-hour budget, for input that cannot be a code at all.
 */

export type CodeMethod = "totp" | "recovery-code";

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
    "Each code signs you in once when you cannot use your authenticator app.",
    "Generating new codes makes all of these stop working. Keep this file somewhere safe.",
    "",
    ...codes,
    "",
  ].join("\n");
}
