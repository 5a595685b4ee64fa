/**
 * The password rules, following OWASP ASVS 5.0 (V6.2) and NIST SP 800-63B-4 rather than the
 * source article's "upper, lower and digit" rule (docs/decisions/005-password-policy.md):
 * - at least 15 characters (a password is the only factor here) and at most 128;
 * - length is counted in Unicode code points after NFC normalisation, so "é" typed either way
 *   counts once and hashes the same; any character is accepted, including spaces and emoji;
 * - no composition rules and no truncation;
 * - refused if it is a known common password, or contains the account's own email or name.
 *
 * The schema is shared with the browser, which shows the same messages as the server.
 */
import { z } from "zod";

export const PASSWORD_MIN_LENGTH = 15;
export const PASSWORD_MAX_LENGTH = 128;

/** Code points, not UTF-16 units: an emoji is one character to the user and to the limit. */
export function passwordLength(password: string): number {
  return [...password.normalize("NFC")].length;
}

export const PasswordSchema = z
  .string()
  .transform((value) => value.normalize("NFC"))
  .refine((value) => passwordLength(value) >= PASSWORD_MIN_LENGTH, {
    message: `Use at least ${PASSWORD_MIN_LENGTH} characters. A few unrelated words make a strong, memorable password.`,
  })
  .refine((value) => passwordLength(value) <= PASSWORD_MAX_LENGTH, {
    message: `Use at most ${PASSWORD_MAX_LENGTH} characters.`,
  });

export interface PasswordContext {
  email?: string;
  name?: string;
}

/**
 * Context checks NIST asks for: the service name, and the user's own identifiers. Returns a
 * message, or null when the password passes.
 */
export function contextProblem(password: string, context: PasswordContext): string | null {
  const lowered = password.toLowerCase();
  const words = ["palisade", context.email?.toLowerCase(), context.email?.split("@")[0]?.toLowerCase(), context.name?.toLowerCase()];
  for (const word of words) {
    if (word !== undefined && word.length >= 4 && lowered.includes(word)) {
      return "Do not use your name, your email address or the name of this site in your password.";
    }
  }
  // One character or one short chunk repeated ("aaaa…", "abcabcabc…") is as weak as a dictionary word.
  if (/^(.{1,4})\1+$/u.test(password)) return "Avoid repeating the same characters.";
  return null;
}
