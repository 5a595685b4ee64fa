/**
 * Each hot path next to its floor, in the same run: what the app's own functions cost against
 * the least work that does the same thing with no framework, so "how far from the floor" is a
 * ratio taken within one run instead of a guess.
 *
 * In this process, with no HTTP server: CPU time per operation (bench/measure.ts), after a
 * warm-up, in A-B-B-A rounds (bench/stats.ts). Ours is the `lib/` functions exactly as the route
 * handlers call them; the floor is raw parameterised SQL (a `pg.Pool` of the same size, or the
 * PGlite instance's own `query`) and `node:crypto`: the same reads and writes in one statement
 * per path, and the same claims signed with RS256.
 *
 * - Refresh: `rotateRefreshToken` then `signAccessToken` (app/api/auth/refresh, minus HTTP); each
 *   operation presents the token the previous one produced.
 * - Sign-in: its session work after the password check (`revokeEmailTokens`,
 *   `noticeNewSignIn`, `createSession`, `recordAuditEvent`, `signAccessToken`), and the whole
 *   `signIn` with its argon2id verification and limits, next to argon2id alone: argon2's share.
 * - The per-request session check: `liveSessionRole` (lib/auth/guards.ts, every API call).
 * - For scale, our token verifier against node:crypto's RS256 verify, from bench/micro.ts.
 *
 * On Postgres the database server's CPU is its own process and not counted; PGlite runs in this
 * process, so its engine's work counts on both sides.
 */
import { createHash, createPrivateKey, randomBytes, randomUUID, sign, timingSafeEqual } from "node:crypto";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
// The floor's argon2id is the library's own call: no limiter, no audit, nothing of ours around it.
import { verify as argon2Verify } from "@node-rs/argon2";
import pg from "pg";
import { neutralise, recordAuditEvent, type AuditContext } from "../lib/audit";
import { getKeyStore } from "../lib/auth/keys";
import { hashPassword } from "../lib/auth/password-hash";
import { createSession, liveSessionRole, rotateRefreshToken, type SessionGrant } from "../lib/auth/sessions";
import { signIn } from "../lib/auth/sign-in";
import { ACCESS_TOKEN_TYP, APP_CLIENT_ID, AUDIENCE, signAccessToken, verifyAccessToken } from "../lib/auth/tokens";
import { embeddedHandle, postgresHandle, type Db } from "../lib/db/client";
import type { Role } from "../lib/db/generated/client";
import { openEmbeddedDatabase } from "../lib/db/embedded";
import { loadMigrations, migrate, type SqlExecutor } from "../lib/db/migrate";
import { pgliteExecutor } from "../lib/db/sql-executor";
import { env } from "../lib/env";
import { revokeEmailTokens } from "../lib/users/email-tokens";
import { noticeNewSignIn } from "../lib/users/new-sign-in";
import { roleName, toPublicUser, type PublicUser } from "../lib/users/public-user";
import type { BenchContext } from "./context";
import { fmt } from "./measure";
import { runMicro } from "./micro";
import type { BenchSection, BenchTarget } from "./section";
import { cpuPerCallByRound, showMicros, showRatio, spread, table, type CpuPlan, type Spread } from "./stats";

const ROUNDS = 4;
// The app's default DATABASE_POOL_MAX; the floor's pool gets the same size.
const POOL_SIZE = 10;
const RATIO_TARGET = 2;
const ARGON2_SHARE_TARGET = 0.85;

type DatabaseName = "Postgres" | "PGlite";

interface Account {
  user: PublicUser;
  password: string;
  passwordHash: string;
}

/** One database, seen by both sides: the app's handle for ours, raw SQL for the floor. */
interface Fixture {
  name: DatabaseName;
  db: Db;
  sql: SqlExecutor;
  /** Ours and the floor each sign in as their own account, so each grows only its own rows. */
  ours: Account;
  floor: Account;
  close(): Promise<void>;
}

// ---- The floor: the same reads and writes in the fewest statements, and node:crypto ----------

const TOKEN_FORMAT = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

function newToken(): { id: string; secret: string; hash: string } {
  const secret = randomBytes(32).toString("base64url");
  return { id: randomBytes(16).toString("base64url"), secret, hash: createHash("sha256").update(secret).digest("hex") };
}

const inSeconds = (from: Date, seconds: number) => new Date(from.getTime() + seconds * 1000);

