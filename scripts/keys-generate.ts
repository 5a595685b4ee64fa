/**
 * `npm run keys:generate`: print a new RS256 key pair, and a key for second-factor secrets, in
 * the form the environment expects. Nothing is written to disk; paste the values into your
 * deployment's secret store.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { calculateJwkThumbprint, exportJWK, importSPKI } from "jose";

/* eslint-disable no-console -- a command-line script reports to its terminal */

async function main(): Promise<void> {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  const jwk = await exportJWK(await importSPKI(publicKey, "RS256", { extractable: true }));
  const kid = await calculateJwkThumbprint(jwk, "sha256");

  const oneLine = (pem: string) => pem.trim().replaceAll("\n", "\\n");
  console.log(`# RS256 key pair, kid ${kid} (RFC 7638 thumbprint)`);
  console.log("# The signing key. Keep it secret; set it only where tokens are issued.");
  console.log(`JWT_PRIVATE_KEY="${oneLine(privateKey)}"`);
  console.log("# Its public key, for JWT_PUBLIC_KEYS while rotating to or away from this key (see docs/tokens.md).");
  console.log(`# JWT_PUBLIC_KEYS="${oneLine(publicKey)}"`);
  console.log("# Encrypts second-factor secrets at rest (lib/auth/mfa/secret-box.ts). Keep it secret, and keep it:");
  console.log("# without it no enrolled authenticator works. Generate it once per deployment, not on every run.");
  console.log(`MFA_ENCRYPTION_KEY="${randomBytes(32).toString("base64url")}"`);
}

void main();
