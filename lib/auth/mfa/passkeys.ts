/**
 * Passkey ceremonies (WebAuthn): registering a passkey for a signed-in account, and proving one
 * for a passwordless sign-in, a second factor after a password, or a step-up. No HTTP here; the
 * routes that call these add the recent-authentication rule, the attempt limits, the audit and
 * the notices (docs/decisions/047-second-factor-sign-in-and-step-up.md).
 *
 * Threats and defences (W3C WebAuthn Level 3 §7.1 and §7.2, §13; OWASP ASVS 5.0 V6.3.3 and
 * V6.5.1; OWASP Multifactor Authentication Cheat Sheet):
 * - phishing through a relaying proxy: the origin in the signed client data and the RP ID hash
 *   in the authenticator data must be ours (./passkey-relying-party.ts);
 * - replay and cross-context use: each ceremony spends a single-use challenge bound to its
 *   purpose, its user and its session or pending sign-in (./passkey-challenges.ts). It is spent
 *   before the response is checked, so a failed attempt cannot be retried on the same challenge;
 * - someone else's passkey: when the account is known (second factor, step-up) the credential is
 *   looked up together with that account, so an assertion by another user's authenticator finds
 *   nothing; for a passwordless sign-in the account is the credential's owner, and the user handle
 *   the authenticator returns must name that same owner (§7.2 step 6);
 * - possession without the person (a stolen security key, a device left unlocked): user
 *   verification (PIN or biometric) is required at registration and at every assertion, which is
 *   also what lets one passkey count as two factors;
 * - a cloned authenticator: a signature counter that does not grow is refused when either side is
 *   non-zero (§6.1.1). The check is repeated as the condition of the UPDATE that stores the new
 *   counter, so two racing assertions cannot both pass with one value;
 * - a credential planted in another account: credential ids are unique across all users, so a
 *   registration that claims an existing id (possible with attestation `none`) is refused;
 * - hostile input: the response is parsed by a bounded schema (./passkey-public.ts)
 *   before anything is decoded, and a library error is reported as `invalid`, never echoed.
 * Attestation is `none`: we do not restrict which authenticator models may be used, so a device's
 * make and model are neither asked for nor kept.
 */
import "server-only";
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransportFuture,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";
import type { Db } from "../../db/client";
import { isUniqueViolation } from "../../db/errors";
import { clientDataChallenge, issuePasskeyChallenge, PASSKEY_CHALLENGE_TTL_MS, spendPasskeyChallenge, type PasskeyChallengeScope } from "./passkey-challenges";
import {
  knownTransports,
  PasskeyAuthenticationResponseSchema,
  PasskeyNameSchema,
  passkeySelect,
  PasskeyRegistrationResponseSchema,
  toPublicPasskey,
  type PublicPasskey,
} from "./passkey-public";
import { PASSKEY_ALGORITHMS, relyingParty } from "./passkey-relying-party";

/** The column is a Postgres `integer`; WebAuthn's counter is unsigned 32-bit. See `storableCounter`. */
const MAX_STORED_COUNTER = 2_147_483_647;

/**
 * The WebAuthn user handle of an account: its id's UTF-8 bytes. WebAuthn forbids personal data in
 * the handle (it is kept on the authenticator, unencrypted by us); a cuid is random and names no
 * one. It is also stable, so registering again on the same authenticator replaces the account's
 * entry there instead of adding a second one.
 */
function userHandle(userId: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(userId);
}

export type StartPasskeyRegistrationResult =
  /** For `startRegistration({ optionsJSON })` in the browser. */
  { ok: true; options: PublicKeyCredentialCreationOptionsJSON } | { ok: false; reason: "no-user" };

/**
 * Begin registering a passkey for `userId` in session `sessionId`. The caller requires a recent
 * authentication first (a new passkey is a new way in).
 */
