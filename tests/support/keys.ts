/** RSA key pairs for tests, generated once per process (2048-bit generation takes ~100 ms). */
import { generateKeyPairSync } from "node:crypto";

export interface TestKeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
}

const cache = new Map<string, TestKeyPair>();

export function testKeyPair(label = "default", modulusLength = 2048): TestKeyPair {
  const cacheKey = `${label}:${modulusLength}`;
  let pair = cache.get(cacheKey);
  if (pair === undefined) {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", {
      modulusLength,
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    pair = { privateKeyPem: privateKey, publicKeyPem: publicKey };
    cache.set(cacheKey, pair);
  }
  return pair;
}
