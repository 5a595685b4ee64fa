/**
 * Building JWTs the way an attacker does: any header, any payload (as objects, or as raw JSON
 * text for duplicate keys and numbers JSON.stringify cannot write), signed with any algorithm and
 * key, or not at all. node:crypto only, so nothing a JWT library refuses to produce is out of
 * reach.
 */
import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, sign, constants, type KeyObject } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { calculateJwkThumbprint, exportJWK, type JWK } from "jose";

export type Signer = (input: Buffer) => Buffer;
export type Json = Record<string, unknown>;

export function b64u(data: string | Buffer): string {
  return Buffer.from(data).toString("base64url");
}

/** A compact JWS. A string header or payload is used as the exact JSON text. */
export function forge(header: Json | string, payload: Json | string, signer?: Signer): string {
  const encode = (part: Json | string) => b64u(typeof part === "string" ? part : JSON.stringify(part));
  const input = `${encode(header)}.${encode(payload)}`;
  return `${input}.${signer === undefined ? "" : b64u(signer(Buffer.from(input)))}`;
}

export const signers = {
  rsa:
    (hash: "sha256" | "sha384" | "sha512", key: KeyObject): Signer =>
    (input) =>
      sign(hash, input, key),
  pss:
    (key: KeyObject): Signer =>
    (input) =>
      sign("sha256", input, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }),
  ecdsa:
    (key: KeyObject): Signer =>
    (input) =>
      sign("sha256", input, { key, dsaEncoding: "ieee-p1363" }),
  eddsa:
    (key: KeyObject): Signer =>
    (input) =>
      sign(null, input, key),
  hmac:
    (hash: "sha256" | "sha512", secret: string | Buffer): Signer =>
    (input) =>
      createHmac(hash, secret).update(input).digest(),
};

export interface KeyMaterial {
  privateKey: KeyObject;
  publicKey: KeyObject;
  jwk: JWK;
  kid: string;
}

export async function keyMaterial(privateKeyPem: string): Promise<KeyMaterial> {
  const privateKey = createPrivateKey(privateKeyPem);
  const publicKey = createPublicKey(privateKey);
  const jwk = await exportJWK(publicKey);
  // The app names its keys by RFC 7638 thumbprint (docs/tokens.md), so an outsider can compute our kid.
  return { privateKey, publicKey, jwk, kid: await calculateJwkThumbprint(jwk) };
}

export async function attackerRsa(): Promise<KeyMaterial> {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return keyMaterial(privateKey.export({ type: "pkcs8", format: "pem" }) as string);
}

export function attackerKey(type: "ec" | "ed25519"): KeyObject {
  return type === "ec" ? generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey : generateKeyPairSync("ed25519").privateKey;
}

/**
 * A self-signed X.509 certificate for `key`, base64 DER as `x5c` wants it. Uses the system
 * openssl; without one, the bare public key stands in (the header is refused either way, but a
 * real certificate is the stronger temptation).
 */
export function selfSignedCertificate(key: KeyObject): string {
  const dir = mkdtempSync(path.join(tmpdir(), "palisade-x5c-"));
  try {
    const keyFile = path.join(dir, "key.pem");
    const certFile = path.join(dir, "cert.der");
    writeFileSync(keyFile, key.export({ type: "pkcs8", format: "pem" }));
    execFileSync("openssl", ["req", "-x509", "-new", "-key", keyFile, "-subj", "/CN=palisade.test", "-days", "2", "-outform", "DER", "-out", certFile], {
      stdio: "ignore",
    });
    return readFileSync(certFile).toString("base64");
  } catch {
    return (createPublicKey(key).export({ type: "spki", format: "der" }) as Buffer).toString("base64");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface ClaimsBase {
  iss: string;
  sub: string;
  sid: string;
  role: "user" | "admin";
}

/** The claims of a genuine access token for `base`, issued now (docs/tokens.md lists them). */
export function accessClaims(base: ClaimsBase, overrides: Json = {}): Json {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: base.iss,
    aud: "palisade-api",
    sub: base.sub,
    role: base.role,
    sid: base.sid,
    client_id: "palisade-web",
    jti: randomUUID(),
    iat: now,
    exp: now + 900,
    ...overrides,
  };
}

/** `claims` without the named ones. */
export function without(claims: Json, ...names: string[]): Json {
  return Object.fromEntries(Object.entries(claims).filter(([name]) => !names.includes(name)));
}
