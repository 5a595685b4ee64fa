/**
 * Who the passkeys belong to: the WebAuthn relying party, derived from APP_URL and nothing else.
 *
 * Threat: a phishing site relays our challenge to the victim's browser and forwards the answer
 * (a real-time proxy). Defence: the browser writes the page's origin into the signed client data,
 * and the authenticator signs the SHA-256 of the RP ID it scoped the credential to; we accept only
 * our own origin and RP ID, so an assertion made on any other site does not verify here
 * (W3C WebAuthn Level 3 §7.1 and §7.2, the origin and RP ID hash checks; NIST SP 800-63B §5.2.5,
 * verifier impersonation resistance). Neither value is ever taken from a request: a Host or Origin
 * header is the attacker's to choose.
 *
 * The RP ID is the host name without the port (a credential made on localhost:3000 works on
 * localhost:3001); the origin keeps the scheme and port, so it must match exactly. An IP address
 * is not a valid RP ID, so a local copy must be opened as http://localhost, not http://127.0.0.1.
 */
import "server-only";
import { env } from "../../env";

export interface RelyingParty {
  /** The RP ID: the registrable domain the credentials are scoped to, here APP_URL's host name. */
  id: string;
  /** The one origin a ceremony may run on. */
  origin: string;
  /** Shown by the browser and the authenticator when a passkey is made. */
  name: string;
}

const RELYING_PARTY_NAME = "Palisade";

/** The relying party for `appUrl` (APP_URL unless a test says otherwise). */
export function relyingParty(appUrl: string = env.APP_URL): RelyingParty {
  const url = new URL(appUrl);
  return { id: url.hostname, origin: url.origin, name: RELYING_PARTY_NAME };
}

/**
 * COSE algorithms a new passkey may use, in order of preference: ES256 (-7), which the platform
 * authenticators and security keys in use offer, and RS256 (-257), which Windows Hello on some
 * TPMs offers instead. The library would also offer EdDSA (-8); it is left out to keep the
 * verification code we depend on to the two algorithms the issue names. Registration refuses a
 * key of any other algorithm, so no stored passkey needs a third.
 */
export const PASSKEY_ALGORITHMS = [-7, -257] as const;
