/**
 * A software WebAuthn authenticator and client, for tests: what a browser and a platform
 * authenticator hand the server, made from scratch with node:crypto, so the server's verifier
 * (@simplewebauthn/server) runs for real on every byte. Nothing of the library is mocked.
 *
 * It makes ES256 (P-256) credentials, or EdDSA ones to test that an algorithm we did not offer is
 * refused, with:
 * - a `none` attestation object: CBOR {fmt, attStmt, authData} (W3C WebAuthn Level 3 §6.5, §8.7);
 * - authenticator data: the RP ID's SHA-256, the flags (UP, UV, BE, BS, AT), the big-endian
 *   signature counter and, at registration, the attested credential data with the COSE key
 *   (§6.1, RFC 9052 §7, RFC 9053 §2.1);
 * - client data JSON with the type, the challenge and the origin (§5.8.1);
 * - assertions signed over authenticatorData || SHA-256(clientDataJSON) (§6.3.3), as DER for
 *   ECDSA, as WebAuthn expects.
 * Each ceremony can be tampered with in one respect (another origin, RP ID, type or challenge,
 * no user verification, a chosen counter, another user handle, a claimed credential id) to play
 * the attacker's part.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from "@simplewebauthn/server";

/** What CBOR can carry here: integers, byte strings, text, arrays and ordered maps. */
export type CborValue = number | Uint8Array | string | CborValue[] | Map<number | string, CborValue>;

/**
 * Deterministic CBOR (RFC 8949 §4.2.1) for the subset above: shortest heads, definite lengths.
 * Map keys are written in insertion order; callers insert them in CTAP2 canonical order.
 */
export function encodeCbor(value: CborValue): Uint8Array {
  const chunks: Uint8Array[] = [];
  write(value, chunks);
  return concat(chunks);
}

function write(value: CborValue, out: Uint8Array[]): void {
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new RangeError(`CBOR here takes integers only: ${value}`);
    // Major type 1 holds -1 - n, so -1 is written as 0 and -257 as 256.
    out.push(value >= 0 ? head(0, value) : head(1, -1 - value));
  } else if (value instanceof Uint8Array) {
    out.push(head(2, value.length), value);
  } else if (typeof value === "string") {
    const text = new TextEncoder().encode(value);
    out.push(head(3, text.length), text);
  } else if (Array.isArray(value)) {
    out.push(head(4, value.length));
    for (const item of value) write(item, out);
  } else {
    out.push(head(5, value.size));
    for (const [key, item] of value) {
      write(key, out);
      write(item, out);
    }
  }
}

/** The initial byte (major type, additional info) and the shortest argument that holds `n`. */
function head(major: number, n: number): Uint8Array {
  const type = major << 5;
  if (n < 24) return Uint8Array.of(type | n);
  if (n < 0x100) return Uint8Array.of(type | 24, n);
  if (n < 0x10000) return Uint8Array.of(type | 25, n >> 8, n & 0xff);
  if (n < 0x1_0000_0000) return Uint8Array.of(type | 26, ...uint32(n));
  throw new RangeError("CBOR arguments above 2^32 - 1 are not needed here");
}

function uint32(n: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, n);
  return bytes;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((length, part) => length + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.length;
  }
  return all;
}

const sha256 = (data: Uint8Array | string): Uint8Array => new Uint8Array(createHash("sha256").update(data).digest());
const b64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64url");
const fromB64url = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, "base64url"));

/** Authenticator data flags (§6.1). */
export const FLAGS = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40 } as const;

export type SoftAlgorithm = "ES256" | "EdDSA";

/** One way to play the attacker (or a broken client) in a ceremony. */
export interface Tamper {
  /** The origin the client writes into the client data (a phishing page's). */
  origin?: string;
  /** The RP ID whose hash the authenticator writes (the one a phishing page asked for). */
  rpId?: string;
  /** The client data's type: `webauthn.create` or `webauthn.get` unless set. */
  type?: string;
  /** The challenge the client data carries, instead of the one in the options. */
  challenge?: string;
  /** False: the authenticator did not verify the user (no PIN, no biometric). */
  userVerified?: boolean;
  /** The credential id the client claims in the response, whatever the authenticator signed. */
  claimCredentialId?: string;
}

