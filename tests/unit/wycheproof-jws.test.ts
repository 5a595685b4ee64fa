/**
 * Wycheproof's JSON Web Signature vectors against the signature layer of our verifier (the same
 * RS256 pin and key resolver that access-token verification uses). RS256 groups: exactly the
 * valid vectors verify. Every other group (other algorithms, other key types, `alg: none`, JSON
 * serialization): every vector is refused, valid or not, because only compact RS256 is accepted.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { importJWK, type JWK } from "jose";
import { describe, expect, it } from "vitest";
import type { KeyStore, VerificationKey } from "@/lib/auth/keys";
import { verifyJwsSignature } from "@/lib/auth/tokens";
import { testKeyPair } from "../support/keys";
import { buildKeyStore } from "@/lib/auth/keys";

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

const FILE = path.resolve(import.meta.dirname, "../../../shared/vectors/wycheproof/json_web_signature_test.json");
const groups: Group[] = existsSync(FILE) ? (JSON.parse(readFileSync(FILE, "utf8")) as { testGroups: Group[] }).testGroups : [];

async function storeFor(group: Group): Promise<KeyStore> {
  // A store holding an unrelated RSA key under the vector's kid, unless the group is RS256.
  const base = await buildKeyStore(testKeyPair("wycheproof").privateKeyPem);
  const kid = group.public?.kid ?? "none";
  let entry: VerificationKey = { ...[...base.verification.values()][0]!, kid };
  if (group.public?.kty === "RSA" && group.public.alg === "RS256") {
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

describe.runIf(groups.length > 0)("Wycheproof JSON Web Signature vectors", () => {
  const rs256 = groups.filter((group) => group.public?.kty === "RSA" && group.public.alg === "RS256");
  const others = groups.filter((group) => !rs256.includes(group));

  it("accepts exactly the valid RS256 vectors and rejects every invalid one", async () => {
    let checked = 0;
    const wrong: string[] = [];
    for (const group of rs256) {
      const store = await storeFor(group);
      for (const vector of group.tests) {
        const accepted = await verifies(vector.jws, store);
        const expected = vector.result === "valid" && typeof vector.jws === "string";
        if (accepted !== expected) wrong.push(`#${vector.tcId} ${vector.comment}: ${accepted ? "accepted" : "rejected"}`);
        checked++;
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(200);
  });

  it("rejects every vector of every other algorithm and key type", async () => {
    const accepted: string[] = [];
    for (const group of others) {
      const store = await storeFor(group);
      for (const vector of group.tests) {
        if (await verifies(vector.jws, store)) accepted.push(`#${vector.tcId} ${vector.comment}`);
      }
    }
    expect(accepted).toEqual([]);
  });
});