// Times go to the database as UTC text, which `timestamp(3)` stores as Prisma does, and every
// liveness test runs in SQL, so the floor parses no Date back.

// A refresh in one statement, atomic without BEGIN and COMMIT: only a right secret on a live
// session whose token still has rotatedAt NULL rotates it, inserts the successor and slides the
// session's idle expiry. The hash is compared again in constant time on the row that comes back.
const REFRESH = `
  WITH presented AS (
    SELECT rt.id, rt."secretHash", s.id AS "sessionId", s."absoluteExpiresAt", floor(extract(epoch FROM s."authTime"))::int AS "authTime", s.amr,
           u.id AS "userId", u.email, u.name, u.role, u."emailVerifiedAt" IS NOT NULL AS verified,
           (s."revokedAt" IS NULL AND s."idleExpiresAt" > $3::timestamp AND s."absoluteExpiresAt" > $3::timestamp AND u."disabledAt" IS NULL) AS live
    FROM "RefreshToken" rt JOIN "Session" s ON s.id = rt."sessionId" JOIN "User" u ON u.id = s."userId"
    WHERE rt.id = $1
  ), won AS (
    UPDATE "RefreshToken" rt SET "rotatedAt" = $3::timestamp, "successorId" = $4::text
    FROM presented p WHERE rt.id = p.id AND rt."rotatedAt" IS NULL AND p."secretHash" = $2 AND p.live
    RETURNING rt.id
  ), successor AS (
    INSERT INTO "RefreshToken" (id, "sessionId", "secretHash", "createdAt") SELECT $4::text, p."sessionId", $5::text, $3::timestamp FROM presented p, won
  ), touched AS (
    UPDATE "Session" s SET "lastUsedAt" = $3::timestamp, "idleExpiresAt" = LEAST($6::timestamp, p."absoluteExpiresAt")
    FROM presented p, won WHERE s.id = p."sessionId"
  )
  SELECT p."secretHash", p."sessionId", p."authTime", p.amr, p."userId", p.email, p.name, p.role, p.verified, EXISTS (SELECT 1 FROM won) AS rotated
  FROM presented p`;

// The account and whether a second factor stands behind its password, as the app reads them.
const SELECT_USER = `
  SELECT u.id, u.email, u.name, u.role, u."emailVerifiedAt" IS NOT NULL AS verified, u."passwordHash", u."disabledAt" IS NOT NULL AS disabled,
         EXISTS (SELECT 1 FROM "TotpFactor" f WHERE f."userId" = u.id AND f."confirmedAt" IS NOT NULL)
           OR EXISTS (SELECT 1 FROM "Passkey" k WHERE k."userId" = u.id) AS "secondFactor"
  FROM "User" u WHERE u.email = $1`;

// A sign-in's session work in one statement. Every part sees the rows as they were before it, so
// the checks compare with earlier sessions only, as the notice must. The second factor was read
// with the password hash, as the app reads it. The checks ask whether a row exists, not how many.
const SIGN_IN_SESSION = `
  WITH checks AS (
    SELECT EXISTS (SELECT 1 FROM "Session" WHERE "userId" = $1) AS seen,
           EXISTS (SELECT 1 FROM "Session" WHERE "userId" = $1 AND "userAgent" IS NOT DISTINCT FROM $3::text) AS "sameDevice",
           EXISTS (SELECT 1 FROM "Session" WHERE "userId" = $1 AND ip IS NOT DISTINCT FROM $4::text) AS "sameAddress"
  ), revoked AS (
    DELETE FROM "EmailToken" WHERE "userId" = $1 AND purpose = 'RESET_PASSWORD'
  ), opened AS (
    INSERT INTO "Session" (id, "userId", "userAgent", ip, "createdAt", "lastUsedAt", "idleExpiresAt", "absoluteExpiresAt", "authTime", amr)
    SELECT $2::text, $1, $3::text, $4::text, $5::timestamp, $5::timestamp, $6::timestamp, $7::timestamp, $5::timestamp, ARRAY['pwd']::text[]
    FROM checks
    RETURNING id
  ), first AS (
    INSERT INTO "RefreshToken" (id, "sessionId", "secretHash", "createdAt") SELECT $8::text, id, $9::text, $5::timestamp FROM opened
  ), audited AS (
    INSERT INTO "AuditEvent" (id, type, "actorId", "targetId", ip, "userAgent", "requestId")
    SELECT $10::text, 'login.succeeded', $1, id, $11::text, $12::text, $13::text FROM opened
  )
  SELECT * FROM checks`;

