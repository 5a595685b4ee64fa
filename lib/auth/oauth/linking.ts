/**
 * The account-linking rules: what a completed provider sign-in is allowed to do to our users
 * (docs/decisions/031-account-linking-rules.md).
 *
 * Threat: account takeover through linking. The classic mistakes are (1) matching a provider
 * identity to an existing account by email alone, so whoever controls a provider account that
 * claims `victim@example.com` (an unverified address, or a provider that lets anyone set one)
 * signs in as the victim; (2) creating an account on an unverified address, which squats it
 * before its owner arrives ("pre-account takeover"); and (3) letting a borrowed session attach
 * the attacker's provider account, a credential that outlives the stolen session.
 *
 * Defence. A provider identity (provider, subject) belongs to at most one user, and:
 * - Already linked: it signs in as that user (unless the user is disabled).
 * - Not linked, and the browser is signed in: it links to the signed-in user only if the provider
 *   verified the email and the session was opened within the last 10 minutes (a recent sign-in
 *   proves the person, not just a token, is present); the session then simply continues.
 * - Not linked, not signed in, and the verified email belongs to an existing user: refused. The
 *   person may prove they own that account with its password (./pending-link.ts and
 *   POST /api/auth/oauth/link), which links and signs in; an account without a password is told
 *   to sign in the way it did before and link from there.
 * - Not linked, not signed in, and the verified email belongs to a user who never proved it: the
 *   provider's person is the address's owner and takes the account over; the unproved password,
 *   other links and sessions end (ADR 045), so a squatter who signed up first keeps nothing.
 * - Not linked, not signed in, verified email unknown here: a new user with no password, verified.
 * - An unverified (or missing) email never creates, links or matches anything.
 * Every sign-in, link and refusal is an audit event.
 */
import "server-only";
import { recordAuditEvent, type AuditContext, type AuditEventInput } from "../../audit";
import type { UserActor } from "../../authz/policy";
import type { Db } from "../../db/client";
import { isUniqueViolation } from "../../db/errors";
import { publicUserSelect, toPublicUser, type PublicUser } from "../../users/public-user";
import { noticeNewSignIn } from "../../users/new-sign-in";
import { revokeEmailTokens } from "../../users/email-tokens";
import { sendSecurityNotice } from "../../users/security-notices";
import { createSession, revokeAllSessions, type IssuedSession } from "../sessions";
import { hasSecondFactor } from "../mfa/second-factor";
import { startPendingSignIn } from "../mfa/pending-sign-in";
import { removeSecondFactors } from "../mfa/remove-second-factors";
import type { ProviderId } from "./configured";
import { providerName } from "./provider-name";
import type { ProviderIdentity } from "./identity";
import type { OAuthOutcomeCode } from "./sign-in-page";
import type { PendingLink } from "./pending-link";

/** How recent a sign-in must be to add a sign-in method (a provider, or a first password). */
export const RECENT_SIGN_IN_SECONDS = 600;

export type ProviderSignInOutcome =
  /** A session was opened for `user`: set the cookies. */
  | { kind: "signed-in"; user: PublicUser; session: IssuedSession; created: boolean }
  /**
   * The account has a second factor: nothing is open yet. `cookie` names the pending sign-in
   * (../mfa/pending-sign-in.ts), which the second step finishes.
   */
  | { kind: "second-factor"; userId: string; cookie: string }
  /** The signed-in caller's account now has (or already had) this provider; their session continues. */
  | { kind: "linked"; userId: string }
  /** Nothing changed. `pendingLink` is set when the person may confirm with their password. */
  | { kind: "refused"; code: OAuthOutcomeCode; pendingLink: PendingLink | null };

type Refusal = Extract<ProviderSignInOutcome, { kind: "refused" }>;

/**
 * True when the person authenticated in the caller's session recently: a sign-in or a step-up,
 * never a refresh. For an account with a second factor, that factor must have been proved
 * recently too (ADR 047), so a password alone never stands in for it.
 */
export async function isRecentSignIn(db: Db, caller: UserActor, now = new Date()): Promise<boolean> {
  const session = await db.session.findFirst({ where: { id: caller.sessionId, userId: caller.id }, select: { authTime: true, secondFactorAt: true } });
  const recent = (since: Date | null) => since !== null && now.getTime() - since.getTime() <= RECENT_SIGN_IN_SECONDS * 1000;
  if (session === null || !recent(session.authTime)) return false;
  return !(await hasSecondFactor(db, caller.id)) || recent(session.secondFactorAt);
}

