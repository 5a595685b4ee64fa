/**
 * Administration: listing and creating accounts, changing roles, disabling, and service clients,
 * on PGlite and Postgres. The threats: privilege escalation, sessions that outlive a demotion or a
 * disable, locking every admin out, and secrets or hashes leaking through admin views.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { databaseKinds } from "../support/databases";
import { call, type CookieJar } from "../support/http";
import { integrationSuite } from "../support/app";
import { PASSWORD, uniqueEmail, type World } from "../support/authz-world";
import { AdminUserSchema } from "@/lib/admin/users";
import { pageSchema } from "@/lib/http/query";
import { CreatedServiceClientSchema, PublicServiceClientSchema } from "@/lib/service-clients/clients";

const USERS = "http://localhost:3000/api/admin/users";
const CLIENTS = "http://localhost:3000/api/admin/clients";
const UserList = pageSchema(AdminUserSchema);

describe.each(databaseKinds())("administration on %s", (kind) => {
  const suite = integrationSuite(kind);
  let world: World;

  beforeEach(async () => {
    await suite.kit.reset();
    world = await suite.kit.build();
  });

  const admin = () => world.admin.jar();

  function patchUser(id: string, body: unknown, jar: CookieJar = admin()) {
    return call(suite.routes.updateUser, { method: "PATCH", body, jar, params: { id }, url: `${USERS}/${id}` });
  }

  async function userRow(id: string) {
    return suite.kit.db.user.findUniqueOrThrow({ where: { id }, select: { role: true, disabledAt: true, updatedAt: true } });
  }

  async function liveSessions(userId: string) {
    return suite.kit.db.session.count({ where: { userId, revokedAt: null } });
  }

  describe("listing accounts", () => {
    it("pages and sorts by name, email or creation time, with exactly the admin view's fields", async () => {
      const response = await call(suite.routes.listUsers, { jar: admin(), url: `${USERS}?sort=name&limit=2` });
      expect(response.status).toBe(200);
      const text = await response.clone().text();
      const page = UserList.parse(await response.json());
      expect(page).toMatchObject({ page: 1, limit: 2, total: 4 });
      expect(page.items.map((user) => user.name)).toEqual(["ada", "alice"]);
      expect(text).not.toMatch(/passwordHash|argon2|disabledAt/);
      const byEmail = UserList.parse(await (await call(suite.routes.listUsers, { jar: admin(), url: `${USERS}?sort=email&order=desc` })).json());
      expect(byEmail.items.map((user) => user.email)).toEqual([...byEmail.items.map((user) => user.email)].sort().reverse());
      expect(byEmail.items.find((user) => user.id === world.disabledUser.id)?.disabled).toBe(true);
    });

    it.each(["limit=101", "limit=0", "sort=role", "sort=password", "sort=created_at&sort=email", "order=random", "page=1.5", "role=admin"])(
      "refuses ?%s",
      async (query) => {
        const response = await call(suite.routes.listUsers, { jar: admin(), url: `${USERS}?${query}` });
        expect(response.status).toBe(400);
      },
    );
  });

  describe("changing roles", () => {
    it("promotes a user, ends every session they had, and records who did it", async () => {
      const bobPhone = world.userB.jar();
      const response = await patchUser(world.userB.id, { role: "admin" });
      expect(response.status).toBe(200);
      expect(AdminUserSchema.parse(await response.json())).toMatchObject({ id: world.userB.id, role: "admin", disabled: false });
      expect(await liveSessions(world.userB.id)).toBe(0);
      // The old session dies at once: not at the access token's expiry, and not at its next refresh.
      expect((await call(suite.routes.me, { jar: bobPhone })).status).toBe(401);
      expect((await call(suite.routes.refresh, { method: "POST", jar: world.userB.jar() })).status).toBe(401);
      const event = await suite.kit.db.auditEvent.findFirstOrThrow({ where: { type: "role.changed", targetId: world.userB.id } });
      expect(event).toMatchObject({ actorId: world.admin.id, details: { from: "user", to: "admin", sessionsRevoked: 1 } });
    });

    it("refuses to demote the last admin (409 problem+json) and changes nothing", async () => {
      const before = await userRow(world.admin.id);
      const response = await patchUser(world.admin.id, { role: "user" });
      expect(response.status).toBe(409);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expect(await response.json()).toMatchObject({ type: "/problems/last-admin", status: 409, requestId: expect.any(String) });
      expect(await userRow(world.admin.id)).toEqual(before);
      expect(await liveSessions(world.admin.id)).toBe(1);
      expect(await suite.kit.db.auditEvent.count({ where: { type: "role.changed" } })).toBe(0);
    });

    it("refuses to disable the last admin, and counts a disabled admin as no admin", async () => {
      const disabledAdmin = await suite.kit.db.user.create({
        data: { email: uniqueEmail("old-admin"), name: "Old Admin", role: "ADMIN", disabledAt: new Date() },
        select: { id: true },
      });
      expect((await patchUser(world.admin.id, { disabled: true })).status).toBe(409);
      expect((await patchUser(world.admin.id, { role: "user" })).status).toBe(409);
      expect((await userRow(world.admin.id)).disabledAt).toBeNull();
      // Demoting the disabled admin is fine: it was not holding the door open.
      expect((await patchUser(disabledAdmin.id, { role: "user" })).status).toBe(200);
    });

    it("lets an admin step down when another admin remains", async () => {
      expect((await patchUser(world.userB.id, { role: "admin" })).status).toBe(200);
      const response = await patchUser(world.admin.id, { role: "user" });
      expect(response.status).toBe(200);
      expect((await userRow(world.admin.id)).role).toBe("USER");
    });

    it("two admins demoting each other at the same moment leave exactly one admin", async () => {
      await suite.kit.db.user.update({ where: { id: world.userA.id }, data: { role: "ADMIN" } });
      const [first, second] = await Promise.all([
        patchUser(world.userA.id, { role: "user" }, world.admin.jar()),
        patchUser(world.admin.id, { role: "user" }, world.userA.jar()),
      ]);
      const statuses = [first.status, second.status].sort();
      // One wins. The other is refused: 409 if it got past its guard first, 401 if the winner had already ended its session.
      expect(statuses[0]).toBe(200);
      expect([401, 409]).toContain(statuses[1]);
      expect(await suite.kit.db.user.count({ where: { role: "ADMIN", disabledAt: null } })).toBe(1);
    });

    it.each([
      ["a service role", { role: "service" }],
      ["an upper-case role", { role: "ADMIN" }],
      ["a disabled flag as a string", { disabled: "true" }],
      ["nothing", {}],
      ["a password", { role: "user", password: "new password please" }],
      ["an email", { email: "taken@example.com" }],
    ])("refuses a change that sets %s, and changes nothing", async (_what, body) => {
      const before = await userRow(world.userB.id);
      expect((await patchUser(world.userB.id, body)).status).toBe(400);
      expect(await userRow(world.userB.id)).toEqual(before);
    });

    it("answers 404 for a well-formed id that names no user, and 400 for a malformed one", async () => {
      expect((await patchUser("cnouser000000000000000000", { role: "admin" })).status).toBe(404);
      expect((await patchUser("../../etc", { role: "admin" })).status).toBe(400);
    });
  });

  describe("disabling and enabling", () => {
    it("a disabled user loses every session at once and cannot sign in; enabling lets them sign in but revives nothing", async () => {
      const laptop = world.userA.jar();
      const response = await patchUser(world.userA.id, { disabled: true });
      expect(response.status).toBe(200);
      expect(AdminUserSchema.parse(await response.json()).disabled).toBe(true);
      expect((await call(suite.routes.me, { jar: laptop })).status).toBe(401);
      expect((await call(suite.routes.refresh, { method: "POST", jar: world.userA.jar() })).status).toBe(401);
      expect((await call(suite.routes.login, { body: { email: world.userA.email, password: PASSWORD } })).status).toBe(401);

      expect((await patchUser(world.userA.id, { disabled: false })).status).toBe(200);
      expect((await call(suite.routes.me, { jar: world.userA.jar() })).status).toBe(401);
      expect((await call(suite.routes.login, { body: { email: world.userA.email, password: PASSWORD } })).status).toBe(200);
      const types = (await suite.kit.db.auditEvent.findMany({ where: { targetId: world.userA.id }, orderBy: { createdAt: "asc" } })).map((e) => e.type);
      expect(types).toEqual(expect.arrayContaining(["account.disabled", "account.enabled"]));
    });

    it("records nothing and revokes nothing for a change that changes nothing", async () => {
      const response = await patchUser(world.userB.id, { role: "user", disabled: false });
      expect(response.status).toBe(200);
      expect(await liveSessions(world.userB.id)).toBe(1);
      expect(await suite.kit.db.auditEvent.count({ where: { targetId: world.userB.id } })).toBe(0);
    });
  });

  describe("creating accounts", () => {
    it("creates an admin when an admin asks, and records it; public registration still cannot", async () => {
      const email = uniqueEmail("made");
      const response = await call(suite.routes.createUser, { body: { email, name: "Made", password: PASSWORD, role: "admin" }, jar: admin(), url: USERS });
      expect(response.status).toBe(201);
      const created = AdminUserSchema.parse(await response.json());
      expect(created).toMatchObject({ email, role: "admin", disabled: false });
      expect(await suite.kit.db.auditEvent.count({ where: { type: "user.created", actorId: world.admin.id, targetId: created.id } })).toBe(1);

      const other = uniqueEmail("self");
      const register = await call(suite.routes.register, { body: { email: other, name: "Self", password: PASSWORD, role: "admin" } });
      expect(register.status).toBe(400);
      expect(await suite.kit.db.user.count({ where: { email: other } })).toBe(0);
    });

    it("defaults to a plain user, refuses a taken email (409) and a weak password (400)", async () => {
      const email = uniqueEmail("plain");
      const plain = await call(suite.routes.createUser, { body: { email, name: "Plain", password: PASSWORD }, jar: admin(), url: USERS });
      expect(AdminUserSchema.parse(await plain.json()).role).toBe("user");
      const taken = await call(suite.routes.createUser, { body: { email: email.toUpperCase(), name: "Again", password: PASSWORD }, jar: admin(), url: USERS });
      expect(taken.status).toBe(409);
      const weak = await call(suite.routes.createUser, {
        body: { email: uniqueEmail("weak"), name: "Weak", password: "passwordpassword" },
        jar: admin(),
        url: USERS,
      });
      expect(weak.status).toBe(400);
    });
  });

  describe("service clients", () => {
    it("shows a new client's secret exactly once, lists clients without it, and stores only its SHA-256", async () => {
      const response = await call(suite.routes.createClient, { body: { name: "  Nightly report ", scopes: ["reports:read"] }, jar: admin(), url: CLIENTS });
      expect(response.status).toBe(201);
      expect(response.headers.get("cache-control")).toBe("no-store");
      const created = CreatedServiceClientSchema.parse(await response.json());
      expect(created.client).toMatchObject({ name: "Nightly report", scopes: ["reports:read"], disabled: false });
      expect(created.clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);

      const list = await call(suite.routes.listClients, { jar: admin(), url: CLIENTS });
      const text = await list.clone().text();
      pageSchema(PublicServiceClientSchema).parse(await list.json());
      expect(text).not.toContain(created.clientSecret);
      expect(text).not.toMatch(/secret/i);

      const row = await suite.kit.db.serviceClient.findUniqueOrThrow({ where: { clientId: created.client.clientId } });
      expect(row.secretHash).toMatch(/^[0-9a-f]{64}$/);
      expect(row.secretHash).not.toContain(created.clientSecret);
      expect(row.createdById).toBe(world.admin.id);
      const event = await suite.kit.db.auditEvent.findFirstOrThrow({ where: { type: "client.created", targetId: created.client.clientId } });
      expect(JSON.stringify(event)).not.toContain(created.clientSecret);
      expect(JSON.stringify(event)).not.toContain(row.secretHash);
    });

    it.each([
      ["an unknown scope", { name: "x", scopes: ["admin"] }],
      ["no scope", { name: "x", scopes: [] }],
      ["a scope twice", { name: "x", scopes: ["reports:read", "reports:read"] }],
      ["scopes as a string", { name: "x", scopes: "reports:read" }],
      ["its own secret", { name: "x", scopes: ["reports:read"], clientSecret: "chosen-by-attacker" }],
      ["its own client id", { name: "x", scopes: ["reports:read"], clientId: "chosen" }],
    ])("refuses a client with %s, and creates nothing", async (_what, body) => {
      const before = await suite.kit.db.serviceClient.count();
      expect((await call(suite.routes.createClient, { body, jar: admin(), url: CLIENTS })).status).toBe(400);
      expect(await suite.kit.db.serviceClient.count()).toBe(before);
    });

    it("disabling a client stops its live token at once, and records it", async () => {
      const bearer = { authorization: `Bearer ${world.withScope.accessToken}` };
      const report = "http://localhost:3000/api/reports/notes";
      expect((await call(suite.routes.noteReport, { headers: bearer, url: report })).status).toBe(200);
      const id = world.withScope.clientId;
      const response = await call(suite.routes.updateClient, {
        method: "PATCH",
        body: { disabled: true },
        jar: admin(),
        params: { id },
        url: `${CLIENTS}/${id}`,
      });
      expect(PublicServiceClientSchema.parse(await response.json()).disabled).toBe(true);
      expect((await call(suite.routes.noteReport, { headers: bearer, url: report })).status).toBe(401);
      expect(await suite.kit.db.auditEvent.count({ where: { type: "client.disabled", actorId: world.admin.id, targetId: id } })).toBe(1);
    });
  });
});
