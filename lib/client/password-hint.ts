/**
 * The password-strength hint on the sign-up and change-password forms. It follows the real
 * policy (lib/auth/password-policy.ts, docs/decisions/005-password-policy.md) and nothing else:
 * length between 15 and 128 characters, counted the way the server counts them, and the same
 * context check (no name, email or site name). No "add a digit and a symbol" meter: composition
 * rules make passwords harder to remember, not harder to guess (NIST SP 800-63B §3.1.1.2).
 *
 * The common-password list lives on the server only (it is large), so a password can pass this
 * hint and still be refused; the form then shows the server's message for the field.
 */
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, contextProblem, passwordLength, type PasswordContext } from "@/lib/auth/password-policy";

/** 0 empty · 1 not accepted yet · 2 accepted · 3 long: a passphrase. */
export type HintLevel = 0 | 1 | 2 | 3;

export interface PasswordHint {
  level: HintLevel;
  /** True when the browser-side rules pass; the server may still refuse a common password. */
  acceptable: boolean;
  message: string;
}

/** Past this many characters we call it a passphrase; every extra character still counts. */
export const PASSPHRASE_LENGTH = 24;

export function passwordHint(password: string, context: PasswordContext = {}): PasswordHint {
  const length = passwordLength(password);
  if (length === 0) {
    return { level: 0, acceptable: false, message: `Use at least ${PASSWORD_MIN_LENGTH} characters. Spaces, symbols and emoji are all fine.` };
  }
  if (length > PASSWORD_MAX_LENGTH) {
    return { level: 1, acceptable: false, message: `Too long: use at most ${PASSWORD_MAX_LENGTH} characters (${length} now).` };
  }
  if (length < PASSWORD_MIN_LENGTH) {
    const missing = PASSWORD_MIN_LENGTH - length;
    return { level: 1, acceptable: false, message: `${missing} more character${missing === 1 ? "" : "s"} needed. A few unrelated words work well.` };
  }
  // Only once it is long enough: "aa" while typing is not worth a warning about repetition.
  const problem = contextProblem(password, context);
  if (problem !== null) return { level: 1, acceptable: false, message: problem };
  if (length < PASSPHRASE_LENGTH) return { level: 2, acceptable: true, message: "Long enough. Longer is stronger." };
  return { level: 3, acceptable: true, message: "A strong passphrase." };
}