/**
 * After a sign-in method is added or removed, end every session but `keepSessionId`: a session
 * opened before the change (perhaps a borrowed one) does not carry over to the new set of ways in.
 */
export async function endSessionsAfterChange(
  db: Db,
  context: AuditContext,
  userId: string,
  keepSessionId: string | null,
  reason: "provider_linked" | "provider_unlinked",
): Promise<number> {
  const ended = await revokeAllSessions(db, userId, "sign_in_method_changed", keepSessionId ?? undefined);
  if (ended > 0) await recordAuditEvent(db, context, { type: "sessions.ended", actorId: userId, targetId: userId, details: { reason, count: ended } });
  return ended;
}

async function refuse(
  db: Db,
  context: AuditContext,
  code: OAuthOutcomeCode,
  event: AuditEventInput & { type: "oauth.link_refused" | "oauth.sign_in_refused" },
  pendingLink: PendingLink | null = null,
): Promise<Refusal> {
  await recordAuditEvent(db, context, event);
  return { kind: "refused", code, pendingLink };
}

async function openSession(
  db: Db,
  user: PublicUser,
  provider: ProviderId,
  created: boolean,
  context: AuditContext,
): Promise<Extract<ProviderSignInOutcome, { kind: "signed-in" | "second-factor" }>> {
  if (!created && (await hasSecondFactor(db, user.id))) {
    // The provider vouched for the first factor only: an account with a second factor asks for
    // it after GitHub or Google exactly as after a password.
    const cookie = await startPendingSignIn(db, user.id, { method: "fed", provider });
    await recordAuditEvent(db, context, { type: "mfa.challenged", actorId: user.id, targetId: user.id, details: { firstFactor: "fed", provider } });
    return { kind: "second-factor", userId: user.id, cookie };
  }
  // A sign-in cancels a reset link still in the mailbox, as a password sign-in does.
  await revokeEmailTokens(db, user.id, ["RESET_PASSWORD"]);
  // Compared with the sessions from before this one; a new account has none and gets no notice.
  await noticeNewSignIn(db, user.id, providerName(provider), context);
  const session = await createSession(db, user.id, context, { amr: ["fed"], secondFactor: false });
  await recordAuditEvent(db, context, {
    type: "oauth.signed_in",
    actorId: user.id,
    targetId: session.sessionId,
    details: { provider, created },
  });
  return { kind: "signed-in" as const, user, session, created };
}

/**
 * Apply the rules to a provider identity that passed every protocol check (state, PKCE, nonce,
 * ID-token signature). `caller` is the signed-in browser, or null.
 */
export async function resolveProviderSignIn(
  db: Db,
  identity: ProviderIdentity,
  caller: UserActor | null,
  context: AuditContext,
  now = new Date(),
): Promise<ProviderSignInOutcome> {
  return caller === null ? signIn(db, identity, context, true) : linkToCaller(db, identity, caller, context, now);
}

async function linkToCaller(db: Db, identity: ProviderIdentity, caller: UserActor, context: AuditContext, now: Date): Promise<ProviderSignInOutcome> {
  const { provider, providerAccountId } = identity;
  const refused = (code: OAuthOutcomeCode, reason: string) =>
    refuse(db, context, code, { type: "oauth.link_refused", actorId: caller.id, targetId: caller.id, details: { provider, reason } });

  const owner = await db.account.findUnique({ where: { provider_providerAccountId: { provider, providerAccountId } }, select: { userId: true } });
  if (owner !== null && owner.userId === caller.id) {
    await recordAuditEvent(db, context, {
      type: "oauth.linked",
      actorId: caller.id,
      targetId: caller.id,
      details: { provider, proof: "signed-in", alreadyLinked: true },
    });
    return { kind: "linked", userId: caller.id };
  }
  // Never move an identity between users, and never switch the browser to the other user.
  if (owner !== null) return refused("linked-to-another-account", "linked_to_other_user");
  const sameProvider = await db.account.findUnique({ where: { userId_provider: { userId: caller.id, provider } }, select: { id: true } });
  if (sameProvider !== null) return refused("provider-already-linked", "provider_already_linked");
  if (!identity.emailVerified) return refused("email-unverified", "email_unverified");
  // An account whose address is only a claim must not add a way in that would outlive the claim:
  // its real owner's provider sign-in would take the account back, but not remove a link made now.
  const account = await db.user.findUnique({ where: { id: caller.id }, select: { emailVerifiedAt: true } });
  if (account?.emailVerifiedAt === null) return refused("account-unverified", "account_unverified");
  // A token alone (15 minutes, perhaps stolen) must not be able to add a lasting credential.
  if (!(await isRecentSignIn(db, caller, now))) return refused("reauth-required", "sign_in_not_recent");

  try {
    await db.account.create({ data: { userId: caller.id, provider, providerAccountId, email: identity.email }, select: { id: true } });
  } catch (error) {
    // A concurrent callback linked it first; whichever way, this request changes nothing.
    if (isUniqueViolation(error)) return refused("linked-to-another-account", "concurrent_link");
    throw error;
  }
  await recordAuditEvent(db, context, { type: "oauth.linked", actorId: caller.id, targetId: caller.id, details: { provider, proof: "signed-in" } });
  // A new way in: the caller's other sessions end, as when a password is added or changed.
  await endSessionsAfterChange(db, context, caller.id, caller.sessionId, "provider_linked");
  await sendSecurityNotice(db, caller.id, { kind: "sign-in-method-changed", method: providerName(provider), change: "connected" }, context);
  return { kind: "linked", userId: caller.id };
}

