/**
 * The address and recovery flows (lib/users/) end to end: the app on a fresh database of each
 * engine, sending every message over SMTP to a real server on loopback (./smtp-peer.ts), and the
 * tests reading the links out of what that server received, as the person would from their inbox.
 *
 * The mail limits' per-IP tier is lifted (every request here comes from one unknown address), so
 * the per-recipient tier is the one a test meets; each test uses its own addresses, so no test
 * spends another's budget.
 */
import { afterAll, beforeAll, expect, vi } from "vitest";
import type { Db } from "@/lib/db/client";
import { loadRoutes, type Routes } from "./app";
import { PASSWORD, uniqueEmail, worldKit, type WorldKit } from "./authz-world";
import { provisionDatabase, useDatabase, type DatabaseKind, type ProvisionedDatabase } from "./databases";
import { CookieJar, type Handler } from "./http";
import { testKeyPair } from "./keys";
import { startSmtpPeer, type ReceivedMail, type SmtpPeer } from "./smtp-peer";

export { PASSWORD, uniqueEmail };

/** APP_URL in the integration tests (lib/env.ts's local default): every mailed link starts here. */
export const APP_ORIGIN = "http://localhost:3000";
export const ACCESS_COOKIE = "__Host-palisade-at";
export const REFRESH_COOKIE = "__Secure-palisade-rt";
/** A password that meets the length rule but is on the common-password list. */
export const COMMON_PASSWORD = "1qaz2wsx3edc4rfv";
export const NEW_PASSWORD = "a completely different phrase";

export const SUBJECTS = {
  verify: "Confirm your email address for Palisade",
  accountExists: "You already have a Palisade account",
  reset: "Reset your Palisade password",
  noAccount: "Palisade password reset",
  passwordReset: "Your Palisade password was reset",
  confirmNew: "Confirm your new Palisade address",
  changed: "The address of your Palisade account was changed",
  addressInUse: "Your address was offered for another Palisade account",
  claimed: "Your Palisade account is now yours alone",
} as const;

/** The route handlers of the address and recovery flows. */
export async function loadRecoveryRoutes() {
  const [forgot, reset, change, verify, resend, confirm, undo] = await Promise.all([
    import("@/app/api/auth/password/forgot/route"),
    import("@/app/api/auth/password/reset/route"),
    import("@/app/api/auth/email/route"),
    import("@/app/api/auth/email/verify/route"),
    import("@/app/api/auth/email/verify/resend/route"),
    import("@/app/api/auth/email/confirm/route"),
    import("@/app/api/auth/email/undo/route"),
  ]);
  const h = (handler: unknown) => handler as Handler;
  return {
    forgot: h(forgot.POST),
    reset: h(reset.POST),
    changeEmail: h(change.POST),
    verifyEmail: h(verify.POST),
    resendVerification: h(resend.POST),
    confirmEmail: h(confirm.POST),
    undoEmail: h(undo.POST),
  };
}

export interface Person {
  id: string;
  email: string;
  name: string;
  sessionId: string;
  refreshToken: string;
  /** A fresh jar holding this person's session cookies (a browser they are signed in on). */
  jar(): CookieJar;
}

export interface PersonOptions {
  label?: string;
  /** Whether the address is proved; default true. */
  verified?: boolean;
  role?: "USER" | "ADMIN";
}

/**
 * Makes people straight into the database, with PASSWORD and one live session each, through the
 * app's own session and token functions. Load after `useDatabase`.
 */
export async function peopleKit(db: Db) {
  const [sessions, tokens, passwords] = await Promise.all([import("@/lib/auth/sessions"), import("@/lib/auth/tokens"), import("@/lib/auth/password-hash")]);
  const passwordHash = await passwords.hashPassword(PASSWORD);
  const meta = { ip: null, userAgent: "mail-flows", requestId: "mail-flows" };

  /** A fresh signed-in jar for `userId`: a new session, as a sign-in on another device makes. */
  async function signedIn(userId: string, role: "USER" | "ADMIN" = "USER") {
    const session = await sessions.createSession(db, userId, meta);
    // Signed in a moment ago and the password typed again since (a step-up), as adding a first
    // second factor asks (lib/auth/step-up.ts requireEnrolmentProof). A test of that rule undoes it.
    await db.session.update({ where: { id: session.sessionId }, data: { createdAt: new Date(Date.now() - 1000) }, select: { id: true } });
    const { token } = await tokens.signAccessToken({ sub: userId, role: role === "ADMIN" ? "admin" : "user", sid: session.sessionId });
    return {
      sessionId: session.sessionId,
      refreshToken: session.refreshToken,
      jar() {
        const jar = new CookieJar();
        jar.cookies.set(ACCESS_COOKIE, token);
        jar.cookies.set(REFRESH_COOKIE, session.refreshToken);
        return jar;
      },
    };
  }

  async function person(options: PersonOptions = {}): Promise<Person> {
    const label = options.label ?? "person";
    const email = uniqueEmail(label);
    const role = options.role ?? "USER";
    const user = await db.user.create({
      data: { email, name: label, passwordHash, role, emailVerifiedAt: options.verified === false ? null : new Date() },
      select: { id: true },
    });
    return { id: user.id, email, name: label, ...(await signedIn(user.id, role)) };
  }

  return { person, signedIn, passwordHash };
}