export async function startPasskeyRegistration(
  db: Db,
  input: { userId: string; sessionId: string },
  now = new Date(),
): Promise<StartPasskeyRegistrationResult> {
  const user = await db.user.findUnique({ where: { id: input.userId }, select: { email: true, name: true } });
  if (user === null) return { ok: false, reason: "no-user" };
  const existing = await db.passkey.findMany({ where: { userId: input.userId }, select: { credentialId: true, transports: true } });
  const challenge = await issuePasskeyChallenge(db, { purpose: "registration", userId: input.userId, boundTo: input.sessionId }, now);
  const rp = relyingParty();
  const options = await generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: user.email,
    userDisplayName: user.name,
    userID: userHandle(input.userId),
    challenge,
    timeout: PASSKEY_CHALLENGE_TTL_MS,
    attestationType: "none",
    // The authenticator refuses to make a second credential beside one it already holds for
    // this account, instead of the person ending up with two entries for one device.
    excludeCredentials: existing.map((passkey) => ({ id: passkey.credentialId, transports: knownTransports(passkey.transports) })),
    authenticatorSelection: {
      // Discoverable, so the same passkey also signs in without a password (no user name first).
      residentKey: "required",
      userVerification: "required",
    },
    supportedAlgorithmIDs: [...PASSKEY_ALGORITHMS],
  });
  return { ok: true, options };
}

export type FinishPasskeyRegistrationResult =
  | { ok: true; passkey: PublicPasskey }
  /** The name is empty, too long or holds control characters; the challenge is not spent. */
  | { ok: false; reason: "invalid-name" }
  /** No unexpired, unused challenge for this account and session: start again. */
  | { ok: false; reason: "challenge-expired" }
  /** The response does not verify (origin, RP ID, signature, user verification, algorithm...). */
  | { ok: false; reason: "invalid" }
  /** The credential is registered already, to this account or another one. */
  | { ok: false; reason: "duplicate" };

/** Finish a registration started by `startPasskeyRegistration` in the same session. */
export async function finishPasskeyRegistration(
  db: Db,
  input: { userId: string; sessionId: string; response: unknown; name: string },
  now = new Date(),
): Promise<FinishPasskeyRegistrationResult> {
  const name = PasskeyNameSchema.safeParse(input.name);
  if (!name.success) return { ok: false, reason: "invalid-name" };
  const parsed = PasskeyRegistrationResponseSchema.safeParse(input.response);
  if (!parsed.success) return { ok: false, reason: "invalid" };
  const response: RegistrationResponseJSON = withoutExtensionResults(parsed.data);
  const challenge = clientDataChallenge(response.response.clientDataJSON);
  if (challenge === null) return { ok: false, reason: "invalid" };
  const scope: PasskeyChallengeScope = { purpose: "registration", userId: input.userId, boundTo: input.sessionId };
  if (!(await spendPasskeyChallenge(db, challenge, scope, now))) return { ok: false, reason: "challenge-expired" };

  const rp = relyingParty();
  let verified;
  try {
    verified = await verifyRegistrationResponse({
      response,
      // The challenge was found by its hash and spent above; the verifier checks that the
      // signed client data carries exactly this string.
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserPresence: true,
      requireUserVerification: true,
      supportedAlgorithmIDs: [...PASSKEY_ALGORITHMS],
    });
  } catch {
    // The library explains a refusal by throwing; its message may quote the response, and the
    // response is the attacker's, so it goes nowhere.
    return { ok: false, reason: "invalid" };
  }
  if (!verified.verified) return { ok: false, reason: "invalid" };
  const { credential, credentialDeviceType, credentialBackedUp } = verified.registrationInfo;
  // The id the browser reported must be the one the authenticator signed for: they differ only
  // when something between them is lying. It also bounds the id to the schema's 1023 bytes (§7.1).
  if (credential.id !== response.id || !storableCounter(credential.counter)) return { ok: false, reason: "invalid" };

  try {
    const passkey = await db.passkey.create({
      data: {
        userId: input.userId,
        credentialId: credential.id,
        publicKey: Buffer.from(credential.publicKey).toString("base64url"),
        counter: credential.counter,
        transports: response.response.transports ?? [],
        deviceType: credentialDeviceType,
        backedUp: credentialBackedUp,
        name: name.data,
        createdAt: now,
      },
      select: passkeySelect,
    });
    return { ok: true, passkey: toPublicPasskey(passkey) };
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, reason: "duplicate" };
    throw error;
  }
}

