/**
 * The operator's policy that administrators must have a second factor (`ADMIN_SECOND_FACTOR`,
 * docs/decisions/047-second-factor-sign-in-and-step-up.md), and the step-up on admin writes,
 * through the real route handlers, on PGlite and Postgres. The attacker holds an administrator's
 * password, or a session opened with it.
 */
import { describe, expect, it } from "vitest";
import { totpCode, totpStep } from "@/lib/auth/mfa/totp";
import { call, type CookieJar, type Handler } from "../support/http";
import { APP_ORIGIN, mailFlowSuite, problemType, uniqueEmail } from "../support/mail-flows";
import { databaseKinds } from "../support/databases";

const USERS = `${APP_ORIGIN}/api/admin/users`;

describe.each(databaseKinds())("administrators and second factors on %s", (kind) => {
  const suite = mailFlowSuite(kind, { ADMIN_SECOND_FACTOR: "required" });

  /** Enrol a TOTP factor, confirmed with the previous step's code; returns the code of a later step. */
  async function enrol(userId: string): Promise<(offset: number) => string> {
    const factors = await import("@/lib/auth/mfa/totp-factor");
    const started = await factors.startTotpEnrolment(suite.db, userId);
    if (!started.ok) throw new Error(started.reason);
    const previous = new Date(Date.now() - 30_000);
    await factors.confirmTotpEnrolment(suite.db, userId, totpCode(started.secret, totpStep(previous)), previous);
    return (offset) => totpCode(started.secret, totpStep(new Date()) + offset);
  }

  const list = (jar: CookieJar) => call(suite.routes.listUsers, { jar, url: USERS });
  const create = (jar: CookieJar) =>
    call(suite.routes.createUser, {
      method: "POST",
      url: USERS,
      jar,
      body: { email: uniqueEmail("made"), name: "Grace", password: "violet river morning tea", role: "user" },
    });

  it("refuses an administrator without a second factor every admin tool, with 403 second-factor-required", async () => {
    const admin = await suite.people.person({ label: "bare-admin", role: "ADMIN" });
    const response = await list(admin.jar());
    expect(response.status).toBe(403);
    expect(await problemType(response)).toBe("/problems/second-factor-required");
    expect((await create(admin.jar())).status).toBe(403);
  });

  it("still gives a plain user the plain 403, saying nothing about the admin policy", async () => {
    const user = await suite.people.person({ label: "plain-user" });
    const response = await list(user.jar());
    expect(response.status).toBe(403);
    expect(await problemType(response)).toBe("/problems/forbidden");
  });

  it("lets an administrator with a second factor read, and asks for a fresh second factor before a write", async () => {
    const admin = await suite.people.person({ label: "mfa-admin", role: "ADMIN" });
    const code = await enrol(admin.id);
    const jar = admin.jar();
    expect((await list(jar)).status).toBe(200);
    // This session never proved the factor: the write is challenged, and nothing is created.
    const before = await suite.db.user.count();
    const challenged = await create(jar);
    expect(challenged.status).toBe(401);
    expect(challenged.headers.get("www-authenticate")).toContain('error="insufficient_user_authentication"');
    expect(await suite.db.user.count()).toBe(before);
    const stepUp = (await import("@/app/api/auth/step-up/route")).POST as unknown as Handler;
    expect((await call(stepUp, { method: "POST", body: { code: code(0) }, jar })).status).toBe(200);
    const created = await create(jar);
    expect(created.status, await created.clone().text()).toBe(201);
  });
});
