/**
 * What a client may send about passkeys, and the one shape a passkey takes in a response.
 *
 * Threats: a ceremony's response is attacker-controlled JSON that the verifier walks into
 * (`response.response.clientDataJSON` on a number throws), and a name is text the security page
 * shows back. Defence: strict schemas with bounded base64url strings, checked before anything is
 * decoded or stored; names are trimmed, 1 to 64 characters, with no control character, NUL or
 * lone surrogate (lib/http/text.ts). A passkey leaves the server only through `toPublicPasskey`:
 * never its public key, counter or credential id, which a page has no use for.
 * Shared with the browser (the forms use the same schemas), so it uses no Node API.
 */
import { z } from "zod";
import { isStorableText } from "../../http/text";

export const PASSKEY_NAME_MAX = 64;

// Cc: C0 and C1 controls, newlines and tabs included; a name is one line on the security page.
const CONTROL = /\p{Cc}/u;

/** A passkey's name as the owner types it ("Work laptop"). */
export const PasskeyNameSchema = z
  .string()
  .trim()
  .min(1, { message: "Give the passkey a name." })
  .refine((name) => [...name].length <= PASSKEY_NAME_MAX, { message: `Use at most ${PASSKEY_NAME_MAX} characters.` })
  .refine((name) => !CONTROL.test(name) && isStorableText(name), { message: "Use letters, digits, spaces and punctuation only." });

/** Passkey ids are cuids; anything else is refused before a query runs. */
export const PasskeyIdSchema = z.string().regex(/^[a-z0-9]{20,32}$/, { message: "Not a passkey id." });

/**
 * base64url without padding, bounded. Credential ids are at most 1023 bytes (WebAuthn Level 3);
 * the other fields are bounded generously: attestation `none` is a few hundred bytes, and the
 * edge's body limit bounds the whole request anyway.
 */
const base64url = (maxChars: number) =>
  z
    .string()
    .min(1)
    .max(maxChars)
    .regex(/^[A-Za-z0-9_-]+$/);
const CredentialId = base64url(1_364);

/** The transports WebAuthn names (AuthenticatorTransport, with `cable` and `smart-card`). */
export const PASSKEY_TRANSPORTS = ["ble", "cable", "hybrid", "internal", "nfc", "smart-card", "usb"] as const;
export type PasskeyTransport = (typeof PASSKEY_TRANSPORTS)[number];

/**
 * Transports are the browser's word, stored and handed back to browsers as hints: only known
 * ones are kept, and an unknown one (a newer browser's) is dropped rather than refused.
 */
export function knownTransports(transports: readonly string[]): PasskeyTransport[] {
  return PASSKEY_TRANSPORTS.filter((transport) => transports.includes(transport));
}

const Transports = z.array(z.string().max(32)).max(8).transform(knownTransports);

/** What `@simplewebauthn/browser`'s `startRegistration()` resolves to, as the body carries it. */
export const PasskeyRegistrationResponseSchema = z.object({
  id: CredentialId,
  rawId: CredentialId,
  type: z.literal("public-key"),
  response: z.object({
    clientDataJSON: base64url(4_096),
    attestationObject: base64url(32_768),
    authenticatorData: base64url(32_768).optional(),
    transports: Transports.optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: base64url(4_096).optional(),
  }),
  authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()),
});

/** What `@simplewebauthn/browser`'s `startAuthentication()` resolves to, as the body carries it. */
export const PasskeyAuthenticationResponseSchema = z.object({
  id: CredentialId,
  rawId: CredentialId,
  type: z.literal("public-key"),
  response: z.object({
    clientDataJSON: base64url(4_096),
    authenticatorData: base64url(4_096),
    signature: base64url(1_024),
    userHandle: base64url(128).optional(),
  }),
  authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()),
});

export const passkeySelect = { id: true, name: true, createdAt: true, lastUsedAt: true, deviceType: true, backedUp: true } as const;

