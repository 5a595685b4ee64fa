/**
 * The limit on requests that mail someone a link: sign-up, forgot password, a new confirmation
 * link, an address change (docs/decisions/045-verified-addresses-and-recovery.md).
 *
 * Threats: a form that mails any address is a way to flood a mailbox (and to get our sender
 * marked as spam), and a limit that applies only to addresses with an account tells an attacker
 * which addresses have one. Defence: two tiers, both counted for every such request before
 * anything is looked up, for a known address or not:
 * - `mail-ip`: per client IP (/64), 30 per 15 minutes by default: an office of sixteen people
 *   behind one address (ADR 019) signing up and asking for a link again fits;
 * - `mail-address`: per recipient, keyed by SHA-256 of the normalised address, 3 per 15 minutes.
 * Both fail closed (503) while the store is down: open, an outage would lift the only bound on
 * mail sent to strangers. Addresses never reach the store or the logs, only their hash.
 */
import { env } from "../../env";
import type { AppError } from "../../http/errors";
import { rateLimitKeyForIp } from "../../shared/client-ip";
import { edgeLogger } from "../log";
import { normaliseEmail } from "./auth-attempts";
import { countEach, rateLimitStoreFrom } from "./limiter";
import { decide, policiesFrom, type RateLimitDecision, type TierPolicies } from "./policy";
import { rateLimitedError } from "./response";
import type { RateLimitStore } from "./store";

export interface MailSendInput {
  ip: string | null;
  /** The address the message would go to; counted whether or not an account has it. */
  to: string;
  requestId?: string;
}

export interface MailSendOptions {
  store?: RateLimitStore;
  policies?: TierPolicies;
  now?: () => number;
}

let defaultStore: RateLimitStore | undefined;

async function recipientKey(email: string): Promise<string> {
  const bytes = new TextEncoder().encode(`palisade/mail-recipient/v1\u0000${normaliseEmail(email)}`);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return `to:${Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("")}`;
}

/** Count one mail-sending request; the decision says whether it may go ahead. */
export async function countMailSend(input: MailSendInput, options: MailSendOptions = {}): Promise<RateLimitDecision> {
  const store = options.store ?? (defaultStore ??= rateLimitStoreFrom(env));
  const policies = options.policies ?? policiesFrom(env);
  const log = edgeLogger(input.requestId ?? "-");
  const hits = [
    { policy: policies["mail-ip"], key: rateLimitKeyForIp(input.ip) },
    { policy: policies["mail-address"], key: await recipientKey(input.to) },
  ];
  // Both tiers in one store round trip (ADR 049), each still counted on its own.
  return decide(await countEach(store, hits, log), (options.now ?? Date.now)());
}

/** Count the request and throw the 429 (or, with the store down, 503) that refuses it. */
export async function assertMailSendAllowed(input: MailSendInput, options: MailSendOptions = {}): Promise<void> {
  const decision = await countMailSend(input, options);
  if (decision.outcome !== "allowed") throw mailSendRefusal(decision);
}

function mailSendRefusal(decision: Exclude<RateLimitDecision, { outcome: "allowed" }>): AppError {
  return rateLimitedError(decision, `Too many emails were asked for. Try again in ${decision.retryAfterSeconds} seconds.`);
}
