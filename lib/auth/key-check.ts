/**
 * A synchronous check of the configured signing key, for next.config.ts: a deployment with a
 * weak or wrong key fails at build and start instead of at the first sign-in.
 */
import { createPrivateKey } from "node:crypto";

export function assertSigningKeyUsable(raw: string): void {
  const text = raw.includes("\\n") ? raw.replaceAll("\\n", "\n") : raw;
  let key;
  try {
    key = text.trim().startsWith("{") ? createPrivateKey({ key: JSON.parse(text), format: "jwk" }) : createPrivateKey(text);
  } catch {
    throw new Error("JWT_PRIVATE_KEY is not a private key in PKCS#8 PEM or JWK form.");
  }
  if (key.asymmetricKeyType !== "rsa") {
    throw new Error(`JWT_PRIVATE_KEY is a ${key.asymmetricKeyType ?? "unknown"} key; RS256 needs an RSA key.`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 2048) throw new Error(`JWT_PRIVATE_KEY is a ${bits}-bit RSA key; at least 2048 bits are required.`);
}
