/**
 * One place checks a password (lib/auth/password-attempt.ts; docs/decisions/035-one-password-check.md):
 * changing a password and deleting an account are password-guessing oracles as much as sign-in
 * is, so a stolen session gets the same 5 guesses per 15 minutes, shared with sign-in, and every
 * wrong guess is audited. Through the real route handlers, on PGlite and Postgres.
 */
import { describe, expect, it } from "vitest";
import { databaseKinds } from "../support/databases";
import { call, CookieJar } from "../support/http";
import { integrationSuite, signUpThenSignIn } from "../support/app";
import { PASSWORD, uniqueEmail } from "../support/authz-world";

const WRONG = "not the password at all";

describe.each(databaseKinds())("password checks outside sign-in on %s", (kind) => {
  // Every request here comes from one (unknown) address: lift the per-address tier so the
  // per-account tier, the one a stolen session meets, is what refuses.
  const suite = integrationSuite(kind, { RATE_LIMIT_AUTH_MAX: "1000" });
  async function signUp() {
    const jar = new CookieJar();
    const email = uniqueEmail("guess");
    const response = await signUpThenSignIn(suite.routes, { email, name: "Guess Target", password: PASSWORD }, { jar });
    expect(response.status).toBe(200);
    const { user } = (await response.json()) as { user: { id: string } };
    return { jar, email, userId: user.id };
  }

  const changeWith = (jar: CookieJar, currentPassword: string) =>
    call(suite.routes.changePassword, { body: { currentPassword, newPassword: "a brand new passphrase here" }, jar });
  const deleteWith = (jar: CookieJar, password: string) => call(suite.routes.deleteMe, { method: "DELETE", body: { password }, jar });

  async function failures(userId: string) {
    return suite.kit.db.auditEvent.findMany({
      where: { type: "password.check_failed", actorId: userId },
      select: { details: true, targetId: true, count: true },
    });
  }

  it.each([
    ["changing the password", changeWith, "password-change"],
    ["deleting the account", deleteWith, "account-deletion"],
  ] as const)(
    "a stolen session guessing the current password by %s is refused with 429 and Retry-After on the 6th wrong guess",
    async (_flow, attempt, purpose) => {
      const { jar, userId } = await signUp();
      for (let guess = 1; guess <= 5; guess++) {
        const response = await attempt(jar, WRONG);
        expect(response.status).toBe(400);
        expect(response.headers.get("ratelimit-policy")).toMatch(/"auth-account";q=5;w=900/);
      }
      const sixth = await attempt(jar, WRONG);
      expect(sixth.status).toBe(429);
      expect(Number(sixth.headers.get("retry-after"))).toBeGreaterThan(0);
      expect((await sixth.json())["violated-policies"]).toEqual(["auth-account"]);
      // Even the right password waits now: the limit is on guesses, and the 6th is not looked at.
      expect((await attempt(jar, PASSWORD)).status).toBe(429);
      // Five failures from one address in one window are one row that counts them.
      expect(await failures(userId)).toEqual([{ targetId: userId, details: { purpose, reason: "wrong_password" }, count: 5 }]);
      const limited = await suite.kit.db.auditEvent.aggregate({ where: { type: "password.check_rate_limited", actorId: userId }, _sum: { count: true } });
      expect(limited._sum.count).toBe(2);
      // Nothing changed meanwhile: the account and its password are as they were.
      expect(await suite.kit.db.user.count({ where: { id: userId } })).toBe(1);
    },
  );

  it("wrong current passwords on the account page count against sign-in for that account", async () => {
    const { jar, email } = await signUp();
    for (let guess = 1; guess <= 5; guess++) expect((await changeWith(jar, WRONG)).status).toBe(400);
    const login = await call(suite.routes.login, { body: { email, password: PASSWORD } });
    expect(login.status).toBe(429);
    expect(login.headers.get("retry-after")).not.toBeNull();
  });

  it("wrong sign-ins count against the account page too: the limit is one budget per account", async () => {
    const { jar, email } = await signUp();
    for (let guess = 1; guess <= 5; guess++) expect((await call(suite.routes.login, { body: { email, password: WRONG } })).status).toBe(401);
    expect((await deleteWith(jar, WRONG)).status).toBe(429);
    expect((await changeWith(jar, PASSWORD)).status).toBe(429);
  });

  it("a right current password is not a failure: it is refunded, and the change goes through", async () => {
    const { jar, userId } = await signUp();
    for (let guess = 1; guess <= 4; guess++) expect((await changeWith(jar, WRONG)).status).toBe(400);
    expect((await changeWith(jar, PASSWORD)).status).toBe(204);
    expect(await suite.kit.db.auditEvent.count({ where: { type: "password.changed", actorId: userId } })).toBe(1);
  });
});
