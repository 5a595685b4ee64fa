/**
 * TOTP secrets at rest (lib/auth/mfa/secret-box.ts): AES-256-GCM, bound to the user. Each attack
 * on a stored box (a flipped byte, a box copied to another user's row, a box read under another
 * key, a shortened tag) must open nothing.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadOrCreateDevMfaKey } from "@/lib/auth/dev-keys";
import { decodeMfaKey, MfaKeyError, openSecret, sealSecret } from "@/lib/auth/mfa/secret-box";

const KEY = randomBytes(32);
const SECRET = new Uint8Array(randomBytes(20));
const ALICE = "clalice00000000000000000";
const BOB = "clbob0000000000000000000";

/** The box with one bit of one byte of part `index` (1 = iv, 2 = ciphertext, 3 = tag) flipped. */
function flipped(box: string, index: 1 | 2 | 3, byte = 0): string {
  const parts = box.split(".");
  const bytes = Buffer.from(parts[index] as string, "base64url");
  bytes[byte] = (bytes[byte] as number) ^ 0x01;
  parts[index] = bytes.toString("base64url");
  return parts.join(".");
}

describe("the secret box", () => {
  it("opens what it sealed, for the same user under the same key", () => {
    expect(openSecret(sealSecret(SECRET, ALICE, KEY), ALICE, KEY)).toEqual(SECRET);
  });

  it("writes v1.<iv>.<ciphertext>.<tag> in base64url: a 96-bit nonce, 20 bytes, a 128-bit tag", () => {
    expect(sealSecret(SECRET, ALICE, KEY)).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{27}\.[A-Za-z0-9_-]{22}$/);
  });

  it("uses a fresh nonce for every box, so one secret sealed twice gives two different boxes", () => {
    const boxes = new Set(Array.from({ length: 20 }, () => sealSecret(SECRET, ALICE, KEY)));
    expect(boxes.size).toBe(20);
    expect(new Set([...boxes].map((box) => box.split(".")[1])).size).toBe(20);
  });

  it.each([
    ["the nonce", 1],
    ["the ciphertext", 2],
    ["the tag", 3],
  ] as const)("refuses a box with one bit of %s flipped", (_part, index) => {
    const box = sealSecret(SECRET, ALICE, KEY);
    expect(openSecret(flipped(box, index), ALICE, KEY)).toBeNull();
    expect(openSecret(flipped(box, index, 11), ALICE, KEY)).toBeNull();
  });

  it("refuses a box copied into another user's row (the user id is the associated data)", () => {
    const alices = sealSecret(SECRET, ALICE, KEY);
    expect(openSecret(alices, BOB, KEY)).toBeNull();
    // Not even a user id that merely extends the other one.
    expect(openSecret(alices, `${ALICE}x`, KEY)).toBeNull();
  });

  it("refuses a box under another key", () => {
    expect(openSecret(sealSecret(SECRET, ALICE, KEY), ALICE, randomBytes(32))).toBeNull();
  });

  it("refuses a shortened tag, which GCM would otherwise check over fewer bits", () => {
    const [version, iv, ciphertext, tag] = sealSecret(SECRET, ALICE, KEY).split(".") as [string, string, string, string];
    const short = Buffer.from(tag, "base64url").subarray(0, 4).toString("base64url");
    expect(openSecret([version, iv, ciphertext, short].join("."), ALICE, KEY)).toBeNull();
  });

  it("refuses another version, a missing part, a foreign alphabet and plain text", () => {
    const box = sealSecret(SECRET, ALICE, KEY);
    const [, iv, ciphertext, tag] = box.split(".");
    for (const bad of [`v2.${iv}.${ciphertext}.${tag}`, `v1.${iv}.${ciphertext}`, `${box}.x`, `v1.${iv}.${ciphertext}.${tag}=`, "", "JBSWY3DPEHPK3PXP"]) {
      expect(openSecret(bad, ALICE, KEY)).toBeNull();
    }
  });
});

describe("the key", () => {
  it("takes 32 bytes in base64 (padded or not) or base64url", () => {
    const raw = randomBytes(32);
    expect(decodeMfaKey(raw.toString("base64"))).toEqual(raw);
    expect(decodeMfaKey(raw.toString("base64").replace(/=+$/, ""))).toEqual(raw);
    expect(decodeMfaKey(raw.toString("base64url"))).toEqual(raw);
  });

  it.each([16, 31, 33, 64])("refuses a key of %i bytes", (length) => {
    expect(() => decodeMfaKey(randomBytes(length).toString("base64url"))).toThrow(MfaKeyError);
  });

  it("is generated once for a local run into DATA_DIR/keys, readable by its owner only, and then reused", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "palisade-mfa-key-"));
    try {
      const first = loadOrCreateDevMfaKey(dataDir);
      expect(decodeMfaKey(first)).toHaveLength(32);
      expect(loadOrCreateDevMfaKey(dataDir)).toBe(first);
      expect((await stat(path.join(dataDir, "keys", "mfa-encryption-key"))).mode & 0o777).toBe(0o600);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