export const PublicPasskeySchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
  /** `singleDevice` (a security key, a device-bound key) or `multiDevice` (synced by its provider). */
  deviceType: z.string(),
  backedUp: z.boolean(),
});

export type PublicPasskey = z.infer<typeof PublicPasskeySchema>;

export function toPublicPasskey(passkey: {
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  deviceType: string;
  backedUp: boolean;
}): PublicPasskey {
  return {
    id: passkey.id,
    name: passkey.name,
    createdAt: passkey.createdAt.toISOString(),
    lastUsedAt: passkey.lastUsedAt === null ? null : passkey.lastUsedAt.toISOString(),
    deviceType: passkey.deviceType,
    backedUp: passkey.backedUp,
  };
}

/**
 * The options a ceremony starts from, as `@simplewebauthn/server` writes them and the browser's
 * `startRegistration` / `startAuthentication` read them. Loose: the library may add members the
 * browser understands, and the contract only promises the ones a client must look at.
 */
export const PasskeyRegistrationOptionsSchema = z.looseObject({
  challenge: z.string().describe("256 random bits, base64url; single use, bound to this session, 5 minutes."),
  rp: z.looseObject({ id: z.string().optional(), name: z.string() }),
  user: z.looseObject({ id: z.string(), name: z.string(), displayName: z.string() }),
  pubKeyCredParams: z.array(z.looseObject({ alg: z.number(), type: z.literal("public-key") })),
  excludeCredentials: z
    .array(z.looseObject({ id: z.string() }))
    .optional()
    .describe("The account's passkeys, so an authenticator does not make a second one."),
  timeout: z.number().optional(),
});

export const PasskeyAuthenticationOptionsSchema = z.looseObject({
  challenge: z.string().describe("256 random bits, base64url; single use, bound to this ceremony's context, 5 minutes."),
  rpId: z.string().optional(),
  allowCredentials: z
    .array(z.looseObject({ id: z.string() }))
    .optional()
    .describe("The account's passkeys; empty when nobody is known yet."),
  userVerification: z.string().optional(),
  timeout: z.number().optional(),
});

/** A registration's body: the browser's answer and the name the owner gave the passkey. */
export const PasskeyRegistrationSchema = z.strictObject({ response: PasskeyRegistrationResponseSchema, name: PasskeyNameSchema });

/** A passwordless sign-in's body: the browser's answer to the challenge the nonce cookie is bound to. */
export const PasskeySignInSchema = z.strictObject({ response: PasskeyAuthenticationResponseSchema });

export const RenamePasskeySchema = z.strictObject({ name: PasskeyNameSchema });

export const PasskeyParams = z.strictObject({ id: PasskeyIdSchema });

/** Documented examples (the contracts' body examples must fit the schemas above). */
export const PASSKEY_ASSERTION_EXAMPLE = {
  id: "q1Y3a9n2Xk0bU5fJ8mW4cA",
  rawId: "q1Y3a9n2Xk0bU5fJ8mW4cA",
  type: "public-key",
  response: {
    clientDataJSON: "eyJ0eXBlIjoid2ViYXV0aG4uZ2V0In0",
    authenticatorData: "SZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzzuoMdl2MdAAAAAA",
    signature: "MEUCIQDk2vP8yXh7",
    userHandle: "Y2x4MTIzNDU2Nzg5MGFiY2RlZmdo",
  },
  clientExtensionResults: {},
} as const;

export const PASSKEY_ATTESTATION_EXAMPLE = {
  id: "q1Y3a9n2Xk0bU5fJ8mW4cA",
  rawId: "q1Y3a9n2Xk0bU5fJ8mW4cA",
  type: "public-key",
  response: {
    clientDataJSON: "eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIn0",
    attestationObject: "o2NmbXRkbm9uZWdhdHRTdG10oGhhdXRoRGF0YVi",
    transports: ["internal", "hybrid"],
  },
  clientExtensionResults: {},
} as const;