export interface RegistrationTamper extends Tamper {
  /** The id the authenticator gives the new credential (an attacker's copy of someone's id). */
  credentialId?: Uint8Array;
}

export interface AssertionTamper extends Tamper {
  /** The signature counter to report, instead of the credential's next one. */
  counter?: number;
  /** The user handle to return; null to return none. */
  userHandle?: string | null;
}

interface SoftCredential {
  id: Uint8Array;
  rpId: string;
  userHandle: Uint8Array;
  privateKey: KeyObject;
  algorithm: SoftAlgorithm;
  counter: number;
}

export interface SoftAuthenticatorOptions {
  /** The origin the page runs on: the app's, unless a test plays a phishing page. */
  origin: string;
  algorithm?: SoftAlgorithm;
  /** The first signature counter; null for an authenticator that always reports 0 (most passkeys). */
  initialCounter?: number | null;
  /** Backup eligible and backed up: a synced passkey (`multiDevice`). */
  synced?: boolean;
  /** What the browser reports as the transports. */
  transports?: string[];
}

/** A browser with one authenticator attached, holding the credentials it made. */
export class SoftAuthenticator {
  readonly credentials: SoftCredential[] = [];
  private readonly origin: string;
  private readonly algorithm: SoftAlgorithm;
  private readonly initialCounter: number | null;
  private readonly synced: boolean;
  private readonly transports: string[];

  constructor(options: SoftAuthenticatorOptions) {
    this.origin = options.origin;
    this.algorithm = options.algorithm ?? "ES256";
    this.initialCounter = options.initialCounter ?? null;
    this.synced = options.synced ?? true;
    this.transports = options.transports ?? ["hybrid", "internal"];
  }

  /** `navigator.credentials.create()`: a new credential, answered with a `none` attestation. */
  create(options: PublicKeyCredentialCreationOptionsJSON, tamper: RegistrationTamper = {}): RegistrationResponseJSON {
    const rpId = tamper.rpId ?? options.rp.id ?? new URL(this.origin).hostname;
    const excluded = new Set((options.excludeCredentials ?? []).map((credential) => credential.id));
    if (this.credentials.some((credential) => credential.rpId === rpId && excluded.has(b64url(credential.id)))) {
      // What a real authenticator does for a listed credential it holds (§6.3.2, InvalidStateError).
      throw new Error("InvalidStateError: this authenticator already holds a credential for the account");
    }
    const { privateKey, publicKey } = this.algorithm === "ES256" ? generateKeyPairSync("ec", { namedCurve: "P-256" }) : generateKeyPairSync("ed25519");
    const credential: SoftCredential = {
      id: tamper.credentialId ?? new Uint8Array(randomBytes(32)),
      rpId,
      userHandle: fromB64url(options.user.id),
      privateKey,
      algorithm: this.algorithm,
      counter: this.initialCounter ?? 0,
    };
    const clientDataJSON = this.clientData(tamper.type ?? "webauthn.create", tamper.challenge ?? options.challenge, tamper.origin);
    const attestedCredentialData = concat([
      new Uint8Array(16), // AAGUID: all zeros, as `none` attestation reports it
      Uint8Array.of(credential.id.length >> 8, credential.id.length & 0xff),
      credential.id,
      coseKey(publicKey, this.algorithm),
    ]);
    const authData = this.authenticatorData(rpId, tamper.userVerified ?? true, credential.counter, attestedCredentialData);
    const attestationObject = encodeCbor(
      new Map<string, CborValue>([
        ["fmt", "none"],
        ["attStmt", new Map()],
        ["authData", authData],
      ]),
    );
    this.credentials.push(credential);
    const id = tamper.claimCredentialId ?? b64url(credential.id);
    return {
      id,
      rawId: id,
      type: "public-key",
      response: {
        clientDataJSON: b64url(clientDataJSON),
        attestationObject: b64url(attestationObject),
        // Typed as the library's transport union; a test may send an unknown one on purpose.
        transports: this.transports as RegistrationResponseJSON["response"]["transports"],
      },
      authenticatorAttachment: "platform",
      clientExtensionResults: { credProps: { rk: true } },
    };
  }