const SELECT_LIVE_ROLE = `
  SELECT u.role FROM "Session" s JOIN "User" u ON u.id = s."userId"
  WHERE s.id = $1 AND s."userId" = $2 AND s."revokedAt" IS NULL AND s."idleExpiresAt" > $3 AND s."absoluteExpiresAt" > $3 AND u."disabledAt" IS NULL`;

interface Claims {
  sub: string;
  role: PublicUser["role"];
  sid: string;
  authTime: number;
  amr: readonly string[];
}

/** An access token of the same claims as ours: one RS256 signature with a prepared key object. */
function floorSigner(privateKeyPem: string, kid: string): (claims: Claims) => string {
  const key = createPrivateKey(privateKeyPem);
  // The header never changes, so a hand-written signer encodes it once.
  const header = Buffer.from(JSON.stringify({ alg: "RS256", typ: ACCESS_TOKEN_TYP, kid })).toString("base64url");
  return (c) => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { role: c.role, sid: c.sid, client_id: APP_CLIENT_ID, auth_time: c.authTime, amr: c.amr, iss: env.APP_URL, aud: AUDIENCE, sub: c.sub };
    const payload = Buffer.from(JSON.stringify({ ...claims, jti: randomUUID(), iat: now, exp: now + env.ACCESS_TOKEN_TTL })).toString("base64url");
    const signingInput = `${header}.${payload}`;
    return `${signingInput}.${sign("RSA-SHA256", Buffer.from(signingInput), key).toString("base64url")}`;
  };
}

interface Floor {
  sql: SqlExecutor;
  sign(claims: Claims): string;
}

/** The floor's refresh: the successor token; throws unless the presented one was live and won. */
async function floorRefresh(floor: Floor, presented: string): Promise<string> {
  const parts = TOKEN_FORMAT.exec(presented);
  if (parts === null) throw new Error("floor refresh: malformed token");
  const presentedHash = createHash("sha256")
    .update(parts[2] as string)
    .digest();
  const now = new Date();
  const next = newToken();
  const [row] = await floor.sql.query<{ secretHash: string; sessionId: string; authTime: number; amr: string[]; userId: string; role: Role; rotated: boolean }>(
    REFRESH,
    [parts[1], presentedHash.toString("hex"), now.toISOString(), next.id, next.hash, inSeconds(now, env.SESSION_IDLE_TTL).toISOString()],
  );
  if (row === undefined || !timingSafeEqual(Buffer.from(row.secretHash, "hex"), presentedHash) || !row.rotated) throw new Error("floor refresh: token refused");
  floor.sign({ sub: row.userId, role: roleName(row.role), sid: row.sessionId, authTime: row.authTime, amr: row.amr });
  return `${next.id}.${next.secret}`;
}

/** The floor's session work after a right password: one statement and the signature. */
async function floorSessionWork(
  floor: Floor,
  user: PublicUser,
  context: AuditContext,
): Promise<{ sessionId: string; refreshToken: string; accessToken: string }> {
  const now = new Date();
  const absolute = inSeconds(now, env.SESSION_ABSOLUTE_TTL);
  const idle = inSeconds(now, Math.min(env.SESSION_IDLE_TTL, env.SESSION_ABSOLUTE_TTL));
  const sessionId = randomBytes(16).toString("base64url");
  const token = newToken();
  const [checks] = await floor.sql.query<{ seen: boolean; sameDevice: boolean; sameAddress: boolean }>(SIGN_IN_SESSION, [
    user.id,
    sessionId,
    context.userAgent?.slice(0, 512) ?? null,
    context.ip,
    now.toISOString(),
    idle.toISOString(),
    absolute.toISOString(),
    token.id,
    token.hash,
    randomUUID(),
    neutralise(context.ip, 64),
    neutralise(context.userAgent),
    neutralise(context.requestId, 64),
  ]);
  if (checks === undefined) throw new Error("floor sign-in: no checks");
  // Ours would queue a new-sign-in notice here; the floor sends no mail, so one must never be due.
  if (checks.seen && !(checks.sameDevice && checks.sameAddress)) throw new Error("floor sign-in: a new-sign-in notice would be due");
  const accessToken = floor.sign({ sub: user.id, role: user.role, sid: sessionId, authTime: Math.floor(now.getTime() / 1000), amr: ["pwd"] });
  return { sessionId, refreshToken: `${token.id}.${token.secret}`, accessToken };
}

