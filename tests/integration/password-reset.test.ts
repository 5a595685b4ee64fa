/**
 * Forgot and reset password (lib/users/password-reset.ts, lib/users/email-tokens.ts), through the
 * real route handlers, on PGlite and Postgres, with every message sent over SMTP to a real server
 * and every link read back out of what it received. Each rule is tested with the attacker's
 * request: an address probe, a mail flood, a poisoned Host header, a replayed, expired, stale or
 * sideways token, a copy of the database, and an attacker still signed in elsewhere.
 */
import { createHash } from "node:crypto";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type * as PasswordHash from "@/lib/auth/password-hash";
import { databaseKinds } from "../support/databases";
import { call, type CookieJar } from "../support/http";
import {
  APP_ORIGIN,
  COMMON_PASSWORD,
  linksIn,
  linkToken,
  mailFlowSuite,
  NEW_PASSWORD,
  PASSWORD,
  problemType,
  SUBJECTS,
  uniqueEmail,
  type Person,
} from "../support/mail-flows";

/** Every argon2 operation the app runs, by kind: hashing and verifying are what a clock could see. */
const argon2 = vi.hoisted(() => ({ operations: [] as string[] }));

vi.mock("@/lib/auth/password-hash", async (importOriginal) => {
  const real = await importOriginal<typeof PasswordHash>();
  return {
    ...real,
    hashPassword: async (password: string) => {
      argon2.operations.push("hash");
      return real.hashPassword(password);
    },
    verifyPassword: async (hash: string, password: string) => {
      argon2.operations.push("verify");
      return real.verifyPassword(hash, password);
    },
  };
});

const INVALID_LINK = "/problems/email-link-invalid";