async function signIn(db: Db, identity: ProviderIdentity, context: AuditContext, mayRetry: boolean): Promise<ProviderSignInOutcome> {
  const { provider, providerAccountId, email } = identity;
  const linked = await db.account.findUnique({
    where: { provider_providerAccountId: { provider, providerAccountId } },
    select: { id: true, user: { select: { ...publicUserSelect, disabledAt: true } } },
  });
  if (linked !== null) {
    const { disabledAt, ...user } = linked.user;
    if (disabledAt !== null) {
      // The same generic answer a password sign-in gives a disabled account.
      return refuse(db, context, "sign-in-failed", { type: "oauth.sign_in_refused", targetId: user.id, details: { provider, reason: "account_disabled" } });
    }
    await db.account.update({ where: { id: linked.id }, data: { lastSignInAt: new Date() }, select: { id: true } });
    return openSession(db, toPublicUser(user), provider, false, context);
  }

  if (!identity.emailVerified || email === null) {
    return refuse(db, context, "email-unverified", { type: "oauth.sign_in_refused", details: { provider, reason: "email_unverified" } });
  }

  const existing = await db.user.findUnique({ where: { email }, select: { id: true, passwordHash: true, disabledAt: true, emailVerifiedAt: true } });
  if (existing !== null) {
    // A concurrent first sign-in of this very identity may have created the user, and linked it,
    // between the two lookups above: then this is a return sign-in, not a stranger's email.
    if (mayRetry && (await db.account.count({ where: { provider, providerAccountId } })) === 1) return signIn(db, identity, context, false);
    const target = { type: "oauth.link_refused" as const, targetId: existing.id };
    if (existing.disabledAt !== null) {
      return refuse(db, context, "sign-in-failed", { type: "oauth.sign_in_refused", targetId: existing.id, details: { provider, reason: "account_disabled" } });
    }
    // The provider vouches for the address and the account never proved it: the provider's person
    // is its owner, and whoever set the password (perhaps a squatter) loses every way in.
    if (existing.emailVerifiedAt === null) return claimUnverifiedAccount(db, identity, existing.id, context);
    if (existing.passwordHash === null) {
      return refuse(db, context, "link-requires-sign-in", { ...target, details: { provider, reason: "proof_required_no_password" } });
    }
    return refuse(
      db,
      context,
      "link-required",
      { ...target, details: { provider, reason: "proof_required" } },
      {
        provider,
        providerAccountId,
        email,
        userId: existing.id,
      },
    );
  }

  let user: PublicUser;
  try {
    user = await db.$transaction(async (tx) => {
      // No password: this account signs in through its provider until the person adds one.
      // The provider verified the address, so the account starts verified.
      const created = await tx.user.create({
        data: { email, name: identity.name, passwordHash: null, role: "USER", emailVerifiedAt: new Date() },
        select: publicUserSelect,
      });
      await tx.account.create({ data: { userId: created.id, provider, providerAccountId, email, lastSignInAt: new Date() }, select: { id: true } });
      await recordAuditEvent(tx, context, { type: "user.registered", actorId: created.id, targetId: created.id, details: { method: "oauth", provider } });
      await recordAuditEvent(tx, context, { type: "oauth.linked", actorId: created.id, targetId: created.id, details: { provider, proof: "new-account" } });
      return toPublicUser(created);
    });
  } catch (error) {
    // Two callbacks for the same person at once: the other one created the user or the link.
    // Decide again with what is now in the database, once.
    if (mayRetry && isUniqueViolation(error)) return signIn(db, identity, context, false);
    throw error;
  }
  return openSession(db, user, provider, true, context);
}