/** The floor's whole sign-in: the account's row, one argon2id verification, the session work. */
async function floorSignIn(floor: Floor, email: string, password: string, context: AuditContext): Promise<void> {
  const [row] = await floor.sql.query<{
    id: string;
    email: string;
    name: string;
    role: Role;
    verified: boolean;
    passwordHash: string | null;
    disabled: boolean;
    secondFactor: boolean;
  }>(SELECT_USER, [email]);
  if (row === undefined || row.passwordHash === null || !(await argon2Verify(row.passwordHash, password)) || row.disabled) {
    throw new Error("floor sign-in: password refused");
  }
  if (row.secondFactor) throw new Error("floor sign-in: the account has a second factor");
  const user = { id: row.id, email: row.email, name: row.name, role: roleName(row.role), emailVerified: row.verified };
  await floorSessionWork(floor, user, context);
}

// ---- Ours: the app's functions, as the route handlers call them ------------------------------

/** The access token a sign-in or refresh answer carries (lib/auth/issue.ts), minus the cookie. */
function oursAccessToken(user: PublicUser, grant: SessionGrant): Promise<{ token: string }> {
  return signAccessToken({ sub: user.id, role: user.role, sid: grant.sessionId, authTime: Math.floor(grant.authTime.getTime() / 1000), amr: grant.amr });
}

/**
 * lib/auth/sign-in.ts after `attemptPassword` accepted the password of an account with no second
 * factor (which it read with the password hash).
 */
async function oursSessionWork(db: Db, user: PublicUser, context: AuditContext): Promise<string> {
  await revokeEmailTokens(db, user.id, ["RESET_PASSWORD"]);
  await noticeNewSignIn(db, user.id, "your password", context);
  const session = await createSession(db, user.id, context);
  await recordAuditEvent(db, context, { type: "login.succeeded", actorId: user.id, targetId: session.sessionId });
  await oursAccessToken(user, session);
  return session.refreshToken;
}

async function oursRefresh(db: Db, presented: string, context: AuditContext): Promise<string> {
  const outcome = await rotateRefreshToken(db, presented, context);
  if (outcome.kind !== "rotated") throw new Error(`ours refresh: ${outcome.kind}`);
  await oursAccessToken(toPublicUser(outcome.user), outcome.session);
  return outcome.session.refreshToken;
}

// ---- Fixtures -------------------------------------------------------------------------------

const INSERT_USER = `INSERT INTO "User" (id, email, name, "passwordHash", role, "emailVerifiedAt", "updatedAt") VALUES ($1, $2, $3, $4, 'USER', $5, $5)`;

/** Two confirmed accounts with a password and no second factor, written through `sql`. */
async function seedAccounts(sql: SqlExecutor): Promise<{ ours: Account; floor: Account }> {
  const account = async (side: string): Promise<Account> => {
    const password = randomBytes(18).toString("base64url");
    const passwordHash = await hashPassword(password);
    const user: PublicUser = {
      id: `bench${randomBytes(8).toString("hex")}`,
      email: `${side}-${randomBytes(4).toString("hex")}@bench.test`,
      name: side,
      role: "user",
      emailVerified: true,
    };
    await sql.query(INSERT_USER, [user.id, user.email, user.name, passwordHash, new Date().toISOString()]);
    return { user, password, passwordHash };
  };
  return { ours: await account("ours"), floor: await account("floor") };
}

