/**
 * Signing and verification keys for access tokens.
 *
 * - RS256 only: the private key signs, and anyone holding a public key can verify, so other
 *   services can check our tokens through the JWKS without being able to mint them (unlike a
 *   shared HS256 secret). RSA keys under 2048 bits, and keys of any other type, are refused
 *   (NIST SP 800-57: 2048-bit RSA gives about 112 bits of security).
 * - Each key's `kid` is its RFC 7638 thumbprint, so a `kid` names exactly one key and cannot be
 *   made to point anywhere else.
 * - One active signing key (`JWT_PRIVATE_KEY`) plus any number of verification-only public keys
 *   (`JWT_PUBLIC_KEYS`), so a key can be rotated without signing anyone out (docs/tokens.md).
 *
 * Web Crypto only (through jose): the edge middleware verifies with this module too.
 */
import { calculateJwkThumbprint, exportJWK, importJWK, importPKCS8, importSPKI, type JWK } from "jose";
import { env } from "../env";

export const ALG = "RS256";
const MIN_MODULUS_BITS = 2048;

export interface VerificationKey {
  kid: string;
  key: CryptoKey;
  /** The public JWK as published at /.well-known/jwks.json. */
  jwk: JWK & { kid: string; alg: typeof ALG; use: "sig" };
}

export interface KeyStore {
  signing: { kid: string; key: CryptoKey };
  /** Every key a token may be verified with, by kid: the signing key's public half first. */
  verification: Map<string, VerificationKey>;
}

export class KeyConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KeyConfigError";
  }
}

/** Env values often arrive with literal `\n` instead of newlines; accept both. */
function unescapeNewlines(value: string): string {
  return value.includes("\\n") ? value.replaceAll("\\n", "\n") : value;
}

function modulusBits(jwk: JWK): number {
  if (jwk.kty !== "RSA" || typeof jwk.n !== "string") throw new KeyConfigError("Only RSA keys are accepted for RS256.");
  // base64url without padding: 4 characters carry 3 bytes.
  const bytes = Math.floor((jwk.n.length * 3) / 4);
  return bytes * 8;
}

function assertStrongRsa(jwk: JWK, label: string): void {
  const bits = modulusBits(jwk);
  if (bits < MIN_MODULUS_BITS) throw new KeyConfigError(`${label} is a ${bits}-bit RSA key; at least ${MIN_MODULUS_BITS} bits are required.`);
}

async function toVerificationKey(publicJwk: JWK, label: string): Promise<VerificationKey> {
  assertStrongRsa(publicJwk, label);
  if (publicJwk.d !== undefined) throw new KeyConfigError(`${label} contains a private key; publish only public keys.`);
  const jwk = { kty: "RSA", n: publicJwk.n, e: publicJwk.e } as JWK;
  const kid = await calculateJwkThumbprint(jwk, "sha256");
  const key = (await importJWK(jwk, ALG)) as CryptoKey;
  return { kid, key, jwk: { ...jwk, kid, alg: ALG, use: "sig" } };
}

async function parsePrivateKey(raw: string): Promise<{ key: CryptoKey; publicJwk: JWK }> {
  const text = unescapeNewlines(raw.trim());
  let extractable: CryptoKey;
  let sourceJwk: JWK | undefined;
  try {
    if (text.startsWith("{")) {
      sourceJwk = JSON.parse(text) as JWK;
      if (sourceJwk.kty !== "RSA") throw new KeyConfigError("JWT_PRIVATE_KEY must be an RSA key.");
      extractable = (await importJWK({ ...sourceJwk, ext: true }, ALG)) as CryptoKey;
    } else {
      extractable = await importPKCS8(text, ALG, { extractable: true });
    }
  } catch (error) {
    if (error instanceof KeyConfigError) throw error;
    throw new KeyConfigError("JWT_PRIVATE_KEY is not an RSA private key in PKCS#8 PEM or JWK form.");
  }
  const privateJwk = await exportJWK(extractable);
  assertStrongRsa(privateJwk, "JWT_PRIVATE_KEY");
  // Sign with a non-extractable copy: the key material cannot be exported from it again.
  const key = (await importJWK({ ...privateJwk, ext: false }, ALG)) as CryptoKey;
  return { key, publicJwk: { kty: "RSA", n: privateJwk.n, e: privateJwk.e } };
}

function splitPemBlocks(text: string): string[] {
  return text.match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g) ?? [];
}

async function parsePublicKeys(raw: string | undefined): Promise<JWK[]> {
  if (raw === undefined || raw.trim() === "") return [];
  const text = unescapeNewlines(raw.trim());
  if (text.startsWith("[") || text.startsWith("{")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new KeyConfigError("JWT_PUBLIC_KEYS is not valid JSON.");
    }
    const keys = Array.isArray(parsed) ? parsed : (parsed as { keys?: unknown }).keys;
    if (!Array.isArray(keys)) throw new KeyConfigError("JWT_PUBLIC_KEYS must be a JSON array of JWKs or a JWKS object.");
    return keys as JWK[];
  }
  const blocks = splitPemBlocks(text);
  if (blocks.length === 0) throw new KeyConfigError("JWT_PUBLIC_KEYS holds no PEM public key or JWK.");
  return Promise.all(
    blocks.map(async (block) => {
      try {
        return await exportJWK(await importSPKI(block, ALG, { extractable: true }));
      } catch {
        throw new KeyConfigError("JWT_PUBLIC_KEYS contains a PEM block that is not an RSA public key.");
      }
    }),
  );
}

export async function buildKeyStore(privateKey: string, publicKeys?: string): Promise<KeyStore> {
  const { key, publicJwk } = await parsePrivateKey(privateKey);
  const own = await toVerificationKey(publicJwk, "JWT_PRIVATE_KEY");
  const extra = await Promise.all((await parsePublicKeys(publicKeys)).map((jwk, index) => toVerificationKey(jwk, `JWT_PUBLIC_KEYS[${index}]`)));
  const verification = new Map<string, VerificationKey>([[own.kid, own]]);
  for (const candidate of extra) verification.set(candidate.kid, candidate);
  return { signing: { kid: own.kid, key }, verification };
}

let cached: { source: string; store: Promise<KeyStore> } | undefined;

/**
 * The process's keys, parsed once. In local runs with no key configured, next.config.ts has put
 * a generated development key into the environment (lib/auth/dev-keys.ts).
 */
export function getKeyStore(): Promise<KeyStore> {
  const privateKey = env.JWT_PRIVATE_KEY;
  if (privateKey === undefined) {
    return Promise.reject(new KeyConfigError("No signing key: set JWT_PRIVATE_KEY (run `npm run keys:generate`)."));
  }
  const source = `${privateKey}\u0000${env.JWT_PUBLIC_KEYS ?? ""}`;
  if (cached?.source !== source) {
    const store = buildKeyStore(privateKey, env.JWT_PUBLIC_KEYS);
    // A bad key must not be cached as a permanent rejection of a later, fixed configuration.
    store.catch(() => {
      if (cached?.store === store) cached = undefined;
    });
    cached = { source, store };
  }
  return cached.store;
}

/** The JWKS document: every verification key's public half. */
export async function publicJwks(): Promise<{ keys: VerificationKey["jwk"][] }> {
  const store = await getKeyStore();
  return { keys: [...store.verification.values()].map((entry) => entry.jwk) };
}