/**
 * An unverified account meets a provider that verified its address (ADR 045): in one transaction
 * the password no one proved is removed, every other provider link, session and mailed link ends,
 * the address counts as verified, and this identity is linked. The data stays: it may be the
 * owner's own, from before they confirmed the address.
 */
async function claimUnverifiedAccount(db: Db, identity: ProviderIdentity, userId: string, context: AuditContext): Promise<ProviderSignInOutcome> {
  const { provider, providerAccountId, email } = identity;
  let user: PublicUser;
  try {
    user = await db.$transaction(async (tx) => {
      const claimed = await tx.user.update({
        where: { id: userId },
        data: { passwordHash: null, emailVerifiedAt: new Date() },
        select: publicUserSelect,
      });
      const unlinked = await tx.account.deleteMany({ where: { userId } });
      await tx.account.create({ data: { userId, provider, providerAccountId, email, lastSignInAt: new Date() }, select: { id: true } });
      await tx.emailToken.deleteMany({ where: { userId } });
      // The squatter's authenticator, passkeys and codes must not stand between the owner and
      // their account, nor let the squatter back in (ADR 047).
      await removeSecondFactors(tx, userId);
      const ended = await revokeAllSessions(tx, userId, "unverified_account_claimed");
      await recordAuditEvent(tx, context, {
        type: "account.unverified_password_removed",
        targetId: userId,
        details: { provider, sessionsRevoked: ended, providersUnlinked: unlinked.count },
      });
      await recordAuditEvent(tx, context, { type: "oauth.linked", actorId: userId, targetId: userId, details: { provider, proof: "verified-email-claim" } });
      return toPublicUser(claimed);
    });
  } catch (error) {
    if (isUniqueViolation(error))
      return refuse(db, context, "linked-to-another-account", {
        type: "oauth.link_refused",
        targetId: userId,
        details: { provider, reason: "concurrent_link" },
      });
    throw error;
  }
  await sendSecurityNotice(db, userId, { kind: "unverified-password-removed", provider: providerName(provider) }, context);
  return openSession(db, user, provider, false, context);
}

export type PasswordLinkOutcome = Exclude<ProviderSignInOutcome, { kind: "linked" }>;

/**
 * Finish a pending link once the person has proved they own the existing account with its
 * password (./confirm-link.ts checks it, under the sign-in limits). Every rule is checked again,
 * since anything may have changed while they typed.
 */
export async function linkWithPassword(db: Db, pending: PendingLink, user: PublicUser, context: AuditContext): Promise<PasswordLinkOutcome> {
  const { provider, providerAccountId, email, userId } = pending;
  const refused = (code: OAuthOutcomeCode, reason: string) =>
    refuse(db, context, code, { type: "oauth.link_refused", targetId: userId, details: { provider, reason } });
  if (user.id !== userId) return refused("sign-in-failed", "account_changed");

  const owner = await db.account.findUnique({ where: { provider_providerAccountId: { provider, providerAccountId } }, select: { userId: true } });
  if (owner !== null && owner.userId !== userId) return refused("linked-to-another-account", "linked_to_other_user");
  if (owner === null) {
    const sameProvider = await db.account.findUnique({ where: { userId_provider: { userId, provider } }, select: { id: true } });
    if (sameProvider !== null) return refused("provider-already-linked", "provider_already_linked");
    try {
      await db.account.create({ data: { userId, provider, providerAccountId, email, lastSignInAt: new Date() }, select: { id: true } });
    } catch (error) {
      if (isUniqueViolation(error)) return refused("linked-to-another-account", "concurrent_link");
      throw error;
    }
    await recordAuditEvent(db, context, { type: "oauth.linked", actorId: userId, targetId: userId, details: { provider, proof: "password" } });
    // A new way in: every session opened before it ends, as when a password is added or changed.
    await endSessionsAfterChange(db, context, userId, null, "provider_linked");
    await sendSecurityNotice(db, userId, { kind: "sign-in-method-changed", method: providerName(provider), change: "connected" }, context);
  }
  return openSession(db, user, provider, false, context);
}
