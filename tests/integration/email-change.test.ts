/**
 * Changing an account's address (lib/users/email-change.ts), through the real route handlers, on
 * PGlite and Postgres, with every link read from a real SMTP server. The address is where every
 * reset link goes, so the attacker here holds a session (stolen, or a borrowed laptop) and wants
 * the account for good: the change needs a recent sign-in, proves the new address before it
 * takes effect, gives away nothing about other accounts, and hands the old address's owner a
 * way back that the attacker cannot take from them.
 */
import { describe, expect, it } from "vitest";
import { databaseKinds } from "../support/databases";
import { call, type CookieJar } from "../support/http";
import { APP_ORIGIN, linkToken, mailFlowSuite, NEW_PASSWORD, PASSWORD, problemType, SUBJECTS, uniqueEmail, type Person } from "../support/mail-flows";

const INVALID_LINK = "/problems/email-link-invalid";

describe.each(databaseKinds())("address change on %s", (kind) => {
  const suite = mailFlowSuite(kind);

  const askChange = (jar: CookieJar, email: string) =>
    call(suite.routes.changeEmail, { method: "POST", url: `${APP_ORIGIN}/api/auth/email`, body: { email }, jar });
  const confirm = (token: string) => call(suite.routes.confirmEmail, { method: "POST", body: { token } });
  const undo = (token: string) => call(suite.routes.undoEmail, { method: "POST", body: { token } });
  const emailOf = async (userId: string) => (await suite.db.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true } })).email;
  const login = (email: string, password = PASSWORD) => call(suite.routes.login, { method: "POST", body: { email, password } });

  /** Ask to move `person` to `next` and read the confirmation link mailed to `next`. */
  async function confirmationFor(person: Person, next: string, jar = person.jar()): Promise<string> {
    expect((await askChange(jar, next)).status).toBe(202);
    const links = (await suite.mail.delivered(next)).filter((message) => message.subject === SUBJECTS.confirmNew);
    return linkToken(links.at(-1)!, "/email/confirm");
  }

  /** The undo link the latest change mailed to `oldAddress`. */
  async function undoLinkAt(oldAddress: string): Promise<string> {
    const notices = (await suite.mail.delivered(oldAddress)).filter((message) => message.subject === SUBJECTS.changed);
    return linkToken(notices.at(-1)!, "/email/undo");
  }

  it("needs a sign-in from the last 10 minutes: an older session gets 403 reauth-required, and nothing is mailed", async () => {
    const person = await suite.people.person({ label: "stale" });
    await suite.db.session.update({
      where: { id: person.sessionId },
      data: { createdAt: new Date(Date.now() - 11 * 60 * 1000), authTime: new Date(Date.now() - 11 * 60 * 1000) },
    });
    const next = uniqueEmail("stale-next");
    const response = await askChange(person.jar(), next);
    expect(response.status).toBe(403);
    expect(await problemType(response)).toBe("/problems/reauth-required");
    await suite.settle();
    expect(await suite.mail.delivered(next)).toEqual([]);
    expect(await suite.db.emailToken.count({ where: { userId: person.id } })).toBe(0);
  });

  it("changes nothing until the new address confirms", async () => {
    const person = await suite.people.person({ label: "pending" });
    await confirmationFor(person, uniqueEmail("pending-next"));
    expect(await emailOf(person.id)).toBe(person.email);
    expect((await login(person.email)).status).toBe(200);
  });

  it("refuses a change to the account's own address", async () => {
    const person = await suite.people.person({ label: "same" });
    const response = await askChange(person.jar(), person.email);
    expect(response.status).toBe(400);
    expect(await problemType(response)).toBe("/problems/validation");
  });

  it("answers a change to another account's address exactly as one to a free address, tells that address's owner, and changes nothing", async () => {
    const asker = await suite.people.person({ label: "asker" });
    const other = await suite.people.person({ label: "other" });
    const free = uniqueEmail("free");
    const otherBefore = await suite.db.user.findUniqueOrThrow({ where: { id: other.id } });

    const answers = [await askChange(asker.jar(), other.email), await askChange(asker.jar(), free)];
    expect(answers.map((answer) => answer.status)).toEqual([202, 202]);
    expect(await answers[0]!.text()).toBe(JSON.stringify({ email: other.email }));
    expect(await answers[1]!.text()).toBe(JSON.stringify({ email: free }));
    expect([...answers[0]!.headers.keys()].sort()).toEqual([...answers[1]!.headers.keys()].sort());

    const toOther = await suite.mail.delivered(other.email);
    expect(toOther.map((message) => message.subject)).toEqual([SUBJECTS.addressInUse]);
    expect(toOther[0]!.text).not.toContain("#token=");
    expect(toOther[0]!.text).not.toContain(asker.email);
    expect((await suite.mail.delivered(free)).map((message) => message.subject)).toEqual([SUBJECTS.confirmNew]);

    expect(await emailOf(asker.id)).toBe(asker.email);
    expect(await suite.db.user.findUniqueOrThrow({ where: { id: other.id } })).toEqual(otherBefore);
    // The only live change is to the free address.
    expect(await suite.db.emailToken.findMany({ where: { userId: asker.id }, select: { purpose: true, email: true } })).toEqual([
      { purpose: "CHANGE_EMAIL", email: free },
    ]);
  });

  it("the link mailed to the new address changes the address, proves it, and mails the old address an undo link", async () => {
    const person = await suite.people.person({ label: "mover", verified: false });
    const next = uniqueEmail("mover-next");
    const token = await confirmationFor(person, next);

    const response = await confirm(token);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ email: next });
    const user = await suite.db.user.findUniqueOrThrow({ where: { id: person.id }, select: { email: true, emailVerifiedAt: true } });
    expect(user.email).toBe(next);
    expect(user.emailVerifiedAt).not.toBeNull();

    const notice = await suite.mail.only(person.email, SUBJECTS.changed);
    expect(notice.text).toContain(next);
    expect(linkToken(notice, "/email/undo")).toHaveLength(43);
    expect((await login(next)).status).toBe(200);
    expect((await login(person.email)).status).toBe(401);
    expect(await suite.db.auditEvent.count({ where: { type: "email.changed", targetId: person.id } })).toBe(1);
    // The session that asked carries on: a confirmed change is the owner's own act.
    expect((await call(suite.routes.me, { jar: person.jar() })).status).toBe(200);
  });

  it("refuses a replayed confirmation link", async () => {
    const person = await suite.people.person({ label: "confirm-replay" });
    const token = await confirmationFor(person, uniqueEmail("confirm-replay-next"));
    expect((await confirm(token)).status).toBe(200);
    const replay = await confirm(token);
    expect(replay.status).toBe(400);
    expect(await problemType(replay)).toBe(INVALID_LINK);
  });

  it("refuses a confirmation when another account took the address meanwhile: 409, and nothing changes", async () => {
    const person = await suite.people.person({ label: "raced" });
    const next = uniqueEmail("raced-next");
    const token = await confirmationFor(person, next);
    await suite.db.user.create({ data: { email: next, name: "Quicker", passwordHash: null }, select: { id: true } });

    const response = await confirm(token);
    expect(response.status).toBe(409);
    expect(await problemType(response)).toBe("/problems/email-taken");
    expect(await emailOf(person.id)).toBe(person.email);
  });

  it("the undo link puts the old address back, ends every session, and works once", async () => {
    const person = await suite.people.person({ label: "undone" });
    const otherDevice = await suite.people.signedIn(person.id);
    const next = uniqueEmail("undone-next");
    expect((await confirm(await confirmationFor(person, next))).status).toBe(200);
    const token = await undoLinkAt(person.email);

    const response = await undo(token);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ email: person.email });
    expect(await emailOf(person.id)).toBe(person.email);
    for (const jar of [person.jar(), otherDevice.jar()]) {
      expect((await call(suite.routes.refresh, { method: "POST", jar })).status).toBe(401);
      expect((await call(suite.routes.me, { jar })).status).toBe(401);
    }
    expect(await suite.db.session.count({ where: { userId: person.id, revokedAt: null } })).toBe(0);
    expect(await suite.db.auditEvent.findMany({ where: { type: "email.change_undone", targetId: person.id }, select: { details: true } })).toEqual([
      { details: { sessionsRevoked: 2 } },
    ]);

    const replay = await undo(token);
    expect(replay.status).toBe(400);
    expect(await problemType(replay)).toBe(INVALID_LINK);
  });

  it("a confirmation link cannot be spent as an undo link, nor an undo link as a confirmation", async () => {
    const person = await suite.people.person({ label: "crossed" });
    const next = uniqueEmail("crossed-next");
    const change = await confirmationFor(person, next);
    expect((await undo(change)).status).toBe(400);
    expect(await emailOf(person.id)).toBe(person.email);
    expect((await confirm(change)).status).toBe(200);
    const back = await undoLinkAt(person.email);
    expect((await confirm(back)).status).toBe(400);
    expect(await emailOf(person.id)).toBe(next);
    expect((await undo(back)).status).toBe(200);
  });

  it("reset links mailed to the old address die when the change is confirmed", async () => {
    const person = await suite.people.person({ label: "old-links" });
    expect((await call(suite.routes.forgot, { method: "POST", body: { email: person.email } })).status).toBe(202);
    const resetLink = linkToken(await suite.mail.only(person.email, SUBJECTS.reset), "/reset-password");
    expect((await confirm(await confirmationFor(person, uniqueEmail("old-links-next")))).status).toBe(200);

    const response = await call(suite.routes.reset, { method: "POST", body: { token: resetLink, newPassword: NEW_PASSWORD } });
    expect(response.status).toBe(400);
    expect(await problemType(response)).toBe(INVALID_LINK);
  });

  it("an attacker who changes the address twice cannot cancel the owner's undo link: the owner's link still puts their address back", async () => {
    const owner = await suite.people.person({ label: "owner" });
    const first = uniqueEmail("attacker-one");
    const second = uniqueEmail("attacker-two");
    // The attacker, with a recent sign-in, moves the account to their address, then again.
    expect((await confirm(await confirmationFor(owner, first))).status).toBe(200);
    const ownersUndo = await undoLinkAt(owner.email);
    expect((await confirm(await confirmationFor(owner, second))).status).toBe(200);
    expect(await emailOf(owner.id)).toBe(second);
    // The second change's undo link went to the attacker's first address; spending it first
    // must not cancel the owner's.
    const attackersUndo = await undoLinkAt(first);
    expect((await undo(attackersUndo)).status).toBe(400);

    const response = await undo(ownersUndo);
    expect(response.status).toBe(200);
    expect(await emailOf(owner.id)).toBe(owner.email);
    // And with that every other mailed link of the account is gone, the attacker's undo included.
    expect((await undo(attackersUndo)).status).toBe(400);
    expect(await emailOf(owner.id)).toBe(owner.email);
    expect(await suite.db.emailToken.count({ where: { userId: owner.id } })).toBe(0);
  });
});
