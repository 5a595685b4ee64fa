/**
 * Development keys, generated once into `DATA_DIR/keys/` (mode 0600, git-ignored) and reused, so
 * what they protect survives restarts. A deployment never gets here: lib/env.ts refuses to start
 * one without configured keys.
 * - The signing key: for a local run with no `JWT_PRIVATE_KEY`, a 2048-bit RSA key in
 *   `signing-key.pem`. next.config.ts calls this before any module reads the environment, which
 *   gives the route handlers and the edge middleware the same key.
 * - The second-factor encryption key: for a local run with no `MFA_ENCRYPTION_KEY`, 32 bytes from
 *   the CSPRNG in `mfa-encryption-key` (base64url). Only Node code uses it, so
 *   lib/auth/mfa/secret-box.ts asks for it on first use, and scripts and tests get it the same way.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

export function loadOrCreateDevSigningKey(dataDir: string): string {
  return loadOrCreate(dataDir, "signing-key.pem", () => {
    const { privateKey } = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    return privateKey;
  });
}

/** 32 random bytes in base64url: the form `MFA_ENCRYPTION_KEY` takes. */
export function loadOrCreateDevMfaKey(dataDir: string): string {
  return loadOrCreate(dataDir, "mfa-encryption-key", () => randomBytes(32).toString("base64url")).trim();
}

function loadOrCreate(dataDir: string, name: string, generate: () => string): string {
  const dir = path.resolve(dataDir, "keys");
  const file = path.join(dir, name);
  if (existsSync(file)) return readFileSync(file, "utf8");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const key = generate();
  // `wx`: if another process created it meanwhile, keep theirs rather than overwrite it.
  try {
    writeFileSync(file, key, { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return readFileSync(file, "utf8");
  }
  return key;
}
