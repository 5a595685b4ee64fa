/**
 * Micro-floors: what one signature check, one session-cookie decrypt and one password hash cost
 * on this machine, measured in one run so their ratios are meaningful.
 * - OpenSSL's RSA-2048 verify: the physical floor for RS256.
 * - node:crypto RS256 verify with a prepared key object (synchronous).
 * - crypto.subtle RS256 verify: the Web Crypto floor our verifier stands on, since the edge
 *   runtime has no node:crypto. Node runs it on its worker pool, so each call also pays a thread
 *   hand-off.
 * - jose's jwtVerify alone, and our verifier (lib/auth/tokens.ts: pinned algorithm, our keys,
 *   claims checks), keys cached.
 * - jose decrypting an encrypted session cookie (dir + A256CBC-HS512, the style of cookie many
 *   session libraries use), for comparison.
 * - argon2id at our parameters.
 * The verifications are measured twice: elapsed time one call at a time (latency, the thread
 * hand-off included), and CPU time per call with 8 in flight (what a busy server pays; on a
 * shared machine, elapsed time also counts other tenants' work).
 */
import { createPublicKey, generateKeyPairSync, randomBytes, verify as nodeVerify } from "node:crypto";
import { execFileSync } from "node:child_process";
import { EncryptJWT, importSPKI, jwtDecrypt, jwtVerify } from "jose";
import { buildKeyStore } from "../lib/auth/keys";
import { signAccessToken, verifyAccessToken } from "../lib/auth/tokens";
import { hashPassword } from "../lib/auth/password-hash";
import { fmt, microsPerOp, type OpStats } from "./measure";

export type MicroKey = "openssl" | "node" | "subtle" | "jose" | "ours" | "jwe" | "argon2";

export interface MicroResult {
  key: MicroKey;
  /** "sequential": elapsed time, one call at a time; "cpu": CPU time per call, 8 in flight. */
  mode: "sequential" | "cpu";
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

const IN_FLIGHT = 8;

export async function runMicro(options: { argon2?: boolean; scale?: number } = {}): Promise<MicroResult[]> {
  const scale = options.scale ?? 1;
  const n = (count: number) => Math.max(50, Math.round(count * scale));
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
  const subtleKey = [...keys.verification.values()][0]?.key as CryptoKey;
  if (!(await crypto.subtle.verify("RSASSA-PKCS1-v1_5", subtleKey, signatureBytes, signed))) throw new Error("crypto.subtle verify failed");
  const joseKey = await importSPKI(publicKey, "RS256");

  const secret = randomBytes(64);
  const jwe = await new EncryptJWT({ sub: "bench-user", name: "Bench", email: "b@example.com" })
    .setProtectedHeader({ alg: "dir", enc: "A256CBC-HS512" })
    .setIssuedAt()
    .setExpirationTime("30d")
    .encrypt(secret);

  const results: MicroResult[] = [];
  const add = (key: MicroKey, mode: MicroResult["mode"], name: string, stats: OpStats) =>
    results.push({ key, mode, name, micros: stats.median, range: `${fmt(stats.min)}–${fmt(stats.max)}` });
  const both = async (key: MicroKey, name: string, operation: () => unknown, count: number) => {
    add(key, "sequential", name, await microsPerOp(operation, n(count)));
    add(key, "cpu", `${name}: CPU per call, ${IN_FLIGHT} in flight`, await microsPerOp(operation, n(count), 7, IN_FLIGHT, "cpu"));
  };

  const openssl = opensslVerifyMicros();
  if (openssl !== null) results.push({ key: "openssl", mode: "sequential", name: "OpenSSL RSA-2048 verify (openssl speed)", micros: openssl, range: "–" });
  await both("node", "node:crypto RS256 verify", () => nodeVerify("RSA-SHA256", signed, nodeKey, signatureBytes), 2000);
  await both("subtle", "crypto.subtle RS256 verify", () => crypto.subtle.verify("RSASSA-PKCS1-v1_5", subtleKey, signatureBytes, signed), 2000);
  await both("jose", "jose jwtVerify alone (cached key, RS256 pinned)", () => jwtVerify(token, joseKey, { algorithms: ["RS256"] }), 2000);
  await both("ours", "our verifier (verifyAccessToken, cached key)", () => verifyAccessToken(token, keys), 2000);
  add("jwe", "sequential", "jose decrypt of an encrypted session cookie (A256CBC-HS512)", await microsPerOp(() => jwtDecrypt(jwe, secret), n(1000)));
  if (options.argon2 ?? true) {
    add("argon2", "sequential", "argon2id hash (m=19456 KiB, t=2, p=1)", await microsPerOp(() => hashPassword("correct horse battery staple"), 5, 5));
  }
  return results;
}
