/**
 * Micro-floors: what one signature check, one session-cookie decrypt and one password hash cost
 * on this machine, measured in one run so their ratios are meaningful.
 * - OpenSSL's RSA-2048 verify: the physical floor for RS256.
 * - node:crypto RS256 verify with a prepared key object.
 * - our verifier (lib/auth/tokens.ts: jose, pinned algorithm, claims checks), key cached.
 * - jose decrypting an encrypted session cookie (dir + A256CBC-HS512, the style of cookie many
 *   session libraries use), for comparison.
 * - argon2id at our parameters.
 */
import { createPublicKey, createSign, generateKeyPairSync, randomBytes, verify as nodeVerify } from "node:crypto";
import { execFileSync } from "node:child_process";
import { EncryptJWT, importSPKI, jwtDecrypt, jwtVerify } from "jose";
import { buildKeyStore } from "../lib/auth/keys";
import { signAccessToken, verifyAccessToken } from "../lib/auth/tokens";
import { hashPassword } from "../lib/auth/password-hash";
import { fmt, microsPerOp } from "./measure";

export interface MicroResult {
  name: string;
  micros: number;
  range: string;
}

function opensslVerifyMicros(): number | null {
  try {
    const out = execFileSync("openssl", ["speed", "-seconds", "2", "rsa2048"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    // "rsa 2048 bits 0.000560s 0.000016s   1785.7  62500.0": sign/s then verify/s.
    const line = out.split("\n").find((l) => /^rsa\s+2048 bits/.test(l));
    const fields = line?.trim().split(/\s+/) ?? [];
    const verifyPerSecond = Number(fields[fields.length - 1]);
    return Number.isFinite(verifyPerSecond) && verifyPerSecond > 0 ? 1e6 / verifyPerSecond : null;
  } catch {
    return null;
  }
}

export async function runMicro(): Promise<MicroResult[]> {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  const keys = await buildKeyStore(privateKey);
  const { token } = await signAccessToken({ sub: "bench-user", role: "user", sid: "bench-session" }, keys);
  const [header, payload, signature] = token.split(".") as [string, string, string];
  const signed = Buffer.from(`${header}.${payload}`);
  const signatureBytes = Buffer.from(signature, "base64url");
  const nodeKey = createPublicKey(publicKey);
  if (!nodeVerify("RSA-SHA256", signed, nodeKey, signatureBytes)) throw new Error("node:crypto verify failed");
  createSign("RSA-SHA256"); // warm the OpenSSL provider

  const secret = randomBytes(64);
  const jwe = await new EncryptJWT({ sub: "bench-user", name: "Bench", email: "b@example.com" })
    .setProtectedHeader({ alg: "dir", enc: "A256CBC-HS512" })
    .setIssuedAt()
    .setExpirationTime("30d")
    .encrypt(secret);

  const results: MicroResult[] = [];
  const add = (name: string, stats: { median: number; min: number; max: number }) =>
    results.push({ name, micros: stats.median, range: `${fmt(stats.min)}–${fmt(stats.max)}` });

  const openssl = opensslVerifyMicros();
  if (openssl !== null) results.push({ name: "OpenSSL RSA-2048 verify (openssl speed)", micros: openssl, range: "–" });
  add("node:crypto RS256 verify", await microsPerOp(() => nodeVerify("RSA-SHA256", signed, nodeKey, signatureBytes), 2000));
  const joseKey = await importSPKI(publicKey, "RS256");
  add("jose jwtVerify alone (cached key, RS256 pinned)", await microsPerOp(() => jwtVerify(token, joseKey, { algorithms: ["RS256"] }), 2000));
  add("our verifier (verifyAccessToken, cached key)", await microsPerOp(() => verifyAccessToken(token, keys), 2000));
  add("jose decrypt of an encrypted session cookie (A256CBC-HS512)", await microsPerOp(() => jwtDecrypt(jwe, secret), 2000));
  add("argon2id hash (m=19456 KiB, t=2, p=1)", await microsPerOp(() => hashPassword("correct horse battery staple"), 5, 5));
  return results;
}
