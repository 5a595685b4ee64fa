/**
 * Retention (lib/db/prune.ts): what grows without bound is deleted once no rule needs it, in
 * bounded batches, and nothing a live session or the reuse check needs goes with it. On PGlite and
 * Postgres; the million-row run on Postgres only.
 */
import { settleAfterResponse } from "@/lib/http/after-response";
import { afterEach, describe, expect, it, vi } from "vitest";
import { prune, type RetentionPolicy } from "@/lib/db/prune";
import { integrationSuite, signUpThenSignIn } from "../support/app";
import { databaseKinds } from "../support/databases";
import { call, CookieJar, type Handler } from "../support/http";
import { PASSWORD, uniqueEmail } from "../support/authz-world";
import { assertExactShape } from "../support/response-schemas";

const DAY = 86_400_000;
const CRON_SECRET = "s".repeat(40);
const POLICY: RetentionPolicy = { supersededTokenSeconds: 7 * 86_400, endedSessionDays: 30, auditDays: 400, batchSize: 100 };

afterEach(() => {
  vi.useRealTimers();
});

/** Move the clock to `seconds` after the real now. */
function travel(seconds: number) {
  vi.useRealTimers();
  vi.useFakeTimers({ now: Date.now() + seconds * 1000, toFake: ["Date"] });
}

const ago = (days: number) => new Date(Date.now() - days * DAY);