async function postgresFixture(ctx: BenchContext): Promise<Fixture | null> {
  const database = await ctx.createPostgresDatabase();
  if (database === null) return null;
  const handle = postgresHandle(database.url, POOL_SIZE);
  const pool = new pg.Pool({ connectionString: database.url, max: POOL_SIZE });
  const sql: SqlExecutor = {
    query: async <R>(text: string, params: unknown[] = []) => (await pool.query(text, params)).rows as R[],
    exec: async (text: string) => void (await pool.query(text)),
  };
  const close = async () => {
    await Promise.all([handle.close(), pool.end()]);
    await database.drop();
  };
  try {
    return { name: "Postgres", db: handle.prisma, sql, ...(await seedAccounts(sql)), close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * PGlite: one process cannot open one data directory twice, and `embeddedHandle` keeps its
 * instance to itself. So the data is made once (migrated, both accounts seeded), copied while
 * closed, and ours runs on the app's handle over the original while the floor queries its own
 * instance over the copy: the same rows at the start, each side then writing only its own.
 */
async function pgliteFixture(ctx: BenchContext): Promise<Fixture> {
  const oursDir = mkdtempSync(path.join(tmpdir(), "palisade-hot-ours-"));
  const floorDir = mkdtempSync(path.join(tmpdir(), "palisade-hot-floor-"));
  ctx.defer(() => {
    for (const dir of [oursDir, floorDir]) rmSync(dir, { recursive: true, force: true });
  });
  const seeding = await openEmbeddedDatabase(oursDir);
  let accounts: { ours: Account; floor: Account };
  try {
    await migrate(pgliteExecutor(seeding.db), await loadMigrations());
    accounts = await seedAccounts(pgliteExecutor(seeding.db));
  } finally {
    await seeding.close();
  }
  cpSync(path.join(oursDir, "pglite"), path.join(floorDir, "pglite"), { recursive: true });
  const handle = await embeddedHandle(oursDir);
  const floorDb = await openEmbeddedDatabase(floorDir);
  return {
    name: "PGlite",
    db: handle.prisma,
    sql: pgliteExecutor(floorDb.db),
    ...accounts,
    close: async () => void (await Promise.all([handle.close(), floorDb.close()])),
  };
}

// ---- Measuring ------------------------------------------------------------------------------

interface Comparison {
  path: string;
  ours: number[];
  floor: number[];
}

interface DatabaseRun {
  name: DatabaseName;
  refresh: Comparison;
  sessionWork: Comparison;
  sessionCheck: Comparison;
  signIn: Comparison;
  argon2: number[];
}

const perRound = (a: number[], b: number[]) => a.map((value, i) => value / (b[i] as number));

async function measureDatabase(
  ctx: BenchContext,
  fixture: Fixture,
  floor: Floor,
  context: AuditContext,
  size: (count: number, least: number) => number,
): Promise<DatabaseRun> {
  const { db, ours, floor: floorAccount } = fixture;
  // The warm-up does not shrink with BENCH_SCALE: a statement's CPU keeps falling for the first
  // few hundred calls (JIT), and a cold path would inflate whichever side it belongs to.
  const plan = (perSegment: number, warmup: number): CpuPlan => ({ rounds: ROUNDS, perSegment, warmup });
  const compare = async (
    label: string,
    variants: { ours(): Promise<unknown>; floor(): Promise<unknown> },
    perSegment: number,
    warmup: number,
  ): Promise<Comparison> => {
    ctx.log(`hot-paths: ${fixture.name}, ${label}`);
    const byRound = await cpuPerCallByRound(variants, plan(perSegment, warmup));
    return { path: label, ...byRound };
  };

  // Each side has a live session of its own to check and a refresh chain of its own to carry on.
  const oursSession = await createSession(db, ours.user.id, context);
  const floorSession = await floorSessionWork(floor, floorAccount.user, context);
  let oursChain = oursSession.refreshToken;
  let floorChain = floorSession.refreshToken;

  const sessionCheck = await compare(
    "session check",
    {
      ours: async () => {
        if ((await liveSessionRole(db, oursSession.sessionId, ours.user.id)) === null) throw new Error("ours session check: refused a live session");
      },
      floor: async () => {
        const rows = await floor.sql.query<{ role: Role }>(SELECT_LIVE_ROLE, [floorSession.sessionId, floorAccount.user.id, new Date().toISOString()]);
        if (rows[0] === undefined) throw new Error("floor session check: refused a live session");
      },
    },
    size(600, 100),
    1000,
  );
  const refresh = await compare(
    "refresh",
    {
      ours: async () => void (oursChain = await oursRefresh(db, oursChain, context)),
      floor: async () => void (floorChain = await floorRefresh(floor, floorChain)),
    },
    size(150, 30),
    300,
  );
  const sessionWork = await compare(
    "sign-in session work",
    { ours: () => oursSessionWork(db, ours.user, context), floor: () => floorSessionWork(floor, floorAccount.user, context) },
    size(60, 15),
    150,
  );

  ctx.log(`hot-paths: ${fixture.name}, whole sign-in and argon2id alone`);
  const whole = await cpuPerCallByRound(
    {
      ours: async () => {
        const response = await signIn(db, { email: ours.user.email, password: ours.password }, context);
        if (response.status !== 200) throw new Error(`ours sign-in answered ${response.status}`);
      },
      floor: () => floorSignIn(floor, floorAccount.user.email, floorAccount.password, context),
      argon2: async () => {
        if (!(await argon2Verify(ours.passwordHash, ours.password))) throw new Error("argon2id refused the password");
      },
    },
    plan(size(12, 4), 15),
  );
  return {
    name: fixture.name,
    sessionCheck,
    refresh,
    sessionWork,
    signIn: { path: "whole sign-in (argon2id included)", ours: whole.ours, floor: whole.floor },
    argon2: whole.argon2,
  };
}

/**
 * The floor must write rows the app accepts, and read the app's rows as the app does: on one
 * shared database, ours rotates a session the floor opened and the floor rotates one ours
 * opened; a floor token passes our verifier. Same device and address as the measured sign-ins,
 * so neither side's first sign-in is a new one.
 */
async function crossCheck(fixture: Fixture, floor: Floor, context: AuditContext): Promise<void> {
  const floorOpened = await floorSessionWork(floor, fixture.floor.user, context);
  await verifyAccessToken(floorOpened.accessToken);
  await oursRefresh(fixture.db, floorOpened.refreshToken, context);
  await floorRefresh(floor, (await createSession(fixture.db, fixture.ours.user.id, context)).refreshToken);
}

// ---- Reporting ------------------------------------------------------------------------------

const ratioOf = (c: Comparison) => spread(perRound(c.ours, c.floor));
const sharePercent = (s: Spread) => `${(100 * s.median).toFixed(0)}% (${(100 * s.min).toFixed(0)}–${(100 * s.max).toFixed(0)})`;

function rows(run: DatabaseRun): string[][] {
  const comparisons = [run.refresh, run.sessionWork, run.sessionCheck, run.signIn];
  const lines = comparisons.map((c) => [`${run.name}: ${c.path}`, showMicros(spread(c.ours)), showMicros(spread(c.floor)), showRatio(ratioOf(c))]);
  const beyond = (side: number[]) => spread(side.map((value, i) => value - (run.argon2[i] as number)));
  lines.push([`${run.name}: whole sign-in − argon2id alone`, showMicros(beyond(run.signIn.ours)), showMicros(beyond(run.signIn.floor)), "–"]);
  return lines;
}

function targetsOf(run: DatabaseRun | null, name: DatabaseName, judged: boolean): BenchTarget[] {
  const ratioTarget = (label: string, pick: (r: DatabaseRun) => Comparison): BenchTarget => {
    if (run === null) return { name: `${label} ÷ floor, CPU (${name})`, target: `≤ ${RATIO_TARGET}`, measured: "not run (no Postgres)", met: null };
    const ratio = ratioOf(pick(run));
    return {
      name: `${label} ÷ floor, CPU (${name})`,
      target: `≤ ${RATIO_TARGET}`,
      measured: showRatio(ratio),
      met: judged ? ratio.median <= RATIO_TARGET : null,
    };
  };
  const targets = [
    ratioTarget("refresh", (r) => r.refresh),
    ratioTarget("sign-in session work", (r) => r.sessionWork),
    ratioTarget("session check", (r) => r.sessionCheck),
  ];
  const share = run === null ? null : spread(perRound(run.argon2, run.signIn.ours));
  targets.push({
    name: `argon2id share of sign-in CPU, in-process (${name})`,
    target: `≥ ${100 * ARGON2_SHARE_TARGET}%`,
    measured: share === null ? "not run (no Postgres)" : sharePercent(share),
    met: share === null || !judged ? null : share.median >= ARGON2_SHARE_TARGET,
  });
  return targets;
}

export async function run(ctx: BenchContext): Promise<BenchSection> {
  const size = (count: number, least: number) => Math.max(least, Math.round(count * ctx.scale));
  // lib/env.ts was validated when bench/context.ts first imported the app, before this module
  // could set a variable, so the run's signing key goes into the live configuration (and back).
  const configuredKey = env.JWT_PRIVATE_KEY;
  env.JWT_PRIVATE_KEY = ctx.keys.privateKeyPem;
  const context: AuditContext = { ip: ctx.clientIp(7), userAgent: "Mozilla/5.0 (X11; Linux x86_64) palisade-bench", requestId: "bench-hot-paths" };
  const runs: DatabaseRun[] = [];
  try {
    const signer = floorSigner(ctx.keys.privateKeyPem, (await getKeyStore()).signing.kid);
    for (const open of [() => postgresFixture(ctx), () => pgliteFixture(ctx)]) {
      const fixture = await open();
      if (fixture === null) continue;
      try {
        const floor: Floor = { sql: fixture.sql, sign: signer };
        if (fixture.name === "Postgres") await crossCheck(fixture, floor, context);
        runs.push(await measureDatabase(ctx, fixture, floor, context, size));
      } finally {
        await fixture.close();
      }
    }
  } finally {
    env.JWT_PRIVATE_KEY = configuredKey;
  }

  ctx.log("hot-paths: token verification (bench/micro.ts)");
  const micro = await runMicro({ argon2: false, scale: ctx.scale });
  const cpuOf = (key: "ours" | "node") => micro.find((m) => m.key === key && m.mode === "cpu");
  const verifyRows = [cpuOf("ours"), cpuOf("node")].flatMap((m) => (m === undefined ? [] : [[m.name, fmt(m.micros), m.range]]));
  const ours = cpuOf("ours");
  const node = cpuOf("node");

  const postgresRun = runs.find((r) => r.name === "Postgres") ?? null;
  const pgliteRun = runs.find((r) => r.name === "PGlite") ?? null;
  const shareRows = runs.map((r) => [
    r.name,
    showMicros(spread(r.argon2)),
    showMicros(spread(r.signIn.ours)),
    sharePercent(spread(perRound(r.argon2, r.signIn.ours))),
    sharePercent(spread(perRound(r.argon2, r.signIn.floor))),
  ]);

  const markdown = [
    `Each path runs in the benchmark's own process, with no HTTP server, timed in CPU per operation over every thread (so argon2id and Web Crypto on the worker pool count); after a warm-up, ours and the floor alternate A-B-B-A for ${ROUNDS} rounds, and each figure is the median (min–max) over rounds, each ratio taken within its round.`,
    "Ours is the app's functions as the route handlers call them: `rotateRefreshToken` and `signAccessToken` for a refresh, each presenting the token the last one produced; `revokeEmailTokens`, `noticeNewSignIn`, `createSession`, `recordAuditEvent` and `signAccessToken` for a sign-in's session work (whether the account has a second factor is read with its password hash, before); `signIn` itself, with its argon2id check and its limits (in-memory store), for the whole sign-in; `liveSessionRole` for the check on every authenticated request.",
    `The floor does the same reads and writes in one parameterised statement per path through a \`pg.Pool\` of the same size (${POOL_SIZE}), or the PGlite instance's own \`query\`, and signs the same claims with one \`node:crypto\` RS256 signature from a prepared key: for a refresh, the token read with its session and user, the conditional rotation, the successor and the session's new expiry; for the session work, the checks, the reset-link delete, the session with its first token, and the audit row; for the check, the guard's SELECT; for the whole sign-in, also the account's SELECT and one argon2id verification.`,
    "Postgres's own CPU is not counted, while PGlite's engine runs in this process on both sides, which is why PGlite's ratios are shown and not judged; there, ours uses the app's handle on one data directory and the floor its own instance on a copy made before either opened (one process cannot open a directory twice), so both start from the same rows.",
    "A served request costs more than either: Next.js's routing and request handling, measured by the ladder's rung a on a route that does none of our work, is outside our code.",
    "",
    table(["Path", "Ours, CPU per op", "Floor", "Ours ÷ floor"], runs.flatMap(rows)),
    "",
    table(["Database", "argon2id verify alone", "Whole sign-in (ours)", "argon2id ÷ ours", "argon2id ÷ floor"], shareRows),
    "",
    "argon2id ÷ floor is the most argon2id's share can be while the rest of a sign-in is done at all.",
    "",
    `For scale, token verification from bench/micro.ts (CPU per call, 8 in flight): our verifier ÷ node:crypto = ${ours === undefined || node === undefined ? "not measured" : (ours.micros / node.micros).toFixed(2)}.`,
    "",
    table(["Verifier", "CPU per call", "Range over batches"], verifyRows),
  ].join("\n");

  // PGlite's ratios mix its engine's in-process CPU into both sides, so they are shown, not judged.
  const targets = [...targetsOf(postgresRun, "Postgres", true), ...targetsOf(pgliteRun, "PGlite", false)];
  return { title: "Hot paths next to their floors", markdown, targets };
}
