/**
 * WebAuthn challenges: issued for one ceremony, bound to what asked for it, spent once.
 *
 * Threats and defences (W3C WebAuthn Level 3 §13.4.3 "Cryptographic challenges"; OWASP ASVS 5.0
 * V6.5.1 single use):
 * - a replayed assertion (one seen by malware, a proxy or a log): the signature covers the
 *   challenge, and a challenge is spent (deleted) by the first finish that presents it, pass or
 *   fail. The spend is one `DELETE` whose row count decides, so of two racing finishes exactly one
 *   gets the row; a second presentation finds nothing;
 * - a guessed or predicted challenge: 32 bytes (256 bits) from the CSPRNG, four times the 64 bits
 *   the specification asks for at least;
 * - a challenge carried into another context: each row names its purpose (`registration`,
 *   `sign-in`, `second-factor`, `step-up`), the user it was issued for (none for a passwordless
 *   sign-in) and what it is bound to (a session id, a pending sign-in id, a browser nonce's hash).
 *   All three are conditions of the spend, so a challenge issued to an attacker's session cannot
 *   finish a ceremony in the victim's, a sign-in challenge cannot step up, and a step-up challenge
 *   for one account cannot pass for another;
 * - an old challenge: it lives 5 minutes, the ceremony's timeout, and the spend matches only
 *   unexpired rows (lib/db/prune.ts deletes the rest);
 * - a copy of the table: only SHA-256 of a label and the challenge is stored, so no ceremony can
 *   be finished from it.
 */
import "server-only";
import { createHash, randomBytes } from "node:crypto";
import type { Db } from "../../db/client";
import type { Prisma } from "../../db/generated/client";

type Tx = Db | Prisma.TransactionClient;

export type PasskeyChallengePurpose = "registration" | "sign-in" | "second-factor" | "step-up";

/** How long a ceremony may take: also the `timeout` the browser is given. */
export const PASSKEY_CHALLENGE_TTL_MS = 5 * 60_000;
/** 256 bits: WebAuthn asks for at least 16 bytes; more costs nothing. */
export const PASSKEY_CHALLENGE_BYTES = 32;

const HASH_LABEL = "palisade/passkey-challenge/v1\u0000";
/** 32 bytes in base64url without padding: exactly 43 characters. */
const CHALLENGE_TEXT = /^[A-Za-z0-9_-]{43}$/;

export interface PasskeyChallengeScope {
  purpose: PasskeyChallengePurpose;
  /** The account the ceremony is for; null for a passwordless sign-in, where nobody is known yet. */
  userId: string | null;
  /** A session id, a pending sign-in id, or the hash of a browser nonce: never empty. */
  boundTo: string;
}

/** The stored form: SHA-256 (hex) of a domain label and the challenge's bytes. */
export function hashPasskeyChallenge(challenge: Uint8Array): string {
  return createHash("sha256").update(HASH_LABEL, "utf8").update(challenge).digest("hex");
}

/** Issue a challenge for `scope` and store its hash; the bytes go to the browser and nowhere else. */
export async function issuePasskeyChallenge(db: Tx, scope: PasskeyChallengeScope, now = new Date()): Promise<Uint8Array<ArrayBuffer>> {
  assertBound(scope);
  const challenge = new Uint8Array(randomBytes(PASSKEY_CHALLENGE_BYTES));
  await db.passkeyChallenge.create({
    data: {
      id: hashPasskeyChallenge(challenge),
      purpose: scope.purpose,
      userId: scope.userId,
      boundTo: scope.boundTo,
      createdAt: now,
      expiresAt: new Date(now.getTime() + PASSKEY_CHALLENGE_TTL_MS),
    },
    select: { id: true },
  });
  return challenge;
}

/**
 * Spend the challenge a ceremony's client data names (base64url, as the browser echoes it), if
 * it was issued for exactly `scope` and has not expired. True for exactly one caller per
 * challenge; false for an unknown, used, expired or differently bound one, which all mean the
 * same thing to the person: start again.
 */
export async function spendPasskeyChallenge(db: Tx, challenge: string, scope: PasskeyChallengeScope, now = new Date()): Promise<boolean> {
  assertBound(scope);
  const bytes = decodeChallenge(challenge);
  if (bytes === null) return false;
  // The conditions are the binding: a row issued for another purpose, user or binding is not
  // touched (its rightful ceremony can still finish). The count is the single use: Postgres makes
  // a second DELETE of the same row wait for the first and then finds it gone.
  const { count } = await db.passkeyChallenge.deleteMany({
    where: {
      id: hashPasskeyChallenge(bytes),
      purpose: scope.purpose,
      userId: scope.userId,
      boundTo: scope.boundTo,
      expiresAt: { gt: now },
    },
  });
  return count === 1;
}

/**
 * The challenge a response's `clientDataJSON` (base64url) carries, or null when it carries none.
 * Only the lookup key: the signature over the client data is checked by the ceremony, afterwards.
 */
export function clientDataChallenge(clientDataJSON: string): string | null {
  try {
    const clientData: unknown = JSON.parse(Buffer.from(clientDataJSON, "base64url").toString("utf8"));
    if (typeof clientData !== "object" || clientData === null || !("challenge" in clientData)) return null;
    return typeof clientData.challenge === "string" ? clientData.challenge : null;
  } catch {
    return null;
  }
}

/**
 * The challenge's bytes, only from its one canonical spelling: Node's base64url decoder skips
 * characters it does not know, so without the round trip two different strings could name one
 * challenge, and the ceremony compares the string the browser signed.
 */
function decodeChallenge(challenge: string): Uint8Array | null {
  if (!CHALLENGE_TEXT.test(challenge)) return null;
  const bytes = Buffer.from(challenge, "base64url");
  return bytes.toString("base64url") === challenge ? new Uint8Array(bytes) : null;
}

/** An empty binding would join every caller that forgot to pass one into one shared scope. */
function assertBound(scope: PasskeyChallengeScope): void {
  if (scope.boundTo.length === 0) throw new RangeError("a passkey challenge must be bound to a session, a pending sign-in or a browser nonce");
  if (scope.userId === null && scope.purpose !== "sign-in") throw new RangeError(`a ${scope.purpose} challenge names its user`);
}
