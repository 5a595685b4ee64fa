/**
 * Wycheproof's JSON Web Signature vectors (tests/vectors/wycheproof/) run against the
 * signature layer of our verifier: the same RS256 pin and key resolver that access-token
 * verification uses. Shared by the unit test, which asserts the verdicts, and the security
 * suite, which also counts them for the scorecard.
 *
 * RS256 groups: exactly the valid vectors verify. Every other group (other algorithms, other key
 * types, `alg: none`, JSON serialization): every vector is refused, valid or not, because only
 * compact RS256 is accepted.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { importJWK, type JWK } from "jose";
import { buildKeyStore, type KeyStore, type VerificationKey } from "@/lib/auth/keys";
import { verifyJwsSignature } from "@/lib/auth/tokens";
import { testKeyPair } from "./keys";

interface Vector {
  tcId: number;
  comment: string;
  jws: unknown;
  result: "valid" | "invalid" | "acceptable";
}

interface Group {
  public?: JWK & { kid?: string; alg?: string };
  tests: Vector[];
}

export const WYCHEPROOF_JWS_FILE = path.resolve(import.meta.dirname, "../vectors/wycheproof/json_web_signature_test.json");

export function wycheproofJwsGroups(): Group[] {
  return (JSON.parse(readFileSync(WYCHEPROOF_JWS_FILE, "utf8")) as { testGroups: Group[] }).testGroups;
}

const isRs256 = (group: Group) => group.public?.kty === "RSA" && group.public.alg === "RS256";

async function storeFor(group: Group): Promise<KeyStore> {
  // A store holding an unrelated RSA key under the vector's kid, unless the group is RS256.
  const base = await buildKeyStore(testKeyPair("wycheproof").privateKeyPem);
  const kid = group.public?.kid ?? "none";
  let entry: VerificationKey = { ...[...base.verification.values()][0]!, kid };
  if (group.public !== undefined && isRs256(group)) {
    const key = (await importJWK({ kty: "RSA", n: group.public.n, e: group.public.e }, "RS256")) as CryptoKey;
    entry = { ...entry, key };
  }
  return { signing: base.signing, verification: new Map([[kid, entry]]) };
}

async function verifies(jws: unknown, store: KeyStore): Promise<boolean> {
  if (typeof jws !== "string") return false; // JSON serialization is not accepted at all
  try {
    await verifyJwsSignature(jws, store);
    return true;
  } catch {
    return false;
  }
}

export interface WycheproofVerdicts {
  /** RS256 vectors checked, and those whose verdict differs from the expected one. */
  rs256: { checked: number; valid: number; wrong: string[] };
  /** Vectors of every other algorithm and key type, and those that were (wrongly) accepted. */
  others: { checked: number; accepted: string[] };
}

export async function runWycheproofJws(groups: Group[] = wycheproofJwsGroups()): Promise<WycheproofVerdicts> {
  const verdicts: WycheproofVerdicts = { rs256: { checked: 0, valid: 0, wrong: [] }, others: { checked: 0, accepted: [] } };
  for (const group of groups) {
    const store = await storeFor(group);
    for (const vector of group.tests) {
      const accepted = await verifies(vector.jws, store);
      if (isRs256(group)) {
        const expected = vector.result === "valid" && typeof vector.jws === "string";
        if (expected) verdicts.rs256.valid++;
        if (accepted !== expected) verdicts.rs256.wrong.push(`#${vector.tcId} ${vector.comment}: ${accepted ? "accepted" : "rejected"}`);
        verdicts.rs256.checked++;
      } else {
        if (accepted) verdicts.others.accepted.push(`#${vector.tcId} ${vector.comment}`);
        verdicts.others.checked++;
      }
    }
  }
  return verdicts;
}