describe.each(databaseKinds())("retention on %s", (kind) => {
  const suite = integrationSuite(kind, { RATE_LIMIT_AUTH_MAX: "1000", RATE_LIMIT_MAIL_IP_MAX: "1000", CRON_SECRET });
  const db = () => suite.kit.db;

  /** Sign up (202: the account is made after the answer), then sign in, as a person does. */
  async function signUp() {
    const jar = new CookieJar();
    const email = uniqueEmail("kept");
    expect((await call(suite.routes.register, { body: { email, name: "Kept", password: PASSWORD } })).status).toBe(202);
    await settleAfterResponse();
    const response = await call(suite.routes.login, { body: { email, password: PASSWORD }, jar });
    expect(response.status).toBe(200);
    const { user } = (await response.json()) as { user: { id: string } };
    const session = await db().session.findFirstOrThrow({ where: { userId: user.id }, select: { id: true } });
    return { jar, userId: user.id, sessionId: session.id };
  }

  /** `count` superseded tokens in `sessionId`, rotated `daysAgo` days ago. */
  async function superseded(sessionId: string, count: number, daysAgo: number, prefix: string) {
    await db().refreshToken.createMany({
      data: Array.from({ length: count }, (_, i) => ({
        id: `${prefix}-${i}`,
        sessionId,
        secretHash: "x".repeat(64),
        createdAt: ago(daysAgo + 1),
        rotatedAt: ago(daysAgo),
      })),
    });
  }

  async function endedSession(userId: string, id: string, ended: { revokedDaysAgo?: number; idleDaysAgo?: number }, tokens: number) {
    await db().session.create({
      data: {
        id,
        userId,
        createdAt: ago(60),
        lastUsedAt: ago(50),
        idleExpiresAt: ended.idleDaysAgo === undefined ? ago(-5) : ago(ended.idleDaysAgo),
        absoluteExpiresAt: ago(-10),
        ...(ended.revokedDaysAgo === undefined ? {} : { revokedAt: ago(ended.revokedDaysAgo), revokedReason: "logout" }),
      },
    });
    await superseded(id, tokens, 40, `${id}-t`);
  }

  it("deletes ended sessions past retention with their tokens, superseded tokens past the idle lifetime, old audit rows and expired proofs, and nothing else", async () => {
    const live = await signUp();
    await superseded(live.sessionId, 250, 8, "old");
    await superseded(live.sessionId, 3, 1, "recent");
    await endedSession(live.userId, "revoked-long-ago", { revokedDaysAgo: 31 }, 120);
    await endedSession(live.userId, "idle-long-ago", { idleDaysAgo: 31 }, 5);
    await endedSession(live.userId, "revoked-lately", { revokedDaysAgo: 10 }, 0);
    await db().auditEvent.createMany({ data: Array.from({ length: 130 }, () => ({ type: "logout", createdAt: ago(401) })) });
    await db().auditEvent.create({ data: { type: "logout", createdAt: ago(399), requestId: "kept-audit" } });
    await db().spentProof.createMany({
      data: [
        { id: "spent-expired", purpose: "pending-link", expiresAt: ago(0.001) },
        { id: "spent-live", purpose: "pending-link", expiresAt: ago(-0.01) },
      ],
    });
    const auditBefore = await db().auditEvent.count();

    const report = await prune(db(), POLICY);

    expect(report.complete).toBe(true);
    expect(report.deleted.supersededTokens + report.deleted.endedSessionTokens).toBe(250 + 120 + 5);
    expect(report.deleted.endedSessions).toBe(2);
    expect(report.deleted.auditEvents).toBe(130);
    expect(report.deleted.spentProofs).toBe(1);
    // 375 tokens at 100 a batch cannot be one statement.
    expect(report.batches).toBeGreaterThanOrEqual(8);

    const tokens = await db().refreshToken.findMany({ where: { sessionId: live.sessionId }, select: { id: true, rotatedAt: true } });
    expect(tokens.filter((t) => t.id.startsWith("old-"))).toEqual([]);
    expect(tokens.filter((t) => t.id.startsWith("recent-"))).toHaveLength(3);
    expect(tokens.filter((t) => t.rotatedAt === null)).toHaveLength(1);
    expect((await db().session.findMany({ where: { userId: live.userId }, select: { id: true } })).map((s) => s.id).sort()).toEqual(
      [live.sessionId, "revoked-lately"].sort(),
    );
    expect(await db().auditEvent.count()).toBe(auditBefore - 130);
    expect(await db().auditEvent.count({ where: { requestId: "kept-audit" } })).toBe(1);
    expect((await db().spentProof.findMany({ select: { id: true } })).map((p) => p.id)).toEqual(["spent-live"]);
  });

  it("deletes mail sent, failed or held longer ago than ended sessions are kept, and never a message still waiting for its relay", async () => {
    const old = new Date(Date.now() - 31 * 86_400_000);
    const recent = new Date(Date.now() - 86_400_000);
    const message = (id: string, status: "QUEUED" | "SENT" | "HELD" | "FAILED", createdAt: Date) => ({
      id,
      to: "a@example.com",
      template: "password-changed",
      subject: "s",
      status,
      createdAt,
    });
    await db().mailMessage.createMany({
      data: [
        message("old-sent", "SENT", old),
        message("old-held", "HELD", old),
        message("old-failed", "FAILED", old),
        message("old-queued", "QUEUED", old),
        message("new-sent", "SENT", recent),
      ],
    });
    const report = await prune(db(), POLICY);
    expect(report.deleted.mailMessages).toBe(3);
    // Only this test's messages: the sign-ups of other tests leave their own confirmation links.
    const kept = await db().mailMessage.findMany({ where: { to: "a@example.com" }, select: { id: true }, orderBy: { id: "asc" } });
    expect(kept.map((m) => m.id)).toEqual(["new-sent", "old-queued"]);
  });

  it("deletes a mailed-link token once it has expired, and never one that can still be spent", async () => {
    const { userId } = await signUp();
    const token = (id: string, expiresAt: Date) => ({
      id,
      userId,
      purpose: "RESET_PASSWORD" as const,
      tokenHash: id.padEnd(64, "0"),
      email: "a@example.com",
      expiresAt,
    });
    await db().emailToken.createMany({
      data: [
        token("expired-a", new Date(Date.now() - 60_000)),
        token("expired-b", new Date(Date.now() - 86_400_000)),
        token("live", new Date(Date.now() + 60_000)),
      ],
    });
    const report = await prune(db(), POLICY);
    expect(report.deleted.emailTokens).toBe(2);
    expect((await db().emailToken.findMany({ where: { userId, purpose: "RESET_PASSWORD" }, select: { id: true } })).map((t) => t.id)).toEqual(["live"]);
  });

  it("deletes passkey challenges and pending sign-ins once they have expired, and never one a ceremony can still finish", async () => {
    const { userId } = await signUp();
    const challenge = (id: string, expiresAt: Date, owner: string | null) => ({
      id,
      purpose: owner === null ? "sign-in" : "step-up",
      userId: owner,
      boundTo: "b",
      expiresAt,
    });
    await db().passkeyChallenge.createMany({
      data: [
        challenge("challenge-expired-anonymous", new Date(Date.now() - 1_000), null),
        challenge("challenge-expired-user", new Date(Date.now() - 86_400_000), userId),
        challenge("challenge-live", new Date(Date.now() + 60_000), userId),
      ],
    });
    await db().pendingSignIn.createMany({
      data: [
        { id: "pending-expired", userId, firstFactor: "pwd", expiresAt: new Date(Date.now() - 1_000) },
        { id: "pending-live", userId, firstFactor: "pwd", expiresAt: new Date(Date.now() + 60_000) },
      ],
    });
    const report = await prune(db(), POLICY);
    expect(report.deleted.passkeyChallenges).toBe(2);
    expect(report.deleted.pendingSignIns).toBe(1);
    expect((await db().passkeyChallenge.findMany({ where: { boundTo: "b" }, select: { id: true } })).map((c) => c.id)).toEqual(["challenge-live"]);
    expect((await db().pendingSignIn.findMany({ where: { userId }, select: { id: true } })).map((p) => p.id)).toEqual(["pending-live"]);
  });

  it("after a prune a live session still refreshes, and a replayed token still revokes its whole family", async () => {
    const kept = await signUp();
    const victim = await signUp();
    const stolen = victim.jar.clone();
    expect((await call(suite.routes.refresh, { method: "POST", jar: victim.jar })).status).toBe(200);
    await superseded(kept.sessionId, 300, 9, "kept-old");
    await superseded(victim.sessionId, 300, 9, "victim-old");

    await prune(db(), POLICY);

    expect((await call(suite.routes.refresh, { method: "POST", jar: kept.jar })).status).toBe(200);
    expect((await call(suite.routes.me, { jar: kept.jar })).status).toBe(200);
    travel(11);
    expect((await call(suite.routes.refresh, { method: "POST", jar: stolen })).status).toBe(401);
    expect((await call(suite.routes.refresh, { method: "POST", jar: victim.jar })).status).toBe(401);
    expect(await db().auditEvent.count({ where: { type: "refresh.reuse_detected", actorId: victim.userId, targetId: victim.sessionId } })).toBe(1);
  });

  it("stops starting batches at its deadline, says it is incomplete, and the next run finishes", async () => {
    const live = await signUp();
    await superseded(live.sessionId, 250, 8, "deadline");
    const stopped = await prune(db(), POLICY, { deadline: Date.now() });
    expect(stopped).toMatchObject({ complete: false, batches: 0 });
    const finished = await prune(db(), POLICY);
    expect(finished.complete).toBe(true);
    expect(finished.deleted.supersededTokens).toBe(250);
  });

  describe("the scheduled route", () => {
    async function cron(authorization?: string) {
      const { GET } = await import("@/app/api/cron/prune/route");
      return call(GET as unknown as Handler, { headers: authorization === undefined ? {} : { authorization } });
    }

    it.each([
      ["no credential", undefined],
      ["a wrong secret", `Bearer ${"t".repeat(40)}`],
      ["the secret without its scheme", CRON_SECRET],
      ["the secret with one character more", `Bearer ${CRON_SECRET}x`],
    ])("refuses a caller with %s (401) and deletes nothing", async (_name, authorization) => {
      const live = await signUp();
      await superseded(live.sessionId, 5, 8, `refused-${String(authorization?.length)}`);
      const response = await cron(authorization);
      expect(response.status).toBe(401);
      expect(response.headers.get("content-type")).toContain("application/problem+json");
      expect(await db().refreshToken.count({ where: { sessionId: live.sessionId } })).toBe(6);
    });

    it("runs with the secret, answers what it deleted, and audits the run", async () => {
      const live = await signUp();
      await superseded(live.sessionId, 7, 8, "scheduled");
      const response = await cron(`Bearer ${CRON_SECRET}`);
      expect(response.status).toBe(200);
      await assertExactShape("GET /api/cron/prune", response);
      const report = (await response.json()) as { deleted: { supersededTokens: number }; complete: boolean };
      expect(report).toMatchObject({ complete: true });
      expect(report.deleted.supersededTokens).toBeGreaterThanOrEqual(7);
      expect(await db().refreshToken.count({ where: { sessionId: live.sessionId } })).toBe(1);
      const event = await db().auditEvent.findFirstOrThrow({ where: { type: "retention.pruned" }, orderBy: { createdAt: "desc" } });
      expect(event.details).toMatchObject({ complete: true });
    });
  });
});

