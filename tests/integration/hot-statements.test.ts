/**
 * The hot statements sent without the ORM (lib/db/sql.ts, lib/auth/sessions.ts; ADR 048): a
 * session's times read back to the millisecond whatever the server's time zone, the per-request
 * check refuses every kind of dead session, and the ORM's raw call (used for a client the module
 * was not told about) gives the same answers as the driver. On PGlite and Postgres.
 */
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type * as SessionsModule from "@/lib/auth/sessions";
import type { Db } from "@/lib/db/client";
import { PrismaClient } from "@/lib/db/generated/client";
import { databaseKinds, provisionDatabase, useDatabase, type ProvisionedDatabase } from "../support/databases";

type Sessions = typeof SessionsModule;

const META = { ip: "203.0.113.9", userAgent: "hot-statements", requestId: "hot-statements" };
const HOUR = 3_600_000;

describe.each(databaseKinds())("hot statements on %s", (kind) => {
  let database: ProvisionedDatabase;
  let db: Db;
  let sessions: Sessions;
  let disconnect: () => Promise<void>;
  const zone = process.env.TZ;

  beforeAll(async () => {
    database = await provisionDatabase(kind);
    await useDatabase(database);
    const client = await import("@/lib/db/client");
    db = await client.getDb();
    disconnect = client.disconnectDb;
    sessions = await import("@/lib/auth/sessions");
  });
  afterEach(() => {
    process.env.TZ = zone;
  });
  afterAll(async () => {
    await disconnect();
    await database.drop();
    vi.unstubAllEnvs();
  });

  let n = 0;
  async function user(disabled = false) {
    n++;
    return db.user.create({
      data: { email: `hot-${n}@example.com`, name: "Hot", role: "ADMIN", ...(disabled ? { disabledAt: new Date() } : {}) },
      select: { id: true },
    });
  }

  // A driver that writes a Date in local time would shift every stored time by the zone's offset.
  for (const timeZone of ["Pacific/Auckland", "America/Los_Angeles"]) {
    it(`stores a session's times to the millisecond and carries them through a refresh, with the server in ${timeZone}`, async () => {
      process.env.TZ = timeZone;
      const { id } = await user();
      const opened = await sessions.createSession(db, id, META, { amr: ["pwd", "otp", "mfa"], secondFactor: true });
      const stored = await db.session.findUniqueOrThrow({ where: { id: opened.sessionId } });
      expect(stored.createdAt.getTime()).toBe(opened.authTime.getTime());
      expect(stored.authTime.getTime()).toBe(opened.authTime.getTime());
      expect(stored.secondFactorAt?.getTime()).toBe(opened.authTime.getTime());
      expect(stored.idleExpiresAt.getTime()).toBe(opened.refreshExpiresAt.getTime());
      expect(stored.amr).toEqual(["pwd", "otp", "mfa"]);

      const rotated = await sessions.rotateRefreshToken(db, opened.refreshToken, META);
      if (rotated.kind !== "rotated") throw new Error(`expected a rotation, got ${rotated.kind}`);
      const after = await db.session.findUniqueOrThrow({ where: { id: opened.sessionId } });
      expect(rotated.session.refreshExpiresAt.getTime()).toBe(after.idleExpiresAt.getTime());
      expect(rotated.session.authTime.getTime()).toBe(opened.authTime.getTime());
      expect(rotated.session.amr).toEqual(["pwd", "otp", "mfa"]);
      expect(Math.abs(after.lastUsedAt.getTime() - Date.now())).toBeLessThan(60_000);
      expect(rotated.user).toEqual({ id, email: `hot-${n}@example.com`, name: "Hot", role: "ADMIN", emailVerifiedAt: null });
    });

    it(`the per-request check sees a session that ended an hour ago as dead and one ending in an hour as live, with the server in ${timeZone}`, async () => {
      process.env.TZ = timeZone;
      const { id } = await user();
      const live = await sessions.createSession(db, id, META);
      const ended = await sessions.createSession(db, id, META);
      await db.session.update({ where: { id: live.sessionId }, data: { idleExpiresAt: new Date(Date.now() + HOUR) } });
      await db.session.update({ where: { id: ended.sessionId }, data: { idleExpiresAt: new Date(Date.now() - HOUR) } });
      expect(await sessions.liveSessionRole(db, live.sessionId, id)).toBe("ADMIN");
      expect(await sessions.liveSessionRole(db, ended.sessionId, id)).toBeNull();
      expect((await sessions.rotateRefreshToken(db, ended.refreshToken, META)).kind).toBe("invalid");
    });
  }

  it("the per-request check refuses a revoked session, another user's id, a disabled user and a session past its absolute expiry", async () => {
    const owner = await user();
    const other = await user();
    const revoked = await sessions.createSession(db, owner.id, META);
    await sessions.revokeOwnSession(db, owner.id, revoked.sessionId, "logout");
    const old = await sessions.createSession(db, owner.id, META);
    await db.session.update({ where: { id: old.sessionId }, data: { absoluteExpiresAt: new Date(Date.now() - 1000) } });
    const kept = await sessions.createSession(db, owner.id, META);
    const disabled = await user(true);
    const ofDisabled = await sessions.createSession(db, disabled.id, META);

    expect(await sessions.liveSessionRole(db, kept.sessionId, owner.id)).toBe("ADMIN");
    expect(await sessions.liveSessionRole(db, revoked.sessionId, owner.id)).toBeNull();
    expect(await sessions.liveSessionRole(db, old.sessionId, owner.id)).toBeNull();
    expect(await sessions.liveSessionRole(db, kept.sessionId, other.id)).toBeNull();
    expect(await sessions.liveSessionRole(db, ofDisabled.sessionId, disabled.id)).toBeNull();
    expect(await sessions.liveSessionRole(db, "no-such-session", owner.id)).toBeNull();
  });

  it("a refresh with the right id and a wrong secret changes nothing", async () => {
    const { id } = await user();
    const opened = await sessions.createSession(db, id, META);
    const [tokenId] = opened.refreshToken.split(".");
    const forged = `${tokenId}.${"A".repeat(43)}`;
    expect((await sessions.rotateRefreshToken(db, forged, META)).kind).toBe("invalid");
    const token = await db.refreshToken.findUniqueOrThrow({ where: { id: tokenId } });
    expect(token.rotatedAt).toBeNull();
    expect(await db.refreshToken.count({ where: { sessionId: opened.sessionId } })).toBe(1);
    expect((await sessions.rotateRefreshToken(db, opened.refreshToken, META)).kind).toBe("rotated");
  });

  it("audit events written in one millisecond list in the order they were written", async () => {
    const audit = await import("@/lib/audit");
    const { id } = await user();
    vi.useFakeTimers({ now: Date.now(), toFake: ["Date"] });
    try {
      for (const type of ["login.succeeded", "logout", "password.changed", "session.revoked", "logout_all"] as const) {
        await audit.recordAuditEvent(db, META, { type, actorId: id, targetId: id });
      }
    } finally {
      vi.useRealTimers();
    }
    const page = await audit.listAuditEvents(db, audit.AuditListQuerySchema.parse({ userId: id, order: "asc" }));
    expect(page.items.map((event) => event.type)).toEqual(["login.succeeded", "logout", "password.changed", "session.revoked", "logout_all"]);
    expect(new Set(page.items.map((event) => event.createdAt)).size).toBe(1);
  });

  it("a reset link revoked inside a transaction that fails is still there: the raw statement runs in the transaction", async () => {
    const tokens = await import("@/lib/users/email-tokens");
    const { id } = await user();
    await tokens.issueEmailToken(db, { userId: id, purpose: "RESET_PASSWORD", email: `hot-${n}@example.com` });
    await expect(
      db.$transaction(async (tx) => {
        expect(await tokens.revokeEmailTokens(tx, id, ["RESET_PASSWORD"])).toBe(1);
        throw new Error("the change this revocation belonged to failed");
      }),
    ).rejects.toThrow("failed");
    expect(await db.emailToken.count({ where: { userId: id, purpose: "RESET_PASSWORD" } })).toBe(1);
    expect(await tokens.revokeEmailTokens(db, id, ["VERIFY_EMAIL", "RESET_PASSWORD"])).toBe(1);
    expect(await db.emailToken.count({ where: { userId: id } })).toBe(0);
  });

  it("the credential lookup tells a confirmed authenticator or a passkey from an enrolment still waiting for its first code", async () => {
    const { checkCredentials } = await import("@/lib/auth/password-attempt");
    const { hashPassword } = await import("@/lib/auth/password-hash");
    const password = "a long enough password for this";
    const passwordHash = await hashPassword(password);
    const signIn = async (email: string) => {
      const result = await checkCredentials(db, { email, password });
      if (!result.ok) throw new Error(`${email}: the password was refused`);
      return result.secondFactor;
    };
    const withTotp = await user();
    const email = `hot-${n}@example.com`;
    await db.user.update({ where: { id: withTotp.id }, data: { passwordHash } });
    expect(await signIn(email)).toBe(false);
    await db.totpFactor.create({ data: { userId: withTotp.id, encryptedSecret: "v1.x.y.z" } });
    expect(await signIn(email)).toBe(false);
    await db.totpFactor.update({ where: { userId: withTotp.id }, data: { confirmedAt: new Date() } });
    expect(await signIn(email)).toBe(true);

    const withPasskey = await user();
    const passkeyEmail = `hot-${n}@example.com`;
    await db.user.update({ where: { id: withPasskey.id }, data: { passwordHash } });
    await db.passkey.create({ data: { userId: withPasskey.id, credentialId: `cred-${n}`, publicKey: "pk", deviceType: "multiDevice", name: "Laptop" } });
    expect(await signIn(passkeyEmail)).toBe(true);
  });

  it.skipIf(kind === "pglite")("a connection the server ends while idle neither stops the process nor fails the next statement", async () => {
    const { id } = await user();
    // A handle of its own that only ever sends raw statements: the ORM never connects, so nothing
    // but the handle itself listens to its pool.
    const { postgresHandle } = await import("@/lib/db/client");
    const handle = postgresHandle(database.url as string, 2);
    const raw = handle.prisma;
    const opened = await sessions.createSession(raw, id, META);
    expect(await sessions.liveSessionRole(raw, opened.sessionId, id)).toBe("ADMIN");
    const admin = new pg.Client({ connectionString: database.url as string });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ ended: boolean }>(
        "SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
      );
      expect(rows.length).toBeGreaterThan(0);
    } finally {
      await admin.end();
    }
    // Let the pool see the ended connections; an unheard error here would fail the whole run.
    await new Promise((resolve) => setTimeout(resolve, 100));
    try {
      expect(await sessions.liveSessionRole(raw, opened.sessionId, id)).toBe("ADMIN");
      expect((await sessions.rotateRefreshToken(raw, opened.refreshToken, META)).kind).toBe("rotated");
    } finally {
      await handle.close();
    }
  });

  it.skipIf(kind === "pglite")("the ORM's raw call gives the same answers as the driver for a client the module was not told about", async () => {
    process.env.TZ = "Pacific/Auckland";
    const detached = new PrismaClient({ adapter: new PrismaPg({ connectionString: database.url as string }) });
    try {
      const { id } = await user();
      const opened = await sessions.createSession(detached, id, META, { amr: ["fed"], secondFactor: false });
      const stored = await db.session.findUniqueOrThrow({ where: { id: opened.sessionId } });
      expect(stored.idleExpiresAt.getTime()).toBe(opened.refreshExpiresAt.getTime());
      expect(stored.amr).toEqual(["fed"]);
      expect(await sessions.liveSessionRole(detached, opened.sessionId, id)).toBe("ADMIN");
      const rotated = await sessions.rotateRefreshToken(detached, opened.refreshToken, META);
      expect(rotated.kind).toBe("rotated");
      if (rotated.kind !== "rotated") return;
      expect(rotated.session.authTime.getTime()).toBe(opened.authTime.getTime());
      // The raced token, now one link back, inside the grace window: an access token only.
      expect((await sessions.rotateRefreshToken(detached, opened.refreshToken, META)).kind).toBe("grace");
    } finally {
      await detached.$disconnect();
    }
  });
});
