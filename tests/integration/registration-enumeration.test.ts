/**
 * Sign-up without an account oracle (lib/users/registration.ts), through the real route handler,
 * on PGlite and Postgres, with its messages read from a real SMTP server. The attacker types an
 * address into the sign-up form to learn whether it has an account here: the answer, the cookies,
 * the argon2 work and the number of messages must be the same either way, and the difference
 * must reach only the address's own mailbox.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import type * as PasswordHash from "@/lib/auth/password-hash";
import { databaseKinds } from "../support/databases";
import { call } from "../support/http";
import { APP_ORIGIN, linkToken, mailFlowSuite, PASSWORD, problemType, SUBJECTS, uniqueEmail } from "../support/mail-flows";

/** Every argon2 operation the app runs, in order. */
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

describe.each(databaseKinds())("registration without an account oracle on %s", (kind) => {
  const suite = mailFlowSuite(kind);
  beforeEach(() => {
    argon2.operations.length = 0;
  });

  const register = (body: Record<string, unknown>) => call(suite.routes.register, { method: "POST", url: `${APP_ORIGIN}/api/auth/register`, body });
  const signUp = (email: string, name = "Newcomer", password = PASSWORD) => register({ email, name, password });
  /** Headers a client can see, less the request ID, which differs on every answer by design. */
  const visibleHeaders = (response: Response) => [...response.headers].filter(([name]) => name !== "x-request-id");

  it("answers a new and a taken address alike: 202, a body that only echoes the address, no cookie", async () => {
    const taken = await suite.people.person({ label: "taken" });
    const fresh = uniqueEmail("fresh");
    const answers = [await signUp(taken.email), await signUp(fresh)];
    expect(answers.map((answer) => answer.status)).toEqual([202, 202]);
    expect(await answers[0]!.text()).toBe(JSON.stringify({ email: taken.email }));
    expect(await answers[1]!.text()).toBe(JSON.stringify({ email: fresh }));
    for (const answer of answers) expect(answer.headers.getSetCookie()).toEqual([]);
    expect([...answers[0]!.headers.keys()].sort()).toEqual([...answers[1]!.headers.keys()].sort());
  });

  it("answers byte for byte the same for one address when it is new and when it has become taken", async () => {
    const email = uniqueEmail("twice");
    const first = await signUp(email);
    await suite.settle();
    expect(await suite.db.user.count({ where: { email } })).toBe(1);
    const second = await signUp(email, "Someone Else", "another long passphrase");
    expect(second.status).toBe(first.status);
    expect(await second.text()).toBe(await first.text());
    expect(visibleHeaders(second)).toEqual(visibleHeaders(first));
  });

  it("hashes exactly once in the request for a new and for a taken address, verifies nothing, and the deferred work hashes nothing more", async () => {
    const taken = await suite.people.person({ label: "cost" });
    const fresh = uniqueEmail("cost");
    for (const email of [taken.email, fresh]) {
      argon2.operations.length = 0;
      expect((await signUp(email)).status).toBe(202);
      // In the request, before the answer: the one cost a clock could see is paid by both.
      expect(argon2.operations).toEqual(["hash"]);
      await suite.settle();
      expect(argon2.operations).toEqual(["hash"]);
    }
  });

  it("mails exactly one message either way: a taken address is told it has an account, a new one gets a confirmation link", async () => {
    const taken = await suite.people.person({ label: "reminded" });
    const fresh = uniqueEmail("welcomed");
    await signUp(taken.email);
    await signUp(fresh);

    const reminder = await suite.mail.delivered(taken.email);
    expect(reminder.map((message) => message.subject)).toEqual([SUBJECTS.accountExists]);
    expect(reminder[0]!.text).toContain("Nothing was changed.");
    expect(reminder[0]!.text).toContain(`${APP_ORIGIN}/forgot-password`);
    expect(reminder[0]!.text).not.toContain("#token=");

    const welcome = await suite.mail.delivered(fresh);
    expect(welcome.map((message) => message.subject)).toEqual([SUBJECTS.verify]);
    expect(linkToken(welcome[0]!, "/verify-email")).toHaveLength(43);
    expect(await suite.db.mailMessage.count({ where: { to: taken.email } })).toBe(1);
    expect(await suite.db.mailMessage.count({ where: { to: fresh } })).toBe(1);
  });

  it("a sign-up with a taken address changes nothing about the existing account", async () => {
    const taken = await suite.people.person({ label: "kept" });
    const before = await suite.db.user.findUniqueOrThrow({ where: { id: taken.id } });
    expect((await signUp(taken.email, "Squatter", "a rose by any other word")).status).toBe(202);
    await suite.settle();
    expect(await suite.db.user.findUniqueOrThrow({ where: { id: taken.id } })).toEqual(before);
    expect(await suite.db.user.count({ where: { email: taken.email } })).toBe(1);
    expect(await suite.db.session.count({ where: { userId: taken.id, revokedAt: null } })).toBe(1);
    const events = await suite.db.auditEvent.findMany({ where: { targetId: taken.id }, select: { type: true } });
    expect(events).toEqual([{ type: "user.registration_repeated" }]);
  });

  it("creates the new account after the answer: unverified, a plain user, able to sign in with its password", async () => {
    const email = uniqueEmail("created");
    expect((await signUp(email, "Created")).status).toBe(202);
    await suite.settle();
    const user = await suite.db.user.findUniqueOrThrow({ where: { email }, select: { id: true, role: true, emailVerifiedAt: true, name: true } });
    expect(user).toMatchObject({ role: "USER", emailVerifiedAt: null, name: "Created" });
    expect(await suite.db.auditEvent.count({ where: { type: "user.registered", targetId: user.id } })).toBe(1);

    const login = await call(suite.routes.login, { method: "POST", body: { email, password: PASSWORD } });
    expect(login.status).toBe(200);
    expect(await login.json()).toMatchObject({ user: { id: user.id, emailVerified: false } });
  });

  it("still refuses a role in the body with 400: public sign-up cannot ask to be an admin", async () => {
    const email = uniqueEmail("climber");
    const response = await register({ email, name: "Climber", password: PASSWORD, role: "admin" });
    expect(response.status).toBe(400);
    expect(await problemType(response)).toBe("/problems/validation");
    await suite.settle();
    expect(await suite.db.user.count({ where: { email } })).toBe(0);
    expect(await suite.mail.delivered(email)).toEqual([]);
    expect(argon2.operations).toEqual([]);
  });

  it("refuses a password the rules refuse the same way for a new and a taken address, before any hashing or mail", async () => {
    const taken = await suite.people.person({ label: "weak" });
    const fresh = uniqueEmail("weak");
    argon2.operations.length = 0;
    const answers = [await signUp(taken.email, "Weak", "1qaz2wsx3edc4rfv"), await signUp(fresh, "Weak", "1qaz2wsx3edc4rfv")];
    const bodies = await Promise.all(answers.map(async (answer) => ({ status: answer.status, ...((await answer.json()) as object), requestId: null })));
    expect(bodies[0]).toEqual(bodies[1]);
    expect(bodies[0]).toMatchObject({ status: 400, type: "/problems/validation" });
    expect(argon2.operations).toEqual([]);
    expect(await suite.mail.delivered(taken.email)).toEqual([]);
    expect(await suite.mail.delivered(fresh)).toEqual([]);
  });

  it("refuses the 4th sign-up for one address in the window, taken or not, with 429 on mail-address", async () => {
    const taken = (await suite.people.person({ label: "flood" })).email;
    const fresh = uniqueEmail("flood");
    for (const email of [taken, fresh]) {
      for (let attempt = 1; attempt <= 3; attempt++) expect((await signUp(email)).status).toBe(202);
      const fourth = await signUp(email);
      expect(fourth.status).toBe(429);
      expect(((await fourth.json()) as { "violated-policies": string[] })["violated-policies"]).toEqual(["mail-address"]);
      expect(await suite.mail.delivered(email)).toHaveLength(3);
    }
    expect(await suite.db.user.count({ where: { email: fresh } })).toBe(1);
  });
});