describe.each(databaseKinds())("forgot and reset password on %s", (kind) => {
  const suite = mailFlowSuite(kind);
  beforeEach(() => {
    argon2.operations.length = 0;
  });

  const forgot = (email: string, options: { headers?: Record<string, string>; url?: string } = {}) =>
    call(suite.routes.forgot, {
      method: "POST",
      url: options.url ?? `${APP_ORIGIN}/api/auth/password/forgot`,
      body: { email },
      headers: options.headers ?? {},
    });
  const reset = (token: string, newPassword = NEW_PASSWORD, extra: Record<string, unknown> = {}) =>
    call(suite.routes.reset, { method: "POST", url: `${APP_ORIGIN}/api/auth/password/reset`, body: { token, newPassword, ...extra } });
  const login = (email: string, password: string) => call(suite.routes.login, { body: { email, password } });
  const refresh = (jar: CookieJar) => call(suite.routes.refresh, { method: "POST", jar });
  const passwordHashOf = async (userId: string) =>
    (await suite.db.user.findUniqueOrThrow({ where: { id: userId }, select: { passwordHash: true } })).passwordHash;

  /** Ask for a reset for `person` and read the link's token from the message they receive. */
  async function resetToken(person: Person): Promise<string> {
    const before = (await suite.mail.delivered(person.email)).filter((message) => message.subject === SUBJECTS.reset).length;
    expect((await forgot(person.email)).status).toBe(202);
    const links = (await suite.mail.delivered(person.email)).filter((message) => message.subject === SUBJECTS.reset);
    expect(links).toHaveLength(before + 1);
    return linkToken(links.at(-1)!, "/reset-password");
  }

  describe("asking for a link", () => {
    it("answers a known and an unknown address alike: 202, the body only echoes the address, no cookie, no argon2, one message and one mail row each", async () => {
      const known = await suite.people.person({ label: "known" });
      const unknown = uniqueEmail("unknown");
      argon2.operations.length = 0;

      const answers = [await forgot(known.email), await forgot(unknown)];
      for (const [answer, email] of [
        [answers[0]!, known.email],
        [answers[1]!, unknown],
      ] as const) {
        expect(answer.status).toBe(202);
        expect(await answer.text()).toBe(JSON.stringify({ email }));
        expect(answer.headers.getSetCookie()).toEqual([]);
      }
      const headerNames = (response: Response) => [...response.headers.keys()].sort();
      expect(headerNames(answers[0]!)).toEqual(headerNames(answers[1]!));
      // Neither request hashed or verified anything: there is no cost for a clock to tell apart.
      expect(argon2.operations).toEqual([]);

      // The difference goes by mail, after the answer: a link to the account, "no account" to the stranger.
      const toKnown = await suite.mail.delivered(known.email);
      const toUnknown = await suite.mail.delivered(unknown);
      expect(toKnown.map((message) => message.subject)).toEqual([SUBJECTS.reset]);
      expect(toUnknown.map((message) => message.subject)).toEqual([SUBJECTS.noAccount]);
      expect(linkToken(toKnown[0]!, "/reset-password")).toHaveLength(43);
      expect(toUnknown[0]!.text).toContain("no account uses it");
      expect(toUnknown[0]!.text).not.toContain("#token=");
      expect(await suite.db.mailMessage.count({ where: { to: known.email } })).toBe(1);
      expect(await suite.db.mailMessage.count({ where: { to: unknown } })).toBe(1);
      // Still nothing hashed after the deferred work either.
      expect(argon2.operations).toEqual([]);
    });

    it("answers byte for byte the same for one address before and after it has an account", async () => {
      const email = uniqueEmail("later");
      const before = await forgot(email);
      await suite.settle();
      await suite.db.user.create({ data: { email, name: "Later", passwordHash: null }, select: { id: true } });
      const after = await forgot(email);
      const comparable = (response: Response) => [...response.headers].filter(([name]) => name !== "x-request-id");
      expect(after.status).toBe(before.status);
      expect(await after.text()).toBe(await before.text());
      expect(comparable(after)).toEqual(comparable(before));
      expect((await suite.mail.delivered(email)).map((message) => message.subject)).toEqual([SUBJECTS.noAccount, SUBJECTS.reset]);
    });

    it("records both requests in the audit trail, with whether an account had the address, and never the address", async () => {
      const known = await suite.people.person({ label: "audited" });
      const unknown = uniqueEmail("audited-unknown");
      await forgot(known.email);
      await forgot(unknown);
      await suite.settle();
      const events = await suite.db.auditEvent.findMany({ where: { type: "password.reset_requested" }, select: { targetId: true, details: true } });
      expect(events).toContainEqual({ targetId: known.id, details: { account: true } });
      expect(events).toContainEqual({ targetId: null, details: { account: false } });
      expect(JSON.stringify(events)).not.toContain(unknown);
    });

    it("refuses the 4th request for an address in the window, for an unknown address exactly as for a known one: 429 on mail-address, and no 4th message", async () => {
      const known = (await suite.people.person({ label: "flooded" })).email;
      const unknown = uniqueEmail("flooded-unknown");
      const refusals = [];
      for (const email of [known, unknown]) {
        for (let request = 1; request <= 3; request++) expect((await forgot(email)).status).toBe(202);
        const fourth = await forgot(email);
        expect(fourth.status).toBe(429);
        expect(Number(fourth.headers.get("retry-after"))).toBeGreaterThan(0);
        const body = (await fourth.json()) as { type: string; "violated-policies": string[] };
        refusals.push({ status: fourth.status, type: body.type, violated: body["violated-policies"] });
        expect(await suite.mail.delivered(email)).toHaveLength(3);
      }
      expect(refusals[0]).toEqual({ status: 429, type: "/problems/rate-limited", violated: ["mail-address"] });
      expect(refusals[1]).toEqual(refusals[0]);
      // Counted per recipient: another address is not affected.
      expect((await forgot(uniqueEmail("bystander"))).status).toBe(202);
    });

    it("builds every link from APP_URL, even when the request carries a forged Host and X-Forwarded-Host", async () => {
      const known = await suite.people.person({ label: "poisoned" });
      const unknown = uniqueEmail("poisoned-unknown");
      const forged = { host: "evil.example", "x-forwarded-host": "evil.example", "x-forwarded-proto": "https", forwarded: "host=evil.example;proto=https" };
      for (const email of [known.email, unknown]) {
        expect((await forgot(email, { url: "https://evil.example/api/auth/password/forgot", headers: forged })).status).toBe(202);
      }
      const messages = [...(await suite.mail.delivered(known.email)), ...(await suite.mail.delivered(unknown))];
      expect(messages.map((message) => message.subject)).toEqual([SUBJECTS.reset, SUBJECTS.noAccount]);
      for (const message of messages) {
        expect(`${message.text}${message.html}`).not.toContain("evil.example");
        const links = linksIn(message);
        expect(links.length).toBeGreaterThan(0);
        for (const link of links) expect(link.startsWith(`${APP_ORIGIN}/`)).toBe(true);
      }
      expect(linkToken(messages[0]!, "/reset-password")).toHaveLength(43);
    });
  });

  describe("spending a link", () => {
    it("stores only the token's SHA-256: no row anywhere in the database holds the token itself", async () => {
      const person = await suite.people.person({ label: "stored" });
      const token = await resetToken(person);
      const rows = await suite.db.emailToken.findMany({ where: { userId: person.id }, select: { purpose: true, tokenHash: true, email: true } });
      expect(rows).toEqual([{ purpose: "RESET_PASSWORD", tokenHash: createHash("sha256").update(token).digest("hex"), email: person.email }]);
      // Not in the token table, and not in the sent message's row either (its bodies are erased once sent).
      const everything = JSON.stringify([...(await suite.kit.snapshot()).values()]);
      expect(everything).not.toContain(token);
    });

    it("sets the new password, proves the address, ends every session, signs no one in, mails a notice and audits it", async () => {
      const person = await suite.people.person({ label: "reset", verified: false });
      const otherDevice = await suite.people.signedIn(person.id);
      const token = await resetToken(person);

      const response = await reset(token);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ email: person.email });
      expect(response.headers.getSetCookie()).toEqual([]);

      // Both sessions (the attacker's, perhaps) are over: refresh and access tokens alike.
      for (const jar of [person.jar(), otherDevice.jar()]) {
        expect((await refresh(jar)).status).toBe(401);
        expect((await call(suite.routes.me, { jar })).status).toBe(401);
      }
      expect(await suite.db.session.count({ where: { userId: person.id, revokedAt: null } })).toBe(0);
      expect(await suite.db.session.count({ where: { userId: person.id, revokedReason: "password_reset" } })).toBe(2);
      const user = await suite.db.user.findUniqueOrThrow({ where: { id: person.id }, select: { emailVerifiedAt: true } });
      expect(user.emailVerifiedAt).not.toBeNull();

      expect((await login(person.email, PASSWORD)).status).toBe(401);
      expect((await login(person.email, NEW_PASSWORD)).status).toBe(200);

      const notice = await suite.mail.only(person.email, SUBJECTS.passwordReset);
      expect(notice.text).toContain("2 devices were signed out.");
      const audit = await suite.db.auditEvent.findMany({ where: { type: "password.reset", targetId: person.id }, select: { actorId: true, details: true } });
      expect(audit).toEqual([{ actorId: person.id, details: { sessionsRevoked: 2 } }]);
    });

    it("refuses a replayed link: the second use changes nothing", async () => {
      const person = await suite.people.person({ label: "replay" });
      const token = await resetToken(person);
      expect((await reset(token)).status).toBe(200);
      const hash = await passwordHashOf(person.id);

      const replay = await reset(token, "yet another long passphrase");
      expect(replay.status).toBe(400);
      expect(await problemType(replay)).toBe(INVALID_LINK);
      expect(await passwordHashOf(person.id)).toBe(hash);
    });

    it("refuses an expired link and leaves the password as it was", async () => {
      const person = await suite.people.person({ label: "expired" });
      const token = await resetToken(person);
      await suite.db.emailToken.updateMany({ where: { userId: person.id }, data: { expiresAt: new Date(Date.now() - 1_000) } });
      const hash = await passwordHashOf(person.id);

      const response = await reset(token);
      expect(response.status).toBe(400);
      expect(await problemType(response)).toBe(INVALID_LINK);
      expect(await passwordHashOf(person.id)).toBe(hash);
      expect(argon2.operations.filter((operation) => operation === "hash")).toEqual([]);
    });

    it("lives 30 minutes, no more", async () => {
      const person = await suite.people.person({ label: "lifetime" });
      const asked = Date.now();
      await resetToken(person);
      const { expiresAt } = await suite.db.emailToken.findFirstOrThrow({ where: { userId: person.id }, select: { expiresAt: true } });
      expect(expiresAt.getTime() - asked).toBeGreaterThan(29 * 60 * 1000);
      expect(expiresAt.getTime() - asked).toBeLessThanOrEqual(30 * 60 * 1000 + 5_000);
    });

    it("refuses a token of another purpose, and neither spends it nor the reset link sideways", async () => {
      const person = await suite.people.person({ label: "sideways", verified: false });
      expect((await call(suite.routes.resendVerification, { method: "POST", jar: person.jar() })).status).toBe(202);
      const verifyToken = linkToken(await suite.mail.only(person.email, SUBJECTS.verify), "/verify-email");
      const hash = await passwordHashOf(person.id);

      const asReset = await reset(verifyToken);
      expect(asReset.status).toBe(400);
      expect(await problemType(asReset)).toBe(INVALID_LINK);
      expect(await passwordHashOf(person.id)).toBe(hash);

      const resetLink = await resetToken(person);
      const asVerify = await call(suite.routes.verifyEmail, { method: "POST", body: { token: resetLink } });
      expect(asVerify.status).toBe(400);
      expect(await problemType(asVerify)).toBe(INVALID_LINK);

      // Each still works for what it was sent for.
      expect((await call(suite.routes.verifyEmail, { method: "POST", body: { token: verifyToken } })).status).toBe(200);
      expect((await reset(resetLink)).status).toBe(200);
    });

    it("acts only on the account the link was sent to: user A's link cannot name or change user B", async () => {
      const a = await suite.people.person({ label: "holder" });
      const b = await suite.people.person({ label: "target" });
      const token = await resetToken(a);
      const hashOfB = await passwordHashOf(b.id);

      for (const extra of [{ email: b.email }, { userId: b.id }]) {
        const named = await reset(token, NEW_PASSWORD, extra);
        expect(named.status).toBe(400);
        expect(await problemType(named)).toBe("/problems/validation");
      }
      const response = await reset(token);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ email: a.email });
      expect(await passwordHashOf(b.id)).toBe(hashOfB);
      expect((await call(suite.routes.me, { jar: b.jar() })).status).toBe(200);
      expect((await login(a.email, NEW_PASSWORD)).status).toBe(200);
    });

    it("a newer request cancels the older link, and the newer one works", async () => {
      const person = await suite.people.person({ label: "newer" });
      const older = await resetToken(person);
      const newer = await resetToken(person);
      expect(newer).not.toBe(older);

      const stale = await reset(older);
      expect(stale.status).toBe(400);
      expect(await problemType(stale)).toBe(INVALID_LINK);
      expect((await reset(newer)).status).toBe(200);
    });

    it("a password sign-in after the request cancels the link", async () => {
      const person = await suite.people.person({ label: "signed-in" });
      const token = await resetToken(person);
      expect((await login(person.email, PASSWORD)).status).toBe(200);

      const response = await reset(token);
      expect(response.status).toBe(400);
      expect(await problemType(response)).toBe(INVALID_LINK);
      expect((await login(person.email, PASSWORD)).status).toBe(200);
    });

    it("a wrong password at sign-in does not cancel the link: only proving the password does", async () => {
      const person = await suite.people.person({ label: "wrong-sign-in" });
      const token = await resetToken(person);
      expect((await login(person.email, "not the password at all")).status).toBe(401);
      expect((await reset(token)).status).toBe(200);
    });

    it("a password change cancels the link, so the link cannot undo the change", async () => {
      const person = await suite.people.person({ label: "changed" });
      const token = await resetToken(person);
      const change = await call(suite.routes.changePassword, {
        method: "POST",
        body: { currentPassword: PASSWORD, newPassword: "my own brand new passphrase" },
        jar: person.jar(),
      });
      expect(change.status).toBe(204);

      const response = await reset(token);
      expect(response.status).toBe(400);
      expect(await problemType(response)).toBe(INVALID_LINK);
      expect((await login(person.email, "my own brand new passphrase")).status).toBe(200);
    });

    it("a new password the rules refuse does not spend the link", async () => {
      const person = await suite.people.person({ label: "common" });
      const token = await resetToken(person);
      const hash = await passwordHashOf(person.id);

      const refused = await reset(token, COMMON_PASSWORD);
      expect(refused.status).toBe(400);
      const body = (await refused.json()) as { type: string; errors: Record<string, string[]> };
      expect(body.type).toBe("/problems/validation");
      expect(Object.keys(body.errors)).toEqual(["newPassword"]);
      expect(await passwordHashOf(person.id)).toBe(hash);
      expect(await suite.db.session.count({ where: { userId: person.id, revokedAt: null } })).toBe(1);

      expect((await reset(token)).status).toBe(200);
    });

    it("a reset cancels an address change that a session asked for: an attacker signed in elsewhere cannot finish moving the account", async () => {
      const person = await suite.people.person({ label: "moving" });
      const attackerAddress = uniqueEmail("attacker");
      // The attacker, signed in with a stolen password, asks to move the account to their address.
      expect((await call(suite.routes.changeEmail, { method: "POST", body: { email: attackerAddress }, jar: person.jar() })).status).toBe(202);
      const confirm = linkToken(await suite.mail.only(attackerAddress, SUBJECTS.confirmNew), "/email/confirm");

      // The owner notices and resets the password.
      expect((await reset(await resetToken(person))).status).toBe(200);

      const response = await call(suite.routes.confirmEmail, { method: "POST", body: { token: confirm } });
      expect(response.status).toBe(400);
      expect(await problemType(response)).toBe(INVALID_LINK);
      expect((await suite.db.user.findUniqueOrThrow({ where: { id: person.id }, select: { email: true } })).email).toBe(person.email);
    });
  });
});
