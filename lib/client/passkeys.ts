/**
 * Passkeys in the browser (docs/decisions/047-second-factor-sign-in-and-step-up.md, decisions
 * 10 to 13): the ceremonies `@simplewebauthn/browser` runs over options the server issued, and
 * the words the pages use about them.
 *
 * Threat: a passkey is only phishing-resistant because the browser, not this code, binds the
 * assertion to our origin and the server's single-use challenge. So nothing here builds a
 * challenge, picks a credential or touches key material: options come from the API, go to the
 * browser unchanged, and its answer goes back unchanged. A ceremony the person cancels is not an
 * attack and not an error worth alarming anyone about, so it is told apart from a real failure.
 */
import {
  startAuthentication,
  startRegistration,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/browser";
import { z } from "zod";
import type { ApiClient } from "./api";
import { isApiError } from "./problem";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The server's creation options, checked only for what the browser library dereferences before
 * the browser itself validates the rest; a malformed answer is an error state, not a TypeError.
 */
export const CreationOptionsSchema = z.custom<PublicKeyCredentialCreationOptionsJSON>(
  (value) =>
    isRecord(value) &&
    typeof value.challenge === "string" &&
    isRecord(value.rp) &&
    isRecord(value.user) &&
    typeof value.user.id === "string" &&
    Array.isArray(value.pubKeyCredParams),
);

export const RequestOptionsSchema = z.custom<PublicKeyCredentialRequestOptionsJSON>(
  (value) => isRecord(value) && typeof value.challenge === "string" && (value.allowCredentials === undefined || Array.isArray(value.allowCredentials)),
);

/** Where a ceremony that proves a passkey gets its challenge: each is bound to its own context on the server. */
export const PASSKEY_OPTIONS_PATHS = {
  /** The pending sign-in's cookie names the account. */
  secondFactor: "/api/auth/login/second-factor/passkey/options",
  /** The session names the account. */
  stepUp: "/api/auth/step-up/passkey/options",
  /** Nobody is known yet: a nonce cookie binds the challenge to this browser. */
  passwordless: "/api/auth/passkeys/authentication/options",
} as const;

/** Ask for a challenge at `optionsPath`, and have the browser answer it with one of the person's passkeys. */
export async function provePasskey(client: Pick<ApiClient, "post">, optionsPath: string): Promise<AuthenticationResponseJSON> {
  const optionsJSON = await client.post(optionsPath, undefined, RequestOptionsSchema);
  return startAuthentication({ optionsJSON });
}

/** Ask for creation options (behind a step-up), and have the browser make a passkey for them. */
export async function createPasskey(client: Pick<ApiClient, "post">): Promise<RegistrationResponseJSON> {
  const optionsJSON = await client.post("/api/auth/passkeys/registration/options", undefined, CreationOptionsSchema);
  return startRegistration({ optionsJSON });
}

/**
 * Why a ceremony ended without a credential, or null when the error did not come from the
 * browser's WebAuthn call (an API error is the caller's to read).
 *
 * - `cancelled`: the person closed the prompt, it timed out, or no passkey was chosen. Browsers
 *   deliberately give all of these one name (NotAllowedError), so no page can learn which
 *   passkeys exist; we cannot tell them apart either, and say so calmly.
 * - `already-registered`: the authenticator already holds a passkey for this account.
 * - `unsupported`: no WebAuthn here (an old or embedded browser), or no authenticator that
 *   can do what the server requires (user verification, a discoverable key).
 * - `failed`: anything else the browser reported.
 */
export type CeremonyFailure = "cancelled" | "already-registered" | "unsupported" | "failed";

export function ceremonyFailure(error: unknown): CeremonyFailure | null {
  // The API client's own errors are answers from the server, not from the ceremony.
  if (!(error instanceof Error) || isApiError(error)) return null;
  const code = "code" in error && typeof error.code === "string" ? error.code : null;
  if (error.name === "NotAllowedError" || error.name === "AbortError" || code === "ERROR_CEREMONY_ABORTED") return "cancelled";
  if (error.name === "InvalidStateError" || code === "ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED") return "already-registered";
  if (error.name === "NotSupportedError" || error.name === "ConstraintError" || /WebAuthn is not supported/.test(error.message)) return "unsupported";
  if (code !== null || error.name === "SecurityError" || error.name === "UnknownError") return "failed";
  return null;
}

const BROWSERS: readonly [RegExp, string][] = [
  [/\bEdg(?:e|A|iOS)?\//, "Edge"],
  [/\bOPR\//, "Opera"],
  [/\bSamsungBrowser\//, "Samsung Internet"],
  [/\b(?:Firefox|FxiOS)\//, "Firefox"],
  [/\b(?:Chrome|CriOS|Chromium)\//, "Chrome"],
  [/\bVersion\/[\d.]+.*Safari\//, "Safari"],
];

const SYSTEMS: readonly [RegExp, string][] = [
  [/\b(?:iPhone|iPad|iPod)\b/, "iOS"],
  [/\bAndroid\b/, "Android"],
  [/\bCrOS\b/, "ChromeOS"],
  [/\bWindows\b/, "Windows"],
  [/\bMac OS X\b|\bMacintosh\b/, "macOS"],
  [/\bLinux\b/, "Linux"],
];

/**
 * A name to start from for a new passkey ("Chrome on macOS"), read from the user agent. Only a
 * suggestion the person can change: it is what they will recognise in the list later, and it
 * never leaves the browser unless they keep it.
 */
export function suggestedPasskeyName(userAgent: string): string {
  const browser = BROWSERS.find(([pattern]) => pattern.test(userAgent))?.[1];
  const system = SYSTEMS.find(([pattern]) => pattern.test(userAgent))?.[1];
  if (browser !== undefined && system !== undefined) return `${browser} on ${system}`;
  return browser ?? system ?? "My passkey";
}

/**
 * How a passkey is kept, in words. The flag is the authenticator's own claim (ADR 047 decision
 * 10: attestation `none` proves nothing), so the words describe, they do not certify.
 */
export function passkeyStorage(deviceType: string): { label: string; detail: string } {
  return deviceType === "multiDevice"
    ? { label: "Synced", detail: "Copied to your other devices by its password manager or platform." }
    : { label: "This device only", detail: "Kept on one device or security key." };
}