describe.each(databaseKinds())("retention with no CRON_SECRET on %s", (kind) => {
  integrationSuite(kind);

  it("the scheduled route does not exist (404), whatever the caller sends", async () => {
    const { GET } = await import("@/app/api/cron/prune/route");
    const response = await call(GET as unknown as Handler, { headers: { authorization: "Bearer " } });
    expect(response.status).toBe(404);
  });
});

describe.runIf(databaseKinds().includes("postgres"))("retention at scale on postgres", () => {
  const suite = integrationSuite("postgres", { RATE_LIMIT_AUTH_MAX: "1000" });
  const SESSIONS = 10_000;
  const TOKENS_PER_SESSION = 100;

  /** Half the sessions ended 60 days ago; the other half are live with 99 superseded tokens a week old and one current. */
  async function seedMillionTokens(userId: string) {
    const db = suite.kit.db;
    // UTC throughout: the columns are timestamp without time zone, written by Prisma in UTC.
    await db.$executeRaw`
      INSERT INTO "Session" (id, "userId", "createdAt", "lastUsedAt", "idleExpiresAt", "absoluteExpiresAt", "revokedAt", "revokedReason")
      SELECT 'bulk-s-' || g, ${userId},
             (now() AT TIME ZONE 'UTC') - interval '70 days', (now() AT TIME ZONE 'UTC') - interval '60 days',
             CASE WHEN g <= ${SESSIONS / 2}::int THEN (now() AT TIME ZONE 'UTC') - interval '60 days' ELSE (now() AT TIME ZONE 'UTC') + interval '5 days' END,
             (now() AT TIME ZONE 'UTC') + interval '10 days',
             CASE WHEN g <= ${SESSIONS / 4}::int THEN (now() AT TIME ZONE 'UTC') - interval '60 days' END,
             CASE WHEN g <= ${SESSIONS / 4}::int THEN 'logout' END
      FROM generate_series(1, ${SESSIONS}::int) g`;
    // In slices, so no one statement runs into the pool's statement timeout.
    for (let from = 1; from <= SESSIONS; from += 1_000) {
      await db.$executeRaw`
        INSERT INTO "RefreshToken" (id, "sessionId", "secretHash", "createdAt", "rotatedAt")
        SELECT 'bulk-t-' || s || '-' || t, 'bulk-s-' || s, md5(s || '-' || t) || md5(t || '-' || s),
               (now() AT TIME ZONE 'UTC') - interval '9 days',
               CASE WHEN t < ${TOKENS_PER_SESSION}::int THEN (now() AT TIME ZONE 'UTC') - interval '8 days' END
        FROM generate_series(${from}::int, ${from + 999}::int) s, generate_series(1, ${TOKENS_PER_SESSION}::int) t`;
    }
  }

  it("a million refresh-token rows: the prune leaves only what live sessions need, they still refresh, and reuse detection still fires", async () => {
    const db = suite.kit.db;
    const jar = new CookieJar();
    expect((await signUpThenSignIn(suite.routes, { email: uniqueEmail("scale"), name: "Scale", password: PASSWORD }, { jar })).status).toBe(200);
    const victimJar = new CookieJar();
    const victim = await signUpThenSignIn(suite.routes, { email: uniqueEmail("victim"), name: "Victim", password: PASSWORD }, { jar: victimJar });
    const victimId = ((await victim.json()) as { user: { id: string } }).user.id;
    const stolen = victimJar.clone();
    expect((await call(suite.routes.refresh, { method: "POST", jar: victimJar })).status).toBe(200);

    await seedMillionTokens(victimId);
    const before = { tokens: await db.refreshToken.count(), sessions: await db.session.count() };
    expect(before.tokens).toBeGreaterThanOrEqual(SESSIONS * TOKENS_PER_SESSION);

    const report = await prune(db, { ...POLICY, batchSize: 5_000 });
    const after = { tokens: await db.refreshToken.count(), sessions: await db.session.count() };

    expect(report.complete).toBe(true);
    // Live bulk sessions keep exactly their current token; the two real sessions keep theirs
    // (and the victim's just-rotated predecessor, which the reuse check needs).
    expect(after.sessions).toBe(SESSIONS / 2 + 2);
    expect(after.tokens).toBe(SESSIONS / 2 + 3);
    expect(await db.refreshToken.count({ where: { sessionId: { startsWith: "bulk-s-" }, rotatedAt: null } })).toBe(SESSIONS / 2);

    expect((await call(suite.routes.refresh, { method: "POST", jar })).status).toBe(200);
    travel(11);
    expect((await call(suite.routes.refresh, { method: "POST", jar: stolen })).status).toBe(401);
    expect((await call(suite.routes.refresh, { method: "POST", jar: victimJar })).status).toBe(401);
    expect(await db.auditEvent.count({ where: { type: "refresh.reuse_detected", actorId: victimId } })).toBe(1);

    const deleted = before.tokens - after.tokens;
    process.stdout.write(
      `\nRetention at scale: ${before.tokens.toLocaleString("en")} token rows → ${after.tokens.toLocaleString("en")}, ` +
        `${before.sessions.toLocaleString("en")} sessions → ${after.sessions.toLocaleString("en")}; ` +
        `${report.batches} batches in ${(report.milliseconds / 1000).toFixed(1)} s (${Math.round(deleted / (report.milliseconds / 1000)).toLocaleString("en")} token rows/s)\n`,
    );
  }, 300_000);
});
