/**
 * Recovery codes (lib/auth/mfa/recovery-codes.ts): what a code is (entropy, alphabet, format), how
 * a typed code is read back, and what is stored. Single use and races are proved on both
 * databases in tests/integration/mfa-foundation.test.ts.
 */
import { describe, expect, it } from "vitest";
import {
  RECOVERY_CODE_ALPHABET,
  RECOVERY_CODE_BITS,
  RECOVERY_CODE_SYMBOLS,
  encodeRecoveryCode,
  generateRecoveryCode,
  hashRecoveryCode,
  normaliseRecoveryCode,
} from "@/lib/auth/mfa/recovery-codes";

const FORMAT = /^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){4}$/;

/** 16 bytes whose first 125 bits spell the symbol indexes given, 5 bits each. */
function packSymbols(indexes: number[]): Uint8Array {
  const bytes = new Uint8Array(16);
  indexes.forEach((value, position) => {
    for (let bit = 0; bit < 5; bit++) {
      if ((value >> (4 - bit)) & 1) {
        const at = position * 5 + bit;
        bytes[at >> 3] = (bytes[at >> 3] as number) | (0x80 >> (at & 7));
      }
    }
  });
  return bytes;
}

describe("a recovery code", () => {
  it("carries 125 bits: 25 symbols of a 32-symbol alphabet, past the 112 bits a plain hash needs (ASVS V6.5.2)", () => {
    expect(new Set(RECOVERY_CODE_ALPHABET).size).toBe(32);
    expect(RECOVERY_CODE_BITS).toBe(RECOVERY_CODE_SYMBOLS * Math.log2(RECOVERY_CODE_ALPHABET.length));
    expect(RECOVERY_CODE_BITS).toBeGreaterThanOrEqual(112);
    expect(RECOVERY_CODE_BITS).toBeGreaterThanOrEqual(64);
  });

  it("reads as five groups of five from an alphabet without I, L, O or U", () => {
    for (let index = 0; index < 200; index++) expect(generateRecoveryCode()).toMatch(FORMAT);
    expect(RECOVERY_CODE_ALPHABET).not.toMatch(/[ILOU]/);
  });

  it("spells every one of its 125 random bits, in order, and no bit twice", () => {
    expect(encodeRecoveryCode(new Uint8Array(16))).toBe("00000-00000-00000-00000-00000");
    expect(encodeRecoveryCode(new Uint8Array(16).fill(0xff))).toBe("ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ");
    const indexes = Array.from({ length: 25 }, (_, position) => (position * 7 + 3) % 32);
    const expected = indexes.map((value) => RECOVERY_CODE_ALPHABET[value]).join("");
    expect(encodeRecoveryCode(packSymbols(indexes)).replaceAll("-", "")).toBe(expected);
    // A single bit set at each of the 125 positions changes exactly one symbol.
    for (let bit = 0; bit < 125; bit++) {
      const bytes = new Uint8Array(16);
      bytes[bit >> 3] = 0x80 >> (bit & 7);
      const symbols = encodeRecoveryCode(bytes).replaceAll("-", "");
      expect([...symbols].filter((symbol) => symbol !== "0")).toHaveLength(1);
    }
  });

  it("draws every symbol about equally often, and never the same code twice", () => {
    const codes = Array.from({ length: 4000 }, generateRecoveryCode);
    expect(new Set(codes).size).toBe(codes.length);
    const counts = new Map<string, number>();
    for (const code of codes) for (const symbol of code.replaceAll("-", "")) counts.set(symbol, (counts.get(symbol) ?? 0) + 1);
    expect(counts.size).toBe(32);
    // 100,000 symbols: 3,125 expected each, with a standard deviation of about 55.
    for (const count of counts.values()) expect(Math.abs(count - 3125)).toBeLessThan(450);
  });
});

describe("reading a typed code", () => {
  const code = "7KQ2M-XW4PD-0H1JN-B8RTV-9C3EF";
  const canonical = "7KQ2MXW4PD0H1JNB8RTV9C3EF";

  it.each([
    ["as shown", code],
    ["in lower case", code.toLowerCase()],
    ["without dashes", canonical],
    ["with spaces instead of dashes", code.replaceAll("-", " ")],
    ["with stray spaces and a tab", ` ${code.slice(0, 8)}\t${code.slice(8)} `],
    ["with typographic dashes", code.replaceAll("-", "\u2013")],
    ["with O for 0, and I or L for 1", "7KQ2M-XW4PD-OHIJN-B8RTV-9C3EF"],
    ["with l for 1", "7kq2m-xw4pd-0hljn-b8rtv-9c3ef"],
  ])("reads it %s", (_how, typed) => {
    expect(normaliseRecoveryCode(typed)).toBe(canonical);
  });

  it.each([
    ["a symbol short", canonical.slice(1)],
    ["a symbol long", `${canonical}0`],
    ["with a U, which no code has", `U${canonical.slice(1)}`],
    ["with punctuation", `${canonical.slice(0, 24)}!`],
    ["empty", ""],
    ["a TOTP code", "123456"],
  ])("refuses it %s", (_how, typed) => {
    expect(normaliseRecoveryCode(typed)).toBeNull();
  });
});

describe("the stored hash", () => {
  it("is the same for every way of typing one code, and names no part of it", () => {
    const code = generateRecoveryCode();
    const stored = hashRecoveryCode("user-1", normaliseRecoveryCode(code) as string);
    expect(hashRecoveryCode("user-1", normaliseRecoveryCode(code.toLowerCase().replaceAll("-", " ")) as string)).toBe(stored);
    expect(stored).toMatch(/^[0-9a-f]{64}$/);
    expect(stored).not.toContain(code.replaceAll("-", "").toLowerCase());
  });

  it("differs per user, so a hash is a target for one account only and a code works for its own account only", () => {
    const code = normaliseRecoveryCode(generateRecoveryCode()) as string;
    expect(hashRecoveryCode("user-1", code)).not.toBe(hashRecoveryCode("user-2", code));
    // The separator keeps "user-1" + "2…" apart from "user-12" + "…".
    expect(hashRecoveryCode("user-1", `2${code.slice(1)}`)).not.toBe(hashRecoveryCode("user-12", code.slice(1)));
  });
});
