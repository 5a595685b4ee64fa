/**
 * Proving an address with a mailed link (lib/users/email-verification.ts), through the real route
 * handlers, on PGlite and Postgres, from sign-up to the link read out of a real SMTP server. An
 * unverified account may sign in and use its own data; the link is single use, short-lived, and
 * bound to the address it was sent to, so a link to an address the account no longer has proves
 * nothing.
 */
import { describe, expect, it } from "vitest";
import { databaseKinds } from "../support/databases";
import { call, CookieJar } from "../support/http";
import { APP_ORIGIN, linkToken, mailFlowSuite, PASSWORD, problemType, SUBJECTS, uniqueEmail } from "../support/mail-flows";

const INVALID_LINK = "/problems/email-link-invalid";

describe.each(databaseKinds())("address confirmation on %s", (kind) => {
  const suite = mailFlowSuite(kind);

  const verify = (token: string) => call(suite.routes.verifyEmail, { method: "POST", url: `${APP_ORIGIN}/api/auth/email/verify`, body: { token } });
  const resend = (jar: CookieJar) => call(suite.routes.resendVerification, { method: "POST", jar });
  const verifiedAt = async (userId: string) =>
    (await suite.db.user.findUniqueOrThrow({ where: { id: userId }, select: { emailVerifiedAt: true } })).emailVerifiedAt;

  /** Sign up through the route; returns the new account, a signed-in jar and the confirmation link's token. */
  async function signUp() {
    const email = uniqueEmail("signup");
    expect((await call(suite.routes.register, { method: "POST", body: { email, name: "Signup", password: PASSWORD } })).status).toBe(202);
    const token = linkToken(await suite.mail.only(email, SUBJECTS.verify), "/verify-email");
    const { id } = await suite.db.user.findUniqueOrThrow({ where: { email }, select: { id: true } });
    const jar = new CookieJar();
    expect((await call(suite.routes.login, { method: "POST", body: { email, password: PASSWORD }, jar })).status).toBe(200);
    return { id, email, jar, token };
  }

  it("an unverified account signs in and uses its own data", async () => {
    const { jar, id } = await signUp();
    const me = await call(suite.routes.me, { jar });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ id, emailVerified: false });
    const note = await call(suite.routes.createNote, { method: "POST", body: { title: "mine", body: "before confirming" }, jar });
    expect(note.status).toBe(201);
    expect((await call(suite.routes.listNotes, { jar })).status).toBe(200);
  });

  it("the link from the sign-up message confirms the address, once, and the account then shows it as verified", async () => {
    const { id, email, jar, token } = await signUp();
    expect(await verifiedAt(id)).toBeNull();

    const response = await verify(token);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ email });
    expect(await verifiedAt(id)).not.toBeNull();
    expect(await (await call(suite.routes.me, { jar })).json()).toMatchObject({ emailVerified: true });
    expect(await suite.db.auditEvent.findMany({ where: { type: "email.verified", targetId: id }, select: { details: true } })).toEqual([
      { details: { via: "link" } },
    ]);
  });

  it("refuses a replayed confirmation link", async () => {
    const { token } = await signUp();
    expect((await verify(token)).status).toBe(200);
    const replay = await verify(token);
    expect(replay.status).toBe(400);
    expect(await problemType(replay)).toBe(INVALID_LINK);
  });

  it("refuses an expired confirmation link and confirms nothing", async () => {
    const { id, token } = await signUp();
    await suite.db.emailToken.updateMany({ where: { userId: id }, data: { expiresAt: new Date(Date.now() - 1_000) } });
    const response = await verify(token);
    expect(response.status).toBe(400);
    expect(await problemType(response)).toBe(INVALID_LINK);
    expect(await verifiedAt(id)).toBeNull();
  });

  it("refuses a token that was never issued, of the right shape", async () => {
    const response = await verify("A".repeat(43));
    expect(response.status).toBe(400);
    expect(await problemType(response)).toBe(INVALID_LINK);
  });

  it("a link sent before the account's address changed confirms nothing: it proves the old address, not the new one", async () => {
    const { id, token } = await signUp();
    // The account's address changes by some other way than the link (an admin's edit, say).
    const moved = uniqueEmail("moved");
    await suite.db.user.update({ where: { id }, data: { email: moved } });

    const response = await verify(token);
    expect(response.status).toBe(400);
    expect(await problemType(response)).toBe(INVALID_LINK);
    expect(await verifiedAt(id)).toBeNull();
  });

  it("a link sent before an address change through the app no longer works once the change is confirmed", async () => {
    const { id, jar, token } = await signUp();
    const next = uniqueEmail("next");
    expect((await call(suite.routes.changeEmail, { method: "POST", body: { email: next }, jar })).status).toBe(202);
    const confirm = linkToken(await suite.mail.only(next, SUBJECTS.confirmNew), "/email/confirm");
    expect((await call(suite.routes.confirmEmail, { method: "POST", body: { token: confirm } })).status).toBe(200);

    const response = await verify(token);
    expect(response.status).toBe(400);
    expect(await problemType(response)).toBe(INVALID_LINK);
    expect(await suite.db.emailToken.count({ where: { userId: id, purpose: "VERIFY_EMAIL" } })).toBe(0);
  });

  it("a new link on request replaces the old one, which stops working", async () => {
    const { id, email, jar, token: first } = await signUp();
    const response = await resend(jar);
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ email });
    const links = (await suite.mail.delivered(email)).filter((message) => message.subject === SUBJECTS.verify);
    expect(links).toHaveLength(2);
    const second = linkToken(links[1]!, "/verify-email");

    expect((await verify(first)).status).toBe(400);
    expect(await verifiedAt(id)).toBeNull();
    expect((await verify(second)).status).toBe(200);
    expect(await verifiedAt(id)).not.toBeNull();
  });

  it("refuses a new link with 409 once the address is confirmed, and mails nothing", async () => {
    const person = await suite.people.person({ label: "confirmed" });
    const response = await resend(person.jar());
    expect(response.status).toBe(409);
    expect(await problemType(response)).toBe("/problems/conflict");
    expect(await suite.mail.delivered(person.email)).toEqual([]);
    expect(await suite.db.emailToken.count({ where: { userId: person.id } })).toBe(0);
  });

  it("asking for new links is counted by the per-recipient mail limit: the 4th in the window is refused with 429", async () => {
    const person = await suite.people.person({ label: "resender", verified: false });
    for (let request = 1; request <= 3; request++) expect((await resend(person.jar())).status).toBe(202);
    const fourth = await resend(person.jar());
    expect(fourth.status).toBe(429);
    expect(((await fourth.json()) as { "violated-policies": string[] })["violated-policies"]).toEqual(["mail-address"]);
    expect(await suite.mail.delivered(person.email)).toHaveLength(3);
  });

  it("only a signed-in person can ask for a new link", async () => {
    const response = await resend(new CookieJar());
    expect(response.status).toBe(401);
  });
});
