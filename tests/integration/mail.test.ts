/**
 * The mail layer (lib/mail/) against a real SMTP server on loopback (tests/support/smtp-peer.ts),
 * on PGlite and Postgres: a message is a row before it is sent, reaches the relay intact, waits
 * no longer than its bound, survives a relay that refuses it, is sent once when two passes race,
 * and is erased from the database once the relay has it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { databaseKinds } from "../support/databases";
import { call, type Handler } from "../support/http";
import { integrationSuite, signUpThenSignIn } from "../support/app";
import { credentialOf, PASSWORD, type World } from "../support/authz-world";
import { startSmtpPeer, type SmtpPeer } from "../support/smtp-peer";
import type * as SendMailModule from "@/lib/mail/send-mail";
import type * as TransportModule from "@/lib/mail/transport";

type MailModules = {
  send: typeof SendMailModule;
  transport: typeof TransportModule;
};

const DATA = { name: "Ann", when: new Date("2026-12-01T10:00:00Z"), otherSessionsEnded: 2, sessionsUrl: "http://localhost:3000/sessions" };

describe.each(databaseKinds())("mail on %s", (kind) => {
  const suite = integrationSuite(kind);
  let peer: SmtpPeer;
  let mail: MailModules;
  let world: World;

  beforeAll(async () => {
    peer = await startSmtpPeer();
    mail = { send: await import("@/lib/mail/send-mail"), transport: await import("@/lib/mail/transport") };
  });
  afterAll(() => peer.close());
  beforeEach(async () => {
    await suite.kit.reset();
    world = await suite.kit.build();
    peer.messages.length = 0;
    peer.refuseNext(0);
    peer.holdFor(0);
  });

  const relay = () => mail.transport.smtpTransport(mail.transport.smtpOptions({ SMTP_URL: peer.url })!, "Palisade <no-reply@palisade.test>");
  const rows = () => suite.kit.db.mailMessage.findMany({ orderBy: { createdAt: "asc" } });
  const notices = () => suite.kit.db.mailMessage.findMany({ where: { template: "new-sign-in" }, orderBy: { createdAt: "asc" } });

  it("delivers a message to the relay over SMTP with its subject, text and HTML, then erases its bodies", async () => {
    const outcome = await mail.send.sendMail(suite.kit.db, { to: "ann@example.com", template: "password-changed", data: DATA }, { transport: relay() });
    expect(outcome).toBe("sent");
    const [received] = await peer.waitFor(1);
    expect(received).toMatchObject({ from: '"Palisade" <no-reply@palisade.test>', to: ["ann@example.com"], subject: "Your Palisade password was changed" });
    expect(received!.text).toContain("2 other devices were signed out");
    expect(received!.html).toContain('<a href="http://localhost:3000/sessions">');
    const [row] = await rows();
    expect(row).toMatchObject({ status: "SENT", attempts: 1, text: null, html: null, lastError: null });
    expect(row!.sentAt).not.toBeNull();
  });

  it("keeps a message the relay refuses, with the reason, and delivers it on a later pass", async () => {
    peer.refuseNext(1);
    expect(await mail.send.sendMail(suite.kit.db, { to: "ann@example.com", template: "password-changed", data: DATA }, { transport: relay() })).toBe("queued");
    const [queued] = await rows();
    expect(queued).toMatchObject({ status: "QUEUED", attempts: 1 });
    expect(queued!.lastError).toContain("Try again later");
    expect(queued!.text).not.toBeNull();
    expect(queued!.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 50_000);

    // Not due yet: a pass sends nothing.
    expect(await mail.send.deliverDueMail(suite.kit.db, { transport: relay() })).toEqual({ sent: 0, queued: 0 });
    await suite.kit.db.mailMessage.update({ where: { id: queued!.id }, data: { nextAttemptAt: new Date() } });
    expect(await mail.send.deliverDueMail(suite.kit.db, { transport: relay() })).toEqual({ sent: 1, queued: 0 });
    expect(await peer.waitFor(1)).toHaveLength(1);
    expect(await rows()).toMatchObject([{ status: "SENT", attempts: 2, text: null }]);
  });

  it("holds the request no longer than its bound when the relay is slow, and the attempt still lands", async () => {
    peer.holdFor(1_500);
    const started = Date.now();
    const outcome = await mail.send.sendMail(
      suite.kit.db,
      { to: "ann@example.com", template: "password-changed", data: DATA },
      { transport: relay(), timeoutMs: 200 },
    );
    expect(outcome).toBe("queued");
    expect(Date.now() - started).toBeLessThan(1_200);
    await peer.waitFor(1);
    await expect.poll(async () => (await rows())[0]?.status, { timeout: 5_000 }).toBe("SENT");
  });

  it("gives up after the last attempt: FAILED, bodies erased, audited, never dropped in silence", async () => {
    peer.refuseNext(10);
    await mail.send.sendMail(suite.kit.db, { to: "ann@example.com", template: "password-changed", data: DATA }, { transport: relay() });
    const [row] = await rows();
    await suite.kit.db.mailMessage.update({ where: { id: row!.id }, data: { attempts: mail.send.MAX_ATTEMPTS - 1, nextAttemptAt: new Date() } });
    await mail.send.deliverDueMail(suite.kit.db, { transport: relay() });
    expect(await rows()).toMatchObject([{ status: "FAILED", attempts: mail.send.MAX_ATTEMPTS, text: null, html: null }]);
    const audit = await suite.kit.db.auditEvent.findMany({ where: { type: "mail.failed" } });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.details).toMatchObject({ mailId: row!.id, template: "password-changed", attempts: mail.send.MAX_ATTEMPTS });
  });

  it("sends a message once when two delivery passes race for it", async () => {
    peer.refuseNext(1);
    await mail.send.sendMail(suite.kit.db, { to: "ann@example.com", template: "password-changed", data: DATA }, { transport: relay() });
    await suite.kit.db.mailMessage.updateMany({ data: { nextAttemptAt: new Date() } });
    const reports = await Promise.all([
      mail.send.deliverDueMail(suite.kit.db, { transport: relay() }),
      mail.send.deliverDueMail(suite.kit.db, { transport: relay() }),
    ]);
    expect(reports.reduce((sum, report) => sum + report.sent, 0)).toBe(1);
    await peer.waitFor(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(peer.messages).toHaveLength(1);
  });

  it("without a relay keeps the message, bodies and all, for the development outbox", async () => {
    expect(mail.transport.outboxAvailable()).toBe(true);
    expect(await mail.send.sendMail(suite.kit.db, { to: "ann@example.com", template: "password-changed", data: DATA })).toBe("held");
    const [row] = await rows();
    expect(row).toMatchObject({ status: "HELD", to: "ann@example.com", template: "password-changed" });
    expect(row!.text).toContain("Hello Ann");
    const { listOutbox } = await import("@/lib/mail/outbox");
    expect((await listOutbox(suite.kit.db)).map((message) => message.subject)).toEqual(["Your Palisade password was changed"]);
    expect(peer.messages).toHaveLength(0);
  });

  it("a password change sends the account's address a notice that names the other devices signed out", async () => {
    const credential = credentialOf(world, "userA");
    const response = await call(suite.routes.changePassword, {
      method: "POST",
      url: "http://localhost:3000/api/auth/password",
      body: { currentPassword: PASSWORD, newPassword: "a completely different phrase" },
      ...(credential.jar === undefined ? {} : { jar: credential.jar }),
    });
    expect(response.status).toBe(204);
    const [row] = await rows();
    expect(row).toMatchObject({ to: world.userA.email, template: "password-changed", status: "HELD" });
    expect(row!.text).toContain("No other device was signed in.");
  });

  it("a refused password change sends nothing", async () => {
    const credential = credentialOf(world, "userA");
    const response = await call(suite.routes.changePassword, {
      method: "POST",
      url: "http://localhost:3000/api/auth/password",
      body: { currentPassword: "not the password", newPassword: "a completely different phrase" },
      ...(credential.jar === undefined ? {} : { jar: credential.jar }),
    });
    expect(response.status).toBe(400);
    expect(await rows()).toEqual([]);
  });

  it("a replayed refresh token that ends a session tells the account's owner", async () => {
    const jar = world.userA.jar();
    for (let i = 0; i < 2; i += 1) {
      expect((await call(suite.routes.refresh, { method: "POST", url: "http://localhost:3000/api/auth/refresh", jar })).status).toBe(200);
    }
    expect(await rows()).toEqual([]);
    // The first token again, two rotations later: theft, not a race.
    const replay = await call(suite.routes.refresh, { method: "POST", url: "http://localhost:3000/api/auth/refresh", jar: world.userA.jar() });
    expect(replay.status).toBe(401);
    const [row] = await rows();
    expect(row).toMatchObject({ to: world.userA.email, template: "session-ended-on-reuse", subject: "A sign-in to your Palisade account was ended" });
    expect(row!.text).toContain("already been used");
  });

  it("removing a provider tells the account's owner, and a refused removal tells no one", async () => {
    const { DELETE } = await import("@/app/api/auth/oauth/accounts/[provider]/route");
    const remove = (provider: string, as: "userA" | "userB") =>
      call(DELETE as unknown as Handler, {
        method: "DELETE",
        url: `http://localhost:3000/api/auth/oauth/accounts/${provider}`,
        params: { provider },
        jar: world[as].jar(),
      });
    expect((await remove("oidc", "userB")).status).toBe(404);
    expect(await rows()).toEqual([]);
    expect((await remove("oidc", "userA")).status).toBe(204);
    const [row] = await rows();
    expect(row).toMatchObject({ to: world.userA.email, template: "sign-in-method-changed", subject: "oidc was removed from your Palisade account" });
    expect(row!.text).toContain("it can no longer sign you in");
  });

  it("a sign-in from a device the account has never used sends a notice; the same device again, or a registration, sends none", async () => {
    const email = `notice-${Date.now()}@example.com`;
    const firefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0";
    const chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";
    // The sign-up's own first sign-in, from the device it was made on, is not news to anyone.
    const first = await signUpThenSignIn(suite.routes, { email, name: "Noa", password: PASSWORD }, { headers: { "user-agent": firefox } });
    expect(first.status).toBe(200);
    const login = (userAgent: string) => call(suite.routes.login, { body: { email, password: PASSWORD }, headers: { "user-agent": userAgent } });
    expect((await login(firefox)).status).toBe(200);
    // Sign-up's own message is the confirmation link, and the only one so far.
    expect((await rows()).map((row) => row.template)).toEqual(["verify-email"]);

    expect((await login(chrome)).status).toBe(200);
    const [notice] = await notices();
    expect(notice).toMatchObject({ to: email, template: "new-sign-in", subject: "A new sign-in to your Palisade account" });
    expect(notice!.text).toContain("with your password");
    expect(notice!.text).toContain("using Chrome on Linux.");
    expect(notice!.text).toContain("It is a device your account had not signed in from before.");

    expect((await login(chrome)).status).toBe(200);
    expect(await notices()).toHaveLength(1);
  });

  it("a wrong password sends no notice, whatever the device", async () => {
    const response = await call(suite.routes.login, {
      body: { email: world.userA.email, password: "not the password" },
      headers: { "user-agent": "curl/8.0" },
    });
    expect(response.status).toBe(401);
    expect(await rows()).toEqual([]);
  });
});