/**
 * What a passkey proves, and for whom:
 * - `sign-in`: a passwordless sign-in; nobody is known yet, so any of our passkeys may answer,
 *   bound to the browser's nonce;
 * - `second-factor`: the second step after a password or a provider, bound to the pending
 *   sign-in, for the account that passed the first step;
 * - `step-up`: a fresh proof inside a session, bound to that session, for its account.
 * The account is required exactly where it is known, so a second step can never accept a
 * passkey of whoever happens to answer.
 */
export type PasskeyAuthenticationScope = { purpose: "sign-in"; boundTo: string } | { purpose: "second-factor" | "step-up"; userId: string; boundTo: string };

export type StartPasskeyAuthenticationResult =
  /** For `startAuthentication({ optionsJSON })` in the browser. */
  | { ok: true; options: PublicKeyCredentialRequestOptionsJSON }
  /** A second factor or step-up for an account that has no passkey: offer it another method. */
  | { ok: false; reason: "no-passkey" };

export async function startPasskeyAuthentication(db: Db, scope: PasskeyAuthenticationScope, now = new Date()): Promise<StartPasskeyAuthenticationResult> {
  let allowCredentials: { id: string; transports: AuthenticatorTransportFuture[] }[] = [];
  if (scope.purpose !== "sign-in") {
    const passkeys = await db.passkey.findMany({
      where: { userId: scope.userId },
      select: { credentialId: true, transports: true },
      orderBy: { createdAt: "asc" },
    });
    if (passkeys.length === 0) return { ok: false, reason: "no-passkey" };
    allowCredentials = passkeys.map((passkey) => ({ id: passkey.credentialId, transports: knownTransports(passkey.transports) }));
  }
  const challenge = await issuePasskeyChallenge(db, challengeScope(scope), now);
  const options = await generateAuthenticationOptions({
    rpID: relyingParty().id,
    // Empty for a passwordless sign-in: the browser offers the person's discoverable passkeys for
    // this site, and the server learns who it is only from the one that answers.
    allowCredentials,
    challenge,
    timeout: PASSKEY_CHALLENGE_TTL_MS,
    userVerification: "required",
  });
  return { ok: true, options };
}

export type FinishPasskeyAuthenticationResult =
  | {
      ok: true;
      userId: string;
      passkeyId: string;
      /** Always true: an assertion without user verification is refused. Kept for the `amr`. */
      userVerified: boolean;
      /** `multiDevice` for a synced passkey, `singleDevice` for a device-bound one: for the `amr`. */
      deviceType: string;
    }
  /** No unexpired, unused challenge for this purpose, account and binding: start again. */
  | { ok: false; reason: "challenge-expired" }
  /** Not a passkey of ours, or not one of this account's. */
  | { ok: false; reason: "unknown-credential" }
  /** The assertion does not verify (signature, origin, RP ID, user verification, type...). */
  | { ok: false; reason: "invalid" }
  /**
   * A valid signature whose counter did not grow: the authenticator may have been cloned, or
   * another assertion with this counter won a race. The caller audits it as a warning.
   */
  | { ok: false; reason: "counter-regression" };