  /**
   * `navigator.credentials.get()`: an assertion by the credential the options allow (the newest
   * this authenticator holds for the RP when the list is empty, as for a passwordless sign-in).
   */
  get(options: PublicKeyCredentialRequestOptionsJSON, tamper: AssertionTamper = {}): AuthenticationResponseJSON {
    const credential = this.pick(options);
    const rpId = tamper.rpId ?? options.rpId ?? credential.rpId;
    let counter = credential.counter;
    if (this.initialCounter !== null) counter = credential.counter += 1;
    if (tamper.counter !== undefined) counter = tamper.counter;
    const clientDataJSON = this.clientData(tamper.type ?? "webauthn.get", tamper.challenge ?? options.challenge, tamper.origin);
    const authData = this.authenticatorData(rpId, tamper.userVerified ?? true, counter);
    // §6.3.3: the signature covers the authenticator data and the hash of the client data.
    const signed = concat([authData, sha256(clientDataJSON)]);
    const signature = credential.algorithm === "ES256" ? sign("sha256", signed, credential.privateKey) : sign(null, signed, credential.privateKey);
    const id = tamper.claimCredentialId ?? b64url(credential.id);
    const userHandle = tamper.userHandle === undefined ? b64url(credential.userHandle) : tamper.userHandle;
    return {
      id,
      rawId: id,
      type: "public-key",
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(new Uint8Array(signature)),
        ...(userHandle === null ? {} : { userHandle }),
      },
      authenticatorAttachment: "platform",
      clientExtensionResults: {},
    };
  }

  private pick(options: PublicKeyCredentialRequestOptionsJSON): SoftCredential {
    const allowed = new Set((options.allowCredentials ?? []).map((credential) => credential.id));
    const held = this.credentials.filter((credential) => credential.rpId === options.rpId && (allowed.size === 0 || allowed.has(b64url(credential.id))));
    const credential = held.at(-1);
    // What a browser does when none of the listed credentials is on this authenticator.
    if (credential === undefined) throw new Error("NotAllowedError: no credential of this authenticator is allowed");
    return credential;
  }

  private clientData(type: string, challenge: string, origin = this.origin): Uint8Array {
    return new TextEncoder().encode(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  private authenticatorData(rpId: string, userVerified: boolean, counter: number, attestedCredentialData?: Uint8Array): Uint8Array {
    let flags = FLAGS.UP;
    if (userVerified) flags |= FLAGS.UV;
    if (this.synced) flags |= FLAGS.BE | FLAGS.BS;
    if (attestedCredentialData !== undefined) flags |= FLAGS.AT;
    return concat([sha256(rpId), Uint8Array.of(flags), uint32(counter), attestedCredentialData ?? new Uint8Array()]);
  }
}

/** The credential public key as a COSE_Key, with labels in CTAP2 canonical order. */
function coseKey(publicKey: KeyObject, algorithm: SoftAlgorithm): Uint8Array {
  const jwk = publicKey.export({ format: "jwk" });
  if (jwk.x === undefined) throw new Error("the public key has no x coordinate");
  if (algorithm === "EdDSA") {
    // kty OKP (1), alg EdDSA (-8), crv Ed25519 (6), x.
    return encodeCbor(
      new Map<number, CborValue>([
        [1, 1],
        [3, -8],
        [-1, 6],
        [-2, fromB64url(jwk.x)],
      ]),
    );
  }
  if (jwk.y === undefined) throw new Error("the public key has no y coordinate");
  // kty EC2 (2), alg ES256 (-7), crv P-256 (1), x, y: 32 bytes each.
  return encodeCbor(
    new Map<number, CborValue>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, fromB64url(jwk.x)],
      [-3, fromB64url(jwk.y)],
    ]),
  );
}
