import { describe, expect, it } from "vitest";
import { commonPasswordCount, isCommonPassword } from "@/lib/auth/common-passwords";
import { ARGON2_PARAMS, hashPassword, needsRehash, verifyPassword } from "@/lib/auth/password-hash";
import { contextProblem, PasswordSchema, passwordLength } from "@/lib/auth/password-policy";

describe("password policy (ASVS 5.0 V6.2, NIST SP 800-63B-4)", () => {
  it("refuses 14 characters and accepts 15, with no composition rules", () => {
    expect(PasswordSchema.safeParse("a".repeat(14)).success).toBe(false);
    expect(PasswordSchema.safeParse("correct horse b").success).toBe(true);
    expect(PasswordSchema.safeParse("alllowercaseonlywords").success).toBe(true);
  });

  it("accepts a 128-character Unicode password and refuses 129", () => {
    const unicode = "🔐ñé漢字".repeat(25) + "abc"; // 5 × 25 + 3 = 128 code points
    expect(passwordLength(unicode)).toBe(128);
    expect(PasswordSchema.safeParse(unicode).success).toBe(true);
    expect(PasswordSchema.safeParse(unicode + "d").success).toBe(false);
  });

  it("counts characters, not UTF-16 units, so emoji are not penalised", () => {
    expect(passwordLength("🔐".repeat(15))).toBe(15);
    expect(PasswordSchema.safeParse("🔐".repeat(15)).success).toBe(true);
  });

  it("normalises to NFC, so the same text typed two ways is the same password", () => {
    const composed = "caf\u00e9 au lait chaud";
    const decomposed = "cafe\u0301 au lait chaud";
    expect(PasswordSchema.parse(decomposed)).toBe(PasswordSchema.parse(composed));
  });

  it("never truncates: the whole password is hashed", async () => {
    const base = "x".repeat(100);
    const hash = await hashPassword(`${base}-ending-one`);
    expect(await verifyPassword(hash, `${base}-ending-one`)).toBe(true);
    expect(await verifyPassword(hash, `${base}-ending-two`)).toBe(false);
  });

  it("bundles at least the 10,000 most common passwords and matches them case-insensitively", () => {
    expect(commonPasswordCount()).toBeGreaterThanOrEqual(10_000);
    expect(isCommonPassword("password")).toBe(true);
    expect(isCommonPassword("PassWord")).toBe(true);
    expect(isCommonPassword("a quiet lighthouse keeper in june")).toBe(false);
  });

  it("refuses a password built from the user's own email, name or the site's name", () => {
    expect(contextProblem("ann.lee@example.com is me", { email: "ann.lee@example.com" })).not.toBeNull();
    expect(contextProblem("my name is annabelle lee!", { name: "Annabelle" })).not.toBeNull();
    expect(contextProblem("palisade palisade 2026", {})).not.toBeNull();
    expect(contextProblem("violet river morning tea", { email: "ann@example.com", name: "Ann" })).toBeNull();
  });

  it("refuses a password that only repeats a short chunk", () => {
    expect(contextProblem("aaaaaaaaaaaaaaaaaaaa", {})).not.toBeNull();
    expect(contextProblem("abcabcabcabcabcabc", {})).not.toBeNull();
  });
});

describe("argon2id hashing", () => {
  it("hashes with argon2id at m=19456 KiB, t=2, p=1", async () => {
    const hash = await hashPassword("a long enough passphrase");
    expect(hash.startsWith(`$argon2id$v=19$m=${ARGON2_PARAMS.memoryCost},t=2,p=1$`)).toBe(true);
    expect(needsRehash(hash)).toBe(false);
  });

  it("flags a hash made with weaker parameters for rehashing", () => {
    expect(needsRehash("$argon2id$v=19$m=4096,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo")).toBe(true);
    expect(needsRehash("$2b$10$abcdefghijklmnopqrstuv")).toBe(true);
  });

  it("treats a malformed stored hash as a failed verification, not a crash", async () => {
    expect(await verifyPassword("not-a-hash", "anything at all here")).toBe(false);
  });
});
