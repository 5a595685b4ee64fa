/**
 * TOTP (lib/auth/mfa/totp.ts) against RFC 6238 Appendix B, and the rules a code is checked by:
 * the ±1 step window and nothing beyond, which step matched, and the key URI an app reads.
 */
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { describe, expect, it } from "vitest";
import {
  TOTP_DIGITS,
  TOTP_PERIOD_SECONDS,
  TOTP_SECRET_BYTES,
  generateTotpSecret,
  matchTotpStep,
  totpCode,
  totpKeyUri,
  totpManualKey,
  totpStep,
} from "@/lib/auth/mfa/totp";

/** RFC 6238 Appendix B: the SHA-1 seed, the 20 ASCII bytes "12345678901234567890". */
const RFC_SECRET = new TextEncoder().encode("12345678901234567890");

/** RFC 6238 Appendix B, SHA-1 rows: Unix time in seconds → the 8-digit TOTP. */
const RFC_SHA1_VECTORS: [number, string][] = [
  [59, "94287082"],
  [1111111109, "07081804"],
  [1111111111, "14050471"],
  [1234567890, "89005924"],
  [2000000000, "69279037"],
  [20000000000, "65353130"],
];

const at = (seconds: number) => new Date(seconds * 1000);

describe("TOTP codes", () => {
  it.each(RFC_SHA1_VECTORS)("matches RFC 6238 Appendix B for SHA-1 at T=%i", (seconds, expected) => {
    expect(totpCode(RFC_SECRET, totpStep(at(seconds)), 8)).toBe(expected);
    expect(matchTotpStep(RFC_SECRET, expected, at(seconds), 8)).toBe(totpStep(at(seconds)));
  });

  it("uses the RFC's step arithmetic: 30-second steps from the Unix epoch, 64-bit counters past 2038", () => {
    expect(TOTP_PERIOD_SECONDS).toBe(30);
    expect(totpStep(at(59))).toBe(1);
    expect(totpStep(at(1111111109))).toBe(0x23523ec);
    expect(totpStep(at(20000000000))).toBe(0x27bc86aa);
  });

  it("gives the product's codes 6 digits: the last 6 of the RFC's 8-digit values", () => {
    expect(TOTP_DIGITS).toBe(6);
    for (const [seconds, expected] of RFC_SHA1_VECTORS) expect(totpCode(RFC_SECRET, totpStep(at(seconds)))).toBe(expected.slice(2));
  });

  it("draws a 160-bit secret, a different one every time", () => {
    const secrets = Array.from({ length: 50 }, generateTotpSecret);
    expect(secrets.every((secret) => secret.length === TOTP_SECRET_BYTES && TOTP_SECRET_BYTES * 8 === 160)).toBe(true);
    expect(new Set(secrets.map((secret) => Buffer.from(secret).toString("hex"))).size).toBe(50);
  });
});

describe("the window a code is accepted in", () => {
  const now = at(1_800_000_015); // mid-step
  const current = totpStep(now);
  const codeAt = (step: number) => totpCode(RFC_SECRET, step);

  it("accepts the current step's code, and says which step it matched", () => {
    expect(matchTotpStep(RFC_SECRET, codeAt(current), now)).toBe(current);
  });

  it("accepts one step either side (clock drift, slow typing), each as its own step", () => {
    expect(matchTotpStep(RFC_SECRET, codeAt(current - 1), now)).toBe(current - 1);
    expect(matchTotpStep(RFC_SECRET, codeAt(current + 1), now)).toBe(current + 1);
  });

  it("refuses a code two or more steps away on either side", () => {
    for (const offset of [-10, -3, -2, 2, 3, 10]) {
      const code = codeAt(current + offset);
      // (Guard: the vector must not happen to equal a code inside the window.)
      expect([-1, 0, 1].map((near) => codeAt(current + near))).not.toContain(code);
      expect(matchTotpStep(RFC_SECRET, code, now)).toBeNull();
    }
  });

  it("moves with the clock: the code of a step is refused 60 seconds after its step ended", () => {
    const code = codeAt(current);
    expect(matchTotpStep(RFC_SECRET, code, new Date(now.getTime() + TOTP_PERIOD_SECONDS * 1000))).toBe(current);
    expect(matchTotpStep(RFC_SECRET, code, new Date(now.getTime() + 2 * TOTP_PERIOD_SECONDS * 1000))).toBeNull();
  });

  it("returns the latest step when two steps share a code, so recording it refuses the same digits at both", () => {
    // Found by search: with the RFC secret, steps 59061240 and 59061241 both give 963181.
    expect(codeAt(59061240)).toBe("963181");
    expect(codeAt(59061241)).toBe("963181");
    expect(matchTotpStep(RFC_SECRET, "963181", at(59061241 * 30 + 5))).toBe(59061241);
  });

  it("refuses what is not exactly six digits, and ignores spaces as apps display them", () => {
    const code = codeAt(current);
    expect(matchTotpStep(RFC_SECRET, `${code.slice(0, 3)} ${code.slice(3)}`, now)).toBe(current);
    for (const bad of ["", code.slice(1), `${code}0`, `0${code}`, `${code.slice(0, 5)}x`, "-12345", "１２３４５６", `+${code.slice(1)}`]) {
      expect(matchTotpStep(RFC_SECRET, bad, now)).toBeNull();
    }
  });

  it("refuses a code computed from another secret", () => {
    const other = new TextEncoder().encode("09876543210987654321");
    expect(matchTotpStep(RFC_SECRET, totpCode(other, current), now)).toBeNull();
  });
});

describe("the enrolment key URI", () => {
  it("names the issuer and account, SHA-1, 6 digits and 30 s, and carries the secret in base32", () => {
    const secret = generateTotpSecret();
    const uri = new URL(totpKeyUri(secret, "alice+mfa@example.com"));
    expect(uri.protocol).toBe("otpauth:");
    expect(uri.host).toBe("totp");
    expect(decodeURIComponent(uri.pathname)).toBe("/Palisade:alice+mfa@example.com");
    expect(uri.searchParams.get("issuer")).toBe("Palisade");
    expect(uri.searchParams.get("algorithm")).toBe("SHA1");
    expect(uri.searchParams.get("digits")).toBe("6");
    expect(uri.searchParams.get("period")).toBe("30");
    expect(decodeBase32IgnorePadding(uri.searchParams.get("secret") ?? "")).toEqual(secret);
  });

  it("gives the same secret as a manual key, in groups of four", () => {
    const secret = generateTotpSecret();
    const manual = totpManualKey(secret);
    expect(manual).toMatch(/^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/);
    expect(decodeBase32IgnorePadding(manual.replaceAll(" ", ""))).toEqual(secret);
  });
});