/** Finish a ceremony started by `startPasskeyAuthentication` with the same scope. */
export async function finishPasskeyAuthentication(
  db: Db,
  input: PasskeyAuthenticationScope & { response: unknown },
  now = new Date(),
): Promise<FinishPasskeyAuthenticationResult> {
  const parsed = PasskeyAuthenticationResponseSchema.safeParse(input.response);
  if (!parsed.success) return { ok: false, reason: "invalid" };
  const response: AuthenticationResponseJSON = withoutExtensionResults(parsed.data);
  const challenge = clientDataChallenge(response.response.clientDataJSON);
  if (challenge === null) return { ok: false, reason: "invalid" };
  if (!(await spendPasskeyChallenge(db, challenge, challengeScope(input), now))) return { ok: false, reason: "challenge-expired" };

  // The account is part of the lookup, not a comparison afterwards: another user's credential
  // is simply not found.
  const passkey = await db.passkey.findFirst({
    where: { credentialId: response.id, ...(input.purpose === "sign-in" ? {} : { userId: input.userId }) },
    select: { id: true, userId: true, credentialId: true, publicKey: true, counter: true, transports: true },
  });
  if (passkey === null) return { ok: false, reason: "unknown-credential" };
  // §7.2 step 6: the user handle the authenticator keeps beside the credential must name the
  // credential's owner, and a passwordless sign-in must have one (a discoverable credential always
  // returns it). A mismatch means the authenticator and our records disagree about whose passkey
  // this is; the handle is not signed, so this is a consistency check, the signature is the proof.
  const handle = response.response.userHandle;
  if (handle === undefined && input.purpose === "sign-in") return { ok: false, reason: "unknown-credential" };
  if (handle !== undefined && handle !== Buffer.from(userHandle(passkey.userId)).toString("base64url")) return { ok: false, reason: "unknown-credential" };

  const rp = relyingParty();
  let verified;
  try {
    verified = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      expectedType: "webauthn.get",
      requireUserVerification: true,
      credential: {
        id: passkey.credentialId,
        publicKey: new Uint8Array(Buffer.from(passkey.publicKey, "base64url")),
        // Zero turns off the library's own counter check, which runs before the signature is
        // verified and would call any unsigned garbage a cloned authenticator. The same rule is
        // applied below, once the signature is known to be the authenticator's.
        counter: 0,
        transports: knownTransports(passkey.transports),
      },
    });
  } catch {
    return { ok: false, reason: "invalid" };
  }
  if (!verified.verified || !verified.authenticationInfo.userVerified) return { ok: false, reason: "invalid" };
  const { newCounter, credentialDeviceType, credentialBackedUp } = verified.authenticationInfo;
  if (!storableCounter(newCounter)) return { ok: false, reason: "invalid" };
  // §6.1.1: a counter is either always zero (most synced passkeys) or grows on every assertion.
  if ((newCounter > 0 || passkey.counter > 0) && newCounter <= passkey.counter) return { ok: false, reason: "counter-regression" };

  // The same rule as the UPDATE's condition: of two assertions that both read the old counter,
  // Postgres makes the second UPDATE wait and re-check the row, which no longer matches.
  const updated = await db.passkey.updateMany({
    where: { id: passkey.id, userId: passkey.userId, counter: newCounter === 0 ? 0 : { lt: newCounter } },
    data: { counter: newCounter, lastUsedAt: now, backedUp: credentialBackedUp },
  });
  // Zero rows: another assertion stored this counter or a later one first (or the passkey was
  // removed meanwhile, which refuses the assertion just the same).
  if (updated.count !== 1) return { ok: false, reason: "counter-regression" };
  return { ok: true, userId: passkey.userId, passkeyId: passkey.id, userVerified: true, deviceType: credentialDeviceType };
}

function challengeScope(scope: PasskeyAuthenticationScope): PasskeyChallengeScope {
  return scope.purpose === "sign-in"
    ? { purpose: "sign-in", userId: null, boundTo: scope.boundTo }
    : { purpose: scope.purpose, userId: scope.userId, boundTo: scope.boundTo };
}

/**
 * The client extension outputs are the browser's word and nothing here reads them (credProps,
 * the one asked for, is advisory), so they are dropped rather than typed.
 */
function withoutExtensionResults<T extends { clientExtensionResults: Record<string, unknown> }>(
  response: T,
): Omit<T, "clientExtensionResults"> & { clientExtensionResults: Record<string, never> } {
  const { clientExtensionResults: _dropped, ...rest } = response;
  return { ...rest, clientExtensionResults: {} };
}

/**
 * A counter above 2^31 - 1 cannot be stored in the `integer` column, and clamping it would break
 * the growth rule, so such an authenticator is refused rather than stored wrongly.
 */
function storableCounter(counter: number): boolean {
  return Number.isInteger(counter) && counter >= 0 && counter <= MAX_STORED_COUNTER;
}