export type PeopleKit = Awaited<ReturnType<typeof peopleKit>>;

/** What the SMTP server received, and the database's view of the same messages. */
export function mailbox(peer: SmtpPeer, db: () => Db, settle: () => Promise<void>) {
  /**
   * Every message to `address`, once the work deferred past the responses has finished and every
   * message to the address has been handed to the relay (each one is a row first: ADR 044).
   */
  async function delivered(address: string): Promise<ReceivedMail[]> {
    await settle();
    await expect
      .poll(async () => (await db().mailMessage.findMany({ where: { to: address }, select: { status: true } })).map((row) => row.status), { timeout: 10_000 })
      .not.toContain("QUEUED");
    const rows = await db().mailMessage.count({ where: { to: address } });
    await expect.poll(() => peer.messages.filter((message) => message.to.includes(address)).length, { timeout: 10_000 }).toBe(rows);
    return peer.messages.filter((message) => message.to.includes(address));
  }

  /** The one message to `address` with `subject`; fails if there is none or more than one. */
  async function only(address: string, subject: string): Promise<ReceivedMail> {
    const matching = (await delivered(address)).filter((message) => message.subject === subject);
    expect(matching.map((message) => message.subject)).toEqual([subject]);
    return matching[0]!;
  }

  return { delivered, only };
}

/**
 * The token a message's link carries, read from the plain-text part, where the person would see
 * it. The link must be built from APP_URL and carry the token in the fragment, never the query.
 */
export function linkToken(message: ReceivedMail, page: string): string {
  const escaped = `${APP_ORIGIN}${page}`.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const match = new RegExp(`${escaped}#token=([A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])`).exec(message.text);
  if (match === null) throw new Error(`no ${page} link in the message "${message.subject}":\n${message.text}`);
  return match[1]!;
}

/** Every URL in a message's text and HTML parts. */
export function linksIn(message: ReceivedMail): string[] {
  return [...`${message.text}\n${message.html}`.matchAll(/https?:\/\/[^\s"'<>)]+/g)].map((match) => match[0]);
}

export interface MailFlowSuite {
  peer: SmtpPeer;
  kit: WorldKit;
  db: Db;
  routes: Routes & Awaited<ReturnType<typeof loadRecoveryRoutes>>;
  people: PeopleKit;
  mail: ReturnType<typeof mailbox>;
  /** Wait for the work handlers deferred past their response (lib/http/after-response.ts). */
  settle(): Promise<void>;
}

/**
 * For the enclosing describe block: an SMTP server, a fresh migrated database of `kind`, and the
 * app bound to both; torn down afterwards. `env` adds variables.
 */
export function mailFlowSuite(kind: DatabaseKind, env: Record<string, string> = {}): MailFlowSuite {
  const suite = {} as MailFlowSuite;
  let database: ProvisionedDatabase;
  beforeAll(async () => {
    suite.peer = await startSmtpPeer();
    database = await provisionDatabase(kind);
    await useDatabase(database);
    const variables: Record<string, string> = {
      JWT_PRIVATE_KEY: testKeyPair("integration").privateKeyPem,
      SMTP_URL: suite.peer.url,
      MAIL_FROM: "Palisade <no-reply@palisade.test>",
      RATE_LIMIT_MAIL_IP_MAX: "10000",
      RATE_LIMIT_AUTH_MAX: "10000",
      ...env,
    };
    for (const [name, value] of Object.entries(variables)) vi.stubEnv(name, value);
    suite.kit = await worldKit();
    suite.db = suite.kit.db;
    suite.routes = { ...(await loadRoutes()), ...(await loadRecoveryRoutes()) };
    suite.people = await peopleKit(suite.db);
    suite.settle = (await import("@/lib/http/after-response")).settleAfterResponse;
    suite.mail = mailbox(suite.peer, () => suite.db, suite.settle);
  });
  afterAll(async () => {
    await suite.settle?.();
    await suite.kit?.disconnect();
    await database?.drop();
    await suite.peer?.close();
    vi.unstubAllEnvs();
  });
  return suite;
}

/** The problem type a refused request answers, for `expect(...).toBe("/problems/…")`. */
export async function problemType(response: Response): Promise<string | undefined> {
  return ((await response.clone().json()) as { type?: string }).type;
}
