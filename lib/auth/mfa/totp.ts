/**
 * Time-based one-time passwords (RFC 6238 over HOTP, RFC 4226), as authenticator apps compute
 * them: HMAC-SHA-1, 6 digits, 30-second steps (docs/decisions/046-second-factors-foundation.md).
 *
 * Threats and defences (OWASP ASVS 5.0 V6.5; RFC 6238 §5):
 * - guessing the secret: 20 bytes (160 bits, RFC 4226 §4's recommended length) from the CSPRNG;
 * - guessing a code: one in a million per try, three steps accepted, so the caller must limit
 *   wrong codes per account (the sign-in limits; not this module's job);
 * - replay: a code stays valid for its whole window. This module says WHICH step a code matched,
 *   and the caller accepts only a step later than the last one it accepted
 *   (./totp-factor.ts stores it and checks it in the same conditional update);
 * - timing: a submitted code is compared with every candidate in constant time, and every
 *   candidate is computed whether or not an earlier one matched.
 * SHA-1 here is HMAC-SHA-1, whose strength rests on SHA-1 as a pseudorandom function, which
 * collisions do not break (RFC 6194). It is what every authenticator app reads from a key URI.
 *
 * Pure functions of their inputs (`now` included), so tests need no clock.
 */
import "server-only";
import { randomBytes, timingSafeEqual } from "node:crypto";
import { encodeBase32NoPadding } from "@oslojs/encoding";
import { createTOTPKeyURI, generateHOTP } from "@oslojs/otp";

export const TOTP_ISSUER = "Palisade";
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** 160 bits: HMAC-SHA-1's output length, and RFC 4226 §4's recommendation. */
export const TOTP_SECRET_BYTES = 20;
/**
 * Steps accepted either side of the current one: one step of clock drift or slow typing
 * (RFC 6238 §5.2 recommends at most one). A code is thus usable for 60 to 90 seconds.
 */
export const TOTP_WINDOW_STEPS = 1;

/** RFC 4226 allows 6 to 8 digits; the product uses 6, the RFC's test vectors 8. */
export type TotpDigits = 6 | 7 | 8;

export function generateTotpSecret(): Uint8Array {
  return new Uint8Array(randomBytes(TOTP_SECRET_BYTES));
}

/** The time step `now` falls in: whole periods since the Unix epoch (RFC 6238 §4.2, T0 = 0). */
export function totpStep(now: Date): number {
  return Math.floor(now.getTime() / 1000 / TOTP_PERIOD_SECONDS);
}

/** The code for one time step. */
export function totpCode(secret: Uint8Array, step: number, digits: TotpDigits = TOTP_DIGITS): string {
  return generateHOTP(secret, BigInt(step), digits);
}

/**
 * The `otpauth://totp/` URI an authenticator app reads from the enrolment QR code: issuer
 * "Palisade", the account's address as its name, SHA-1, 6 digits, 30 s.
 */
export function totpKeyUri(secret: Uint8Array, accountEmail: string): string {
  return createTOTPKeyURI(TOTP_ISSUER, accountEmail, secret, TOTP_PERIOD_SECONDS, TOTP_DIGITS);
}

/** The secret as base32 in groups of four, for typing into an app that cannot scan the code. */
export function totpManualKey(secret: Uint8Array): string {
  return (
    encodeBase32NoPadding(secret)
      .match(/.{1,4}/g)
      ?.join(" ") ?? ""
  );
}

/**
 * The time step a submitted code matches within ±`TOTP_WINDOW_STEPS` of `now`, or null.
 *
 * When a code matches more than one step (any two steps share a 6-digit code once in a million),
 * the latest one is returned: the caller then records it, which refuses the same digits
 * at the earlier step too. Returning the earliest would leave them valid at the later step, a
 * replay of a code already accepted.
 *
 * Spaces are ignored ("123 456", as many apps display it); anything else but exactly `digits`
 * digits matches nothing.
 */
export function matchTotpStep(secret: Uint8Array, submitted: string, now: Date, digits: TotpDigits = TOTP_DIGITS): number | null {
  const code = submitted.replace(/\s+/g, "");
  if (code.length !== digits || !/^[0-9]+$/.test(code)) return null;
  const given = Buffer.from(code, "ascii");
  const current = totpStep(now);
  let matched: number | null = null;
  // Every candidate is computed and compared, so the time taken does not say which step (if
  // any) matched; equal lengths are guaranteed above, as timingSafeEqual requires.
  for (let step = current - TOTP_WINDOW_STEPS; step <= current + TOTP_WINDOW_STEPS; step++) {
    if (step < 0) continue;
    const expected = Buffer.from(totpCode(secret, step, digits), "ascii");
    if (timingSafeEqual(given, expected)) matched = step;
  }
  return matched;
}
