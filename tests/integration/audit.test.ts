/**
 * The security event log, on PGlite and Postgres: every event the contract lists is written where
 * it happens, with actor, target, IP, user agent and request ID; no secret or token is ever
 * written; a forged log line cannot be smuggled in; and admins read it paged and filtered.
 */
import { settleAfterResponse } from "@/lib/http/after-response";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { databaseKinds } from "../support/databases";
import { call, type CallOptions, type Handler } from "../support/http";
import { integrationSuite } from "../support/app";
import { basicAuth, PASSWORD, uniqueEmail, type World } from "../support/authz-world";
import { pageSchema } from "@/lib/http/query";
import { AUDIT_AGGREGATION_WINDOW_SECONDS, PublicAuditEventSchema } from "@/lib/audit";

const AUDIT = "http://localhost:3000/api/admin/audit";
const AuditPage = pageSchema(PublicAuditEventSchema);
const CLIENT_IP = "203.0.113.7";
const USER_AGENT = "audit-test/1.0";

describe.each(databaseKinds())("audit log on %s", (kind) => {
  // One trusted proxy in front, so the client address is the last X-Forwarded-For entry.
  const suite = integrationSuite(kind, { TRUSTED_PROXY: "1" });
  let world: World;

  beforeEach(async () => {
    await suite.kit.reset();
    world = await suite.kit.build();
  });

  let step = 0;
  /** Send a request as a browser behind our proxy would, tagged with its own request ID. */
  async function traced(handler: Handler, options: CallOptions): Promise<{ response: Response; requestId: string }> {
    step++;
    const requestId = `audit-step-${step}-${kind}`;
    const response = await call(handler, {
      ...options,
      headers: { "user-agent": USER_AGENT, "x-forwarded-for": `198.51.100.1, ${CLIENT_IP}`, "x-request-id": requestId, ...options.headers },
    });
    return { response, requestId };
  }

  async function eventOf(requestId: string, type: string) {
    return suite.kit.db.auditEvent.findFirstOrThrow({ where: { requestId, type } });
  }

  it("records every listed security event at its source, with who, whom, where from and which request", async () => {
    const r = suite.routes;
    const admin = world.admin.jar();
    // "*" where the id is made inside the request (a new session's id) and is checked elsewhere.
    const expectations: [string, string, string | null, string | null][] = [];
    const expectEvent = (requestId: string, type: string, actorId: string | null, targetId: string | null) =>
      expectations.push([requestId, type, actorId, targetId]);

    const email = uniqueEmail("audited");
    const registered = await traced(r.register, { body: { email, name: "Audited", password: PASSWORD } });
    expect(registered.response.status).toBe(202);
    // The account is made after the answer, in the same request's name (lib/users/registration.ts).
    await settleAfterResponse();
    const newUserId = (await suite.kit.db.user.findUniqueOrThrow({ where: { email }, select: { id: true } })).id;
    expectEvent(registered.requestId, "user.registered", newUserId, newUserId);
    expectEvent(registered.requestId, "email.verification_sent", newUserId, newUserId);

    const failed = await traced(r.login, { body: { email: world.userA.email, password: "not the password at all" } });
    expect(failed.response.status).toBe(401);
    expectEvent(failed.requestId, "login.failed", null, world.userA.id);
    const signedIn = await traced(r.login, { body: { email: world.userA.email, password: PASSWORD } });
    expectEvent(signedIn.requestId, "login.succeeded", world.userA.id, "*");

    // Refresh reuse: rotate once, then replay the old token after the grace window.
    const stolen = world.userB.jar();
    await traced(r.refresh, { method: "POST", jar: world.userB.jar() });
    await suite.kit.db.refreshToken.updateMany({ where: { session: { userId: world.userB.id } }, data: { rotatedAt: new Date(Date.now() - 60_000) } });
    const replay = await traced(r.refresh, { method: "POST", jar: stolen });
    expect(replay.response.status).toBe(401);
    expectEvent(replay.requestId, "refresh.reuse_detected", world.userB.id, world.userB.sessionId);

    // Sessions: revoke the one the sign-in above opened, then end all of A's sessions.
    const opened = await suite.kit.db.session.findFirstOrThrow({ where: { userId: world.userA.id, id: { not: world.userA.sessionId } } });
    const revoked = await traced(r.revokeSession, { method: "DELETE", jar: world.userA.jar(), params: { id: opened.id } });
    expectEvent(revoked.requestId, "session.revoked", world.userA.id, opened.id);
    const everywhere = await traced(r.logoutAll, { method: "POST", jar: world.userA.jar() });
    expect(everywhere.response.status).toBe(204);
    expectEvent(everywhere.requestId, "logout_all", world.userA.id, world.userA.id);
    // Logout needs only the refresh cookie: even a disabled user can end their own session.
    const signedOut = await traced(r.logout, { method: "POST", jar: world.disabledUser.jar() });
    expectEvent(signedOut.requestId, "logout", world.disabledUser.id, world.disabledUser.sessionId);

    const password = await traced(r.changePassword, { body: { currentPassword: PASSWORD, newPassword: "a completely different phrase" }, jar: admin });
    expect(password.response.status).toBe(204);
    expectEvent(password.requestId, "password.changed", world.admin.id, world.admin.id);

    const promoted = await traced(r.updateUser, { method: "PATCH", body: { role: "admin" }, jar: admin, params: { id: world.userB.id } });
    expectEvent(promoted.requestId, "role.changed", world.admin.id, world.userB.id);
    const disabled = await traced(r.updateUser, { method: "PATCH", body: { disabled: true }, jar: admin, params: { id: newUserId } });
    expectEvent(disabled.requestId, "account.disabled", world.admin.id, newUserId);
    const enabled = await traced(r.updateUser, { method: "PATCH", body: { disabled: false }, jar: admin, params: { id: newUserId } });
    expectEvent(enabled.requestId, "account.enabled", world.admin.id, newUserId);
    const made = await traced(r.createUser, { body: { email: uniqueEmail("made"), name: "Made", password: PASSWORD }, jar: admin });
    expectEvent(made.requestId, "user.created", world.admin.id, ((await made.response.json()) as { id: string }).id);

    const client = await traced(r.createClient, { body: { name: "Audited job", scopes: ["reports:read"] }, jar: admin });
    const { client: created, clientSecret } = (await client.response.json()) as { client: { clientId: string }; clientSecret: string };
    expectEvent(client.requestId, "client.created", world.admin.id, created.clientId);
    const form = { "content-type": "application/x-www-form-urlencoded" };
    const issued = await traced(r.token, {
      method: "POST",
      body: "grant_type=client_credentials",
      headers: { ...form, authorization: basicAuth(created.clientId, clientSecret) },
    });
    expect(issued.response.status).toBe(200);
    expectEvent(issued.requestId, "client.token_issued", created.clientId, created.clientId);
    const refused = await traced(r.token, {
      method: "POST",
      body: "grant_type=client_credentials",
      headers: { ...form, authorization: basicAuth(created.clientId, "C".repeat(43)) },
    });
    expectEvent(refused.requestId, "client.auth_failed", null, created.clientId);
    const clientOff = await traced(r.updateClient, { method: "PATCH", body: { disabled: true }, jar: admin, params: { id: created.clientId } });
    expectEvent(clientOff.requestId, "client.disabled", world.admin.id, created.clientId);

    for (const [requestId, type, actorId, targetId] of expectations) {
      const event = await eventOf(requestId, type);
      expect(event, type).toMatchObject({ ip: CLIENT_IP, userAgent: USER_AGENT, requestId });
      expect(event.actorId, `${type} actor`).toBe(actorId);
      if (targetId !== "*") expect(event.targetId, `${type} target`).toBe(targetId);
    }

    // No secret, password or token in any event, whatever its type.
    const log = JSON.stringify(await suite.kit.db.auditEvent.findMany());
    for (const secret of [PASSWORD, "a completely different phrase", clientSecret, world.userA.accessToken, world.userB.refreshToken.split(".")[1]!]) {
      expect(log).not.toContain(secret);
    }
  });

  it("neutralises a forged log line in the user agent", async () => {
    const { requestId } = await traced(suite.routes.login, {
      body: { email: world.userA.email, password: PASSWORD },
      // NEL (a line break to some viewers), an ANSI escape and DEL: what a header can carry.
      headers: { "user-agent": "Mozilla\u0085login.succeeded actor=admin\u001b[31m\u007f" },
    });
    const event = await eventOf(requestId, "login.succeeded");
    expect(event.userAgent).toBe("Mozilla login.succeeded actor=admin [31m ");
  });

  describe("failures anyone can cause at will", () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    async function failures(where: { type: string; targetId?: string }) {
      // The clock is frozen in some tests, so rows of one window share a timestamp: the address breaks the tie.
      return suite.kit.db.auditEvent.findMany({ where, orderBy: [{ createdAt: "asc" }, { ip: "asc" }] });
    }

    it("a flood of failed sign-ins from one address is one row with its count, not one row per request", async () => {
      const { recordAuditEvent } = await import("@/lib/audit");
      const context = { ip: CLIENT_IP, userAgent: USER_AGENT, requestId: "flood" };
      // Concurrently, as a guessing run sends them: they must meet on one row, not race to insert many.
      await Promise.all(Array.from({ length: 200 }, () => recordAuditEvent(suite.kit.db, context, { type: "login.failed", targetId: world.userA.id })));
      const rows = await failures({ type: "login.failed", targetId: world.userA.id });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ count: 200, ip: CLIENT_IP, requestId: "flood" });
      expect(rows[0]?.lastSeenAt?.getTime()).toBeGreaterThanOrEqual(rows[0]!.createdAt.getTime());
    });

    it("keeps failures from another address, against another account, or in the next window apart", async () => {
      const r = suite.routes;
      const wrong = (email: string, ip: string) =>
        traced(r.login, { body: { email, password: "not the password at all" }, headers: { "x-forwarded-for": `198.51.100.1, ${ip}` } });
      // Pinned inside one window, so the first three cannot straddle a window's edge.
      const start = Math.ceil(Date.now() / (AUDIT_AGGREGATION_WINDOW_SECONDS * 1000)) * AUDIT_AGGREGATION_WINDOW_SECONDS * 1000 + 1000;
      vi.useFakeTimers({ now: start, toFake: ["Date"] });
      await wrong(world.userA.email, CLIENT_IP);
      await wrong(world.userA.email, CLIENT_IP);
      await wrong(world.userA.email, "203.0.113.99");
      await wrong(world.userB.email, CLIENT_IP);
      vi.setSystemTime(start + AUDIT_AGGREGATION_WINDOW_SECONDS * 1000);
      await wrong(world.userA.email, CLIENT_IP);

      const againstA = await failures({ type: "login.failed", targetId: world.userA.id });
      expect(againstA.map((row) => [row.ip, row.count])).toEqual([
        [CLIENT_IP, 2],
        ["203.0.113.99", 1],
        [CLIENT_IP, 1],
      ]);
      expect((await failures({ type: "login.failed", targetId: world.userB.id })).map((row) => row.count)).toEqual([1]);
    });

    it("records an event that happens once by nature (a successful sign-in) as a row of its own every time", async () => {
      const r = suite.routes;
      await traced(r.login, { body: { email: world.userA.email, password: PASSWORD } });
      await traced(r.login, { body: { email: world.userA.email, password: PASSWORD } });
      const rows = await suite.kit.db.auditEvent.findMany({ where: { type: "login.succeeded", actorId: world.userA.id } });
      expect(rows).toHaveLength(2);
      expect(rows.every((row) => row.count === 1 && row.aggregationKey === null)).toBe(true);
    });

    it("shows the admin how often and when last, in the log's public fields", async () => {
      const { recordAuditEvent } = await import("@/lib/audit");
      const context = { ip: CLIENT_IP, userAgent: null, requestId: "shown" };
      for (let i = 0; i < 3; i++) await recordAuditEvent(suite.kit.db, context, { type: "client.auth_failed", targetId: "svc-unknown" });
      const response = await call(suite.routes.listAudit, { jar: world.admin.jar(), url: `${AUDIT}?type=client.auth_failed` });
      const page = AuditPage.parse(await response.json());
      expect(page.items).toHaveLength(1);
      expect(page.items[0]).toMatchObject({ count: 3, targetId: "svc-unknown" });
      expect(page.items[0]?.lastSeenAt).not.toBeNull();
    });
  });

  describe("reading the log", () => {
    beforeEach(async () => {
      const context = { ip: null, userAgent: null, requestId: "seeded" };
      const { recordAuditEvent } = await import("@/lib/audit");
      await recordAuditEvent(suite.kit.db, context, { type: "login.failed", targetId: world.userA.id });
      await recordAuditEvent(suite.kit.db, context, { type: "login.succeeded", actorId: world.userA.id, targetId: "s1" });
      await recordAuditEvent(suite.kit.db, context, { type: "login.succeeded", actorId: world.userB.id, targetId: "s2" });
    });

    async function read(query: string) {
      return call(suite.routes.listAudit, { jar: world.admin.jar(), url: `${AUDIT}${query}` });
    }

    it("filters by event type and by user as actor or target, newest first, with exactly the public fields", async () => {
      const byType = AuditPage.parse(await (await read("?type=login.succeeded")).json());
      expect(byType.total).toBe(2);
      expect(byType.items.map((event) => event.actorId)).toEqual([world.userB.id, world.userA.id]);
      const byUser = AuditPage.parse(await (await read(`?userId=${world.userA.id}`)).json());
      expect(byUser.items.map((event) => event.type).sort()).toEqual(["login.failed", "login.succeeded"]);
      const both = AuditPage.parse(await (await read(`?type=login.failed&userId=${world.userA.id}&limit=1`)).json());
      expect(both).toMatchObject({ total: 1, limit: 1 });
      const oldest = AuditPage.parse(await (await read("?order=asc&limit=1")).json());
      expect(oldest.items[0]?.type).toBe("client.created"); // written when the world was built
    });

    it.each(["type=not.an.event", "type=login.failed&type=logout", "userId=' OR 1=1 --", "limit=1000", "sort=type", "actorId=x"])(
      "refuses ?%s",
      async (query) => {
        expect((await read(`?${query}`)).status).toBe(400);
      },
    );

    it("is for admins only", async () => {
      const response = await call(suite.routes.listAudit, { jar: world.userA.jar(), url: AUDIT });
      expect(response.status).toBe(403);
      expect(await response.text()).not.toMatch(/audit:read|admin/);
    });
  });
});
