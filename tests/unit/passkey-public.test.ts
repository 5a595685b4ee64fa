/**
 * What a client may send about passkeys (lib/auth/mfa/passkey-public.ts) and who the relying
 * party is (lib/auth/mfa/passkey-relying-party.ts): names a page can show safely, ceremony
 * responses refused before the verifier walks into them, nothing secret in the public shape, and
 * an RP ID and origin that come from APP_URL alone.
 */
import { describe, expect, it } from "vitest";
import {
  knownTransports,
  PasskeyAuthenticationResponseSchema,
  PasskeyNameSchema,
  PasskeyRegistrationResponseSchema,
  PublicPasskeySchema,
  toPublicPasskey,
} from "@/lib/auth/mfa/passkey-public";
import { clientDataChallenge } from "@/lib/auth/mfa/passkey-challenges";
import { relyingParty } from "@/lib/auth/mfa/passkey-relying-party";

describe("passkey names", () => {
  it("are trimmed, and kept when 1 to 64 characters of ordinary text", () => {
    expect(PasskeyNameSchema.parse("  Work laptop  ")).toBe("Work laptop");
    expect(PasskeyNameSchema.parse("x".repeat(64))).toBe("x".repeat(64));
    // 64 characters that are 128 UTF-16 units: the limit counts what a person sees.
    expect(PasskeyNameSchema.parse("🔑".repeat(64))).toBe("🔑".repeat(64));
    expect(PasskeyNameSchema.parse("Téléphone d’Ève")).toBe("Téléphone d’Ève");
  });

  it.each([
    ["empty", ""],
    ["only spaces", "   "],
    ["65 characters", "x".repeat(65)],
    ["a newline", "Work\nlaptop"],
    ["a NUL", "Work\u0000laptop"],
    ["a C1 control", "Work\u0085laptop"],
    ["a lone surrogate", "Work\ud800laptop"],
  ])("refuses a name with %s", (_case, name) => {
    expect(PasskeyNameSchema.safeParse(name).success).toBe(false);
  });
});

describe("ceremony responses", () => {
  const assertion = {
    id: "AAAA",
    rawId: "AAAA",
    type: "public-key",
    response: { clientDataJSON: "e30", authenticatorData: "AAAA", signature: "AAAA" },
    clientExtensionResults: {},
  };

  it("accepts a well-formed assertion and refuses hostile shapes before anything is decoded", () => {
    expect(PasskeyAuthenticationResponseSchema.safeParse(assertion).success).toBe(true);
    for (const hostile of [
      null,
      "string",
      { ...assertion, response: 1 },
      { ...assertion, type: "password" },
      { ...assertion, id: "a+b/c=" },
      { ...assertion, id: "A".repeat(1_365), rawId: "A".repeat(1_365) },
      { ...assertion, response: { ...assertion.response, signature: undefined } },
      { ...assertion, response: { ...assertion.response, clientDataJSON: "A".repeat(4_097) } },
    ]) {
      expect(PasskeyAuthenticationResponseSchema.safeParse(hostile).success).toBe(false);
    }
    expect(PasskeyRegistrationResponseSchema.safeParse(assertion).success).toBe(false);
  });

  it("keeps only the transports WebAuthn names", () => {
    expect(knownTransports(["usb", "carrier-pigeon", "internal", "usb"])).toEqual(["internal", "usb"]);
    const registration = {
      ...assertion,
      response: { clientDataJSON: "e30", attestationObject: "AAAA", transports: ["hybrid", "<script>"] },
    };
    expect(PasskeyRegistrationResponseSchema.parse(registration).response.transports).toEqual(["hybrid"]);
  });

  it("reads the challenge from client data, and nothing from client data that has none", () => {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    expect(clientDataChallenge(encode({ type: "webauthn.get", challenge: "abc" }))).toBe("abc");
    expect(clientDataChallenge(encode({ type: "webauthn.get" }))).toBeNull();
    expect(clientDataChallenge(encode({ challenge: 42 }))).toBeNull();
    expect(clientDataChallenge(encode(null))).toBeNull();
    expect(clientDataChallenge("not json")).toBeNull();
  });
});

describe("the public shape of a passkey", () => {
  it("carries no credential id, public key or counter", () => {
    const row = {
      id: "ckpasskey000000000000000",
      name: "Phone",
      createdAt: new Date("2026-12-07T10:00:00Z"),
      lastUsedAt: null,
      deviceType: "multiDevice",
      backedUp: true,
      credentialId: "credential-id",
      publicKey: "key",
      counter: 7,
    };
    const shown = toPublicPasskey(row);
    expect(PublicPasskeySchema.parse(shown)).toEqual({
      id: row.id,
      name: "Phone",
      createdAt: "2026-12-07T10:00:00.000Z",
      lastUsedAt: null,
      deviceType: "multiDevice",
      backedUp: true,
    });
  });
});

describe("the relying party", () => {
  it("is APP_URL's host name as the RP ID and its exact origin, port included", () => {
    expect(relyingParty("https://app.example.com")).toEqual({ id: "app.example.com", origin: "https://app.example.com", name: "Palisade" });
    expect(relyingParty("http://localhost:3000")).toEqual({ id: "localhost", origin: "http://localhost:3000", name: "Palisade" });
  });
});
