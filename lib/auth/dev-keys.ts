/**
 * Development signing keys: for a local run with no `JWT_PRIVATE_KEY`, a 2048-bit RSA key is
 * generated once into `DATA_DIR/keys/signing-key.pem` (mode 0600, git-ignored) and reused, so
 * sessions survive restarts. next.config.ts calls this before any module reads the environment,
 * which gives the route handlers and the edge middleware the same key. A deployment never gets
 * here: lib/env.ts refuses to start one without a configured key.
 */
import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

export function loadOrCreateDevSigningKey(dataDir: string): string {
  const dir = path.resolve(dataDir, "keys");
  const file = path.join(dir, "signing-key.pem");
  if (existsSync(file)) return readFileSync(file, "utf8");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  // `wx`: if another process created it meanwhile, keep theirs rather than overwrite it.
  try {
    writeFileSync(file, privateKey, { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return readFileSync(file, "utf8");
  }
  return privateKey;
}
