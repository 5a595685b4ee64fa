/**
 * The test authenticator (tests/support/soft-authenticator.ts) speaks real WebAuthn: its CBOR
 * matches RFC 8949's examples byte for byte, and what it makes decodes, with the verifier's own
 * parsers, into exactly what it was asked to make. If it did not, the passkey tests could pass
 * against a server that accepts something no browser sends, or fail for the wrong reason.
 */
import { createHash, createPublicKey, verify } from "node:crypto";
import { cose, decodeAttestationObject, decodeCredentialPublicKey, parseAuthenticatorData } from "@simplewebauthn/server/helpers";
import { describe, expect, it } from "vitest";
import { encodeCbor, FLAGS, SoftAuthenticator, type CborValue } from "../support/soft-authenticator";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const fromB64url = (text: string) => new Uint8Array(Buffer.from(text, "base64url"));
const sha256 = (data: Uint8Array | string) => new Uint8Array(createHash("sha256").update(data).digest());

const ORIGIN = "http://localhost:4310";
const RP_ID = "localhost";
const USER_HANDLE = Buffer.from("user-handle").toString("base64url");
const CHALLENGE = Buffer.alloc(32, 7).toString("base64url");

function creationOptions() {
  return {
    challenge: CHALLENGE,
    rp: { id: RP_ID, name: "Palisade" },
    user: { id: USER_HANDLE, name: "a@example.com", displayName: "A" },
    pubKeyCredParams: [{ alg: -7, type: "public-key" as const }],
  };
}

describe("CBOR encoding", () => {
  // RFC 8949 Appendix A: the examples for the types the authenticator writes.
  it.each<[string, CborValue, string]>([
    ["0", 0, "00"],
    ["23", 23, "17"],
    ["24", 24, "1818"],
    ["100", 100, "1864"],
    ["1000", 1000, "1903e8"],
    ["1000000", 1_000_000, "1a000f4240"],
    ["-1", -1, "20"],
    ["-10", -10, "29"],
    ["-100", -100, "3863"],
    ["-1000", -1000, "3903e7"],
    ['""', "", "60"],
    ['"a"', "a", "6161"],
    ['"IETF"', "IETF", "6449455446"],
    ["h'01020304'", Uint8Array.of(1, 2, 3, 4), "4401020304"],
    ["[1, 2, 3]", [1, 2, 3], "83010203"],
    [
      "{1: 2, 3: 4}",
      new Map([
        [1, 2],
        [3, 4],
      ]),
      "a201020304",
    ],
    [
      '{"a": 1, "b": [2, 3]}',
      new Map<string, CborValue>([
        ["a", 1],
        ["b", [2, 3]],
      ]),
      "a26161016162820203",
    ],
  ])("encodes %s as RFC 8949 does", (_name, value, expected) => {
    expect(hex(encodeCbor(value))).toBe(expected);
  });
});

describe("the soft authenticator", () => {
  it("makes a `none` attestation whose authenticator data and COSE key decode to what it holds", () => {
    const authenticator = new SoftAuthenticator({ origin: ORIGIN, initialCounter: 41, synced: false });
    const response = authenticator.create(creationOptions());
    const attestation = decodeAttestationObject(fromB64url(response.response.attestationObject));
    expect(attestation.get("fmt")).toBe("none");
    expect(attestation.get("attStmt").size).toBe(0);
    const authData = parseAuthenticatorData(attestation.get("authData"));
    expect(hex(authData.rpIdHash)).toBe(hex(sha256(RP_ID)));
    expect(authData.flags).toMatchObject({ up: true, uv: true, be: false, bs: false, at: true, ed: false });
    expect(authData.counter).toBe(41);
    expect(hex(authData.credentialID ?? new Uint8Array())).toBe(hex(fromB64url(response.id)));
    const key = decodeCredentialPublicKey(authData.credentialPublicKey ?? new Uint8Array());
    if (!cose.isCOSEPublicKeyEC2(key)) throw new Error("not an EC2 key");
    // kty EC2, alg ES256, crv P-256, and 32-byte coordinates.
    expect([key.get(cose.COSEKEYS.kty), key.get(cose.COSEKEYS.alg), key.get(cose.COSEKEYS.crv)]).toEqual([2, -7, 1]);
    expect([key.get(cose.COSEKEYS.x)?.length, key.get(cose.COSEKEYS.y)?.length]).toEqual([32, 32]);
    expect(JSON.parse(Buffer.from(response.response.clientDataJSON, "base64url").toString())).toEqual({
      type: "webauthn.create",
      challenge: CHALLENGE,
      origin: ORIGIN,
      crossOrigin: false,
    });
  });

  it("signs authenticatorData || SHA-256(clientDataJSON) with the key it registered, and counts up", () => {
    const authenticator = new SoftAuthenticator({ origin: ORIGIN, initialCounter: 41 });
    const registration = authenticator.create(creationOptions());
    const attestation = decodeAttestationObject(fromB64url(registration.response.attestationObject));
    const key = decodeCredentialPublicKey(parseAuthenticatorData(attestation.get("authData")).credentialPublicKey ?? new Uint8Array());
    const [x, y] = cose.isCOSEPublicKeyEC2(key) ? [key.get(cose.COSEKEYS.x), key.get(cose.COSEKEYS.y)] : [];
    if (x === undefined || y === undefined) throw new Error("not an EC2 key");
    const publicKey = createPublicKey({
      key: { kty: "EC", crv: "P-256", x: Buffer.from(x).toString("base64url"), y: Buffer.from(y).toString("base64url") },
      format: "jwk",
    });

    const assertion = authenticator.get({ challenge: CHALLENGE, rpId: RP_ID, allowCredentials: [{ id: registration.id, type: "public-key" }] });
    const authData = fromB64url(assertion.response.authenticatorData);
    const signed = Buffer.concat([authData, sha256(fromB64url(assertion.response.clientDataJSON))]);
    expect(verify("sha256", signed, publicKey, fromB64url(assertion.response.signature))).toBe(true);
    const parsed = parseAuthenticatorData(authData);
    expect(parsed.counter).toBe(42);
    expect(parsed.flags).toMatchObject({ up: true, uv: true, be: true, bs: true, at: false });
    expect(assertion.response.userHandle).toBe(USER_HANDLE);
    expect(assertion.id).toBe(registration.id);
  });

  it("can play the attacker: no user verification, another RP ID, a chosen counter", () => {
    const authenticator = new SoftAuthenticator({ origin: ORIGIN });
    authenticator.create(creationOptions());
    const assertion = authenticator.get({ challenge: CHALLENGE, rpId: RP_ID }, { userVerified: false, rpId: "evil.example", counter: 9, userHandle: null });
    const parsed = parseAuthenticatorData(fromB64url(assertion.response.authenticatorData));
    expect(parsed.flags.uv).toBe(false);
    expect(parsed.flags.up).toBe(true);
    expect(parsed.flags.flagsInt & FLAGS.UV).toBe(0);
    expect(hex(parsed.rpIdHash)).toBe(hex(sha256("evil.example")));
    expect(parsed.counter).toBe(9);
    expect(assertion.response.userHandle).toBeUndefined();
  });

  it("refuses to make a second credential for an account it already holds one for", () => {
    const authenticator = new SoftAuthenticator({ origin: ORIGIN });
    const first = authenticator.create(creationOptions());
    expect(() => authenticator.create({ ...creationOptions(), excludeCredentials: [{ id: first.id, type: "public-key" }] })).toThrow(/InvalidStateError/);
  });
});
