/**
 * Token refresh under load, and the reuse race (issue 9, item 2), on a production build with a
 * real Postgres and the Upstash store in front of a real Redis.
 *
 * - Latency: 1, 8 and 32 connections, each rotating its own refresh chain (every request presents
 *   the token the previous answer set). A refresh is one database statement, so past the pool
 *   size (DATABASE_POOL_MAX) requests queue for a connection and p99 is expected to grow; the
 *   target (p99 ≤ 4 × p50) applies up to the pool size.
 * - The race: K connections present one refresh token at the same moment, 100 times. Exactly one
 *   may mint a successor every time (lib/auth/sessions.ts, ADR 006). Then the rules say when the
 *   family dies: with the 10 s grace window, the losers get an access token and no refresh
 *   token, the family lives on, and a later replay of the raced token (now two links back)
 *   revokes it; with no grace window, any loser is reuse and revokes the family at once.
 */
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { createSession, rotateRefreshToken } from "../lib/auth/sessions";
import { postgresHandle } from "../lib/db/client";
import { login, refresh, register, REFRESH_COOKIE, type ClientIdentity, type RefreshAnswer } from "../tests/support/auth-client";
import type { BenchApp, BenchContext } from "./context";
import { median, percentile } from "./measure";
import type { BenchSection, BenchTarget } from "./section";

const POOL_SIZE = 10;
const LEVELS = [1, 8, 32] as const;
// A-B-B-A across levels, so a drift in the machine's load does not favour one level.
const ROUND_ORDERS: readonly (readonly number[])[] = [LEVELS, [...LEVELS].reverse(), LEVELS];
// Enough answers per level for a p99 that is not just the slowest request.
const REQUESTS_PER_LEVEL: Readonly<Record<number, number>> = { 1: 100, 8: 160, 32: 320 };
const RACERS = 8;
const RACES = 100;
const STRICT_RACES = 20;
const RATIO_TARGET = 4;

interface Chain {
  identity: ClientIdentity;
  token: string;
}

interface LevelRun {
  concurrency: number;
  p50: number;
  p99: number;
  perSecond: number;
  failures: number;
  /** Failed answers by HTTP status (0: no answer). */
  failedStatuses: Record<number, number>;
  /** The server's CPU time per refresh (user + system, its whole process tree). */
  cpuMicros: number;
  /** The machine's 1-minute load average when the level finished: other tenants' share of the cores. */
  load: number;
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const spread = (values: number[], format: (value: number) => string) =>
  `${format(median(values))} (${format(Math.min(...values))}–${format(Math.max(...values))})`;

/** `count` tasks, at most `width` at a time, in order of index. */
async function inBatches<T>(count: number, width: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let start = 0; start < count; start += width) {
    results.push(...(await Promise.all(Array.from({ length: Math.min(width, count - start) }, (_, offset) => task(start + offset)))));
  }
  return results;
}

/** `requests` refreshes over `concurrency` chains, each connection carrying its own chain on. */
async function rotateChains(app: BenchApp, chains: Chain[], concurrency: number, requests: number): Promise<LevelRun> {
  const latencies: number[] = [];
  let failures = 0;
  const failedStatuses: Record<number, number> = {};
  let issued = 0;
  const started = performance.now();
  const cpuBefore = app.cpuMicros();
  await Promise.all(
    chains.slice(0, concurrency).map(async (chain) => {
      while (issued < requests) {
        issued++;
        const begin = performance.now();
        const answer = await refresh(app.url, chain.identity, chain.token);
        latencies.push(performance.now() - begin);
        if (answer.result === "rotated" && answer.refreshToken !== null) chain.token = answer.refreshToken;
        else {
          failures++;
          failedStatuses[answer.status] = (failedStatuses[answer.status] ?? 0) + 1;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuMicros = (app.cpuMicros() - cpuBefore) / latencies.length;
  return {
    concurrency,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    perSecond: latencies.length / seconds,
    failures,
    failedStatuses,
    cpuMicros,
    load: loadavg()[0] ?? 0,
  };
}

interface InProcess {
  rotateMicros: number;
  queryMicros: number;
}

/**
 * Where a refresh's server CPU goes: the rotation alone (lib/auth/sessions.ts: one SQL statement,
 * ADR 048), called in this process on the same database, and one simple ORM read
 * for scale. CPU time of this process per call, after a warm-up.
 */
async function rotationCpu(databaseUrl: string, userId: string): Promise<InProcess> {
  const handle = postgresHandle(databaseUrl, 2);
  const meta = { ip: null, userAgent: "bench", requestId: "bench-rotation-cpu" };
  try {
    let token = (await createSession(handle.prisma, userId, meta)).refreshToken;
    const perCall = async (count: number, call: () => Promise<void>) => {
      for (let i = 0; i < 20; i++) await call();
      const before = process.cpuUsage();
      for (let i = 0; i < count; i++) await call();
      const used = process.cpuUsage(before);
      return (used.user + used.system) / count;
    };
    const rotateMicros = await perCall(100, async () => {
      const outcome = await rotateRefreshToken(handle.prisma, token, meta);
      if (outcome.kind !== "rotated") throw new Error(`in-process rotation: ${outcome.kind}`);
      token = outcome.session.refreshToken;
    });
    const queryMicros = await perCall(100, async () => {
      await handle.prisma.session.findFirst({ where: { userId }, select: { id: true } });
    });
    return { rotateMicros, queryMicros };
  } finally {
    await handle.close();
  }
}

function mergeCounts(counts: Record<number, number>[]): Record<number, number> {
  const merged: Record<number, number> = {};
  for (const count of counts) for (const [status, n] of Object.entries(count)) merged[Number(status)] = (merged[Number(status)] ?? 0) + n;
  return merged;
}

/** Connections the app holds open to its database right now (its pool in use or idle). */
async function connectionsOf(admin: pg.Client, databaseUrl: string): Promise<number> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const { rows } = await admin.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1", [name]);
  return Number(rows[0]?.n ?? 0);
}

interface RaceTally {
  races: number;
  exactlyOneWinner: number;
  outcomes: Record<RefreshAnswer["result"], number>;
  /** Families whose end state matched the rules (see `checkFamilies`). */
  familiesAsRuled: number;
  /** Families holding more than the raced token and one successor right after a race: a second chain. */
  secondChains: number;
}

function emptyTally(): RaceTally {
  return {
    races: 0,
    exactlyOneWinner: 0,
    outcomes: { rotated: 0, grace: 0, reused: 0, invalid: 0, limited: 0, error: 0 },
    familiesAsRuled: 0,
    secondChains: 0,
  };
}

async function family(db: pg.Client, sid: string): Promise<{ tokens: number; revokedReason: string | null }> {
  const { rows } = await db.query<{ tokens: string; reason: string | null }>(
    `SELECT (SELECT count(*) FROM "RefreshToken" WHERE "sessionId" = $1) AS tokens, "revokedReason" AS reason FROM "Session" WHERE id = $1`,
    [sid],
  );
  return { tokens: Number(rows[0]?.tokens ?? 0), revokedReason: rows[0]?.reason ?? null };
}

/**
 * `races` races of RACERS concurrent refreshes of one fresh session's token on `app`. With a grace
 * window, the winner's chain then goes on one link and the raced token is replayed: that replay is
 * theft and must revoke the family. Without one, a family must end revoked exactly when some
 * loser was told "reused".
 */
async function race(app: BenchApp, db: pg.Client, identity: ClientIdentity, email: string, races: number, grace: boolean): Promise<RaceTally> {
  const tally = emptyTally();
  const sessions = await inBatches(races, 4, () => login(app.url, identity, email));
  for (const session of sessions) {
    const presented = session.jar.cookies.get(REFRESH_COOKIE) as string;
    const sid = await sessionOf(db, presented);
    const answers = await Promise.all(Array.from({ length: RACERS }, () => refresh(app.url, identity, presented)));
    tally.races++;
    for (const answer of answers) tally.outcomes[answer.result]++;
    const winners = answers.filter((answer) => answer.result === "rotated");
    if (winners.length === 1) tally.exactlyOneWinner++;
    const afterRace = await family(db, sid);
    if (afterRace.tokens > 2) tally.secondChains++;

    if (grace) {
      const next = await refresh(app.url, identity, winners[0]?.refreshToken ?? "");
      const replay = await refresh(app.url, identity, presented);
      const after = await refresh(app.url, identity, next.refreshToken ?? "");
      const end = await family(db, sid);
      const ruled = afterRace.revokedReason === null && next.result === "rotated" && replay.result === "reused" && after.result === "invalid";
      if (ruled && end.revokedReason === "reuse_detected") tally.familiesAsRuled++;
    } else {
      const reused = answers.some((answer) => answer.result === "reused");
      if (reused === (afterRace.revokedReason === "reuse_detected")) tally.familiesAsRuled++;
    }
  }
  return tally;
}

/** The session a refresh token belongs to, by the token's id half (the database keeps no secret). */
async function sessionOf(db: pg.Client, token: string): Promise<string> {
  const { rows } = await db.query<{ sid: string }>(`SELECT "sessionId" AS sid FROM "RefreshToken" WHERE id = $1`, [token.split(".")[0]]);
  return rows[0]?.sid ?? "";
}

function notJudged(reason: string): BenchSection {
  return {
    title: "Token refresh and the reuse race",
    markdown: `Skipped: ${reason}.`,
    targets: [
      { name: "refresh p99 ÷ p50, up to the pool size", target: `≤ ${RATIO_TARGET}`, measured: "not run", met: null },
      { name: "reuse race: exactly one winner", target: `${RACES} of ${RACES} races`, measured: "not run", met: null },
    ],
  };
}

export async function run(ctx: BenchContext): Promise<BenchSection> {
  if (ctx.services.postgresAdminUrl === null || ctx.services.redisUrl === null) return notJudged("needs Postgres and Redis");
  const limits = { RATE_LIMIT_REFRESH_MAX: "1000000", RATE_LIMIT_USER_MAX: "1000000", DATABASE_POOL_MAX: String(POOL_SIZE) };
  const app = await ctx.startApp({ database: "postgres", store: "upstash", env: limits });
  const databaseUrl = app.databaseUrl as string;
  // The same database, with no grace window: the rule under which a race itself revokes.
  const strict = await ctx.startApp({ database: { url: databaseUrl }, store: "upstash", env: { ...limits, REFRESH_REUSE_GRACE: "0" } });
  const db = new pg.Client({ connectionString: databaseUrl });
  const admin = new pg.Client({ connectionString: ctx.services.postgresAdminUrl });
  await Promise.all([db.connect(), admin.connect()]);
  ctx.defer(() => db.end());
  ctx.defer(() => admin.end());

  const maxLevel = Math.max(...LEVELS);
  ctx.log(`refresh: signing up ${maxLevel} users`);
  const users = await inBatches(maxLevel, 4, async (index) => {
    const identity = { appUrl: app.appUrl, address: ctx.clientIp(index + 1) };
    const user = await register(app.url, identity, `refresh-${index}-${ctx.clientIp(0)}@bench.test`);
    return { chain: { identity, token: user.jar.cookies.get(REFRESH_COOKIE) as string }, userId: user.userId };
  });
  const chains: Chain[] = users.map((user) => user.chain);
  // Warm-up: JIT, the pool's connections, the Upstash script cache.
  await rotateChains(app, chains, 8, Math.round(100 * ctx.scale) + 16);

  const runs: LevelRun[] = [];
  let peakConnections = 0;
  for (const [round, order] of ROUND_ORDERS.entries()) {
    for (const concurrency of order) {
      const sampler = setInterval(() => {
        void connectionsOf(admin, databaseUrl).then(
          (n) => (peakConnections = Math.max(peakConnections, n)),
          () => undefined,
        );
      }, 250);
      const result = await rotateChains(app, chains, concurrency, Math.max(concurrency * 4, Math.round((REQUESTS_PER_LEVEL[concurrency] ?? 200) * ctx.scale)));
      clearInterval(sampler);
      runs.push(result);
      ctx.log(
        `refresh: round ${round + 1}, ${concurrency} connections: p50 ${ms(result.p50)}, p99 ${ms(result.p99)}, ${result.perSecond.toFixed(0)}/s, ${ms(result.cpuMicros / 1000)} CPU each, ${result.failures} failed${result.failures > 0 ? ` (${JSON.stringify(result.failedStatuses)})` : ""}`,
      );
    }
  }

  ctx.log(`refresh: ${RACES} races of ${RACERS}, grace window 10 s`);
  const raceIdentity = { appUrl: app.appUrl, address: ctx.clientIp(200) };
  const racer = await register(app.url, raceIdentity, `racer-${ctx.clientIp(0)}@bench.test`);
  const graceTally = await race(app, db, raceIdentity, racer.email, RACES, true);
  ctx.log(`refresh: ${STRICT_RACES} races of ${RACERS}, no grace window`);
  const strictIdentity = { appUrl: strict.appUrl, address: ctx.clientIp(201) };
  const strictTally = await race(strict, db, strictIdentity, racer.email, STRICT_RACES, false);
  const inProcess = await rotationCpu(databaseUrl, users[0]?.userId as string);
  const serverCpu = median(runs.map((r) => r.cpuMicros));

  const rows = LEVELS.map((concurrency) => {
    const level = runs.filter((r) => r.concurrency === concurrency);
    const ratios = level.map((r) => r.p99 / r.p50);
    return {
      concurrency,
      ratios,
      line: `| ${concurrency}${concurrency > POOL_SIZE ? " (over the pool)" : ""} | ${spread(
        level.map((r) => r.p50),
        ms,
      )} | ${spread(
        level.map((r) => r.p99),
        ms,
      )} | ${spread(ratios, (v) => `×${v.toFixed(2)}`)} | ${spread(
        level.map((r) => r.perSecond),
        (v) => v.toFixed(0),
      )} | ${spread(
        level.map((r) => r.cpuMicros / 1000),
        ms,
      )} | ${spread(
        level.map((r) => r.load),
        (v) => v.toFixed(1),
      )} | ${level.reduce((sum, r) => sum + r.failures, 0)} |`,
    };
  });
  const withinPool = rows.filter((row) => row.concurrency <= POOL_SIZE);
  const tallyLine = (label: string, tally: RaceTally) =>
    `| ${label} | ${tally.races} | ${tally.exactlyOneWinner} | ${tally.outcomes.rotated} / ${tally.outcomes.grace} / ${tally.outcomes.reused} / ${tally.outcomes.invalid + tally.outcomes.limited + tally.outcomes.error} | ${tally.secondChains} | ${tally.familiesAsRuled} |`;

  const markdown = [
    `One instance (\`next start\`, pinned to the server core), a fresh Postgres database, the Upstash store in front of Redis. Database pool: **${POOL_SIZE} connections** per instance (\`DATABASE_POOL_MAX\`); at most ${peakConnections} connections to its database were seen open during the runs. Each connection rotates its own chain (${maxLevel} users, each request presents the token the previous answer set). ${ROUND_ORDERS.length} rounds in A-B-B-A order; median (min–max) over the rounds.`,
    "",
    "| Connections | p50 | p99 | p99 ÷ p50 | Refreshes/s | Server CPU per refresh | Machine load | Failed |",
    "|---|---|---|---|---|---|---|---|",
    ...rows.map((row) => row.line),
    "",
    "The CPU per refresh is the same at every level: the app does no extra work under concurrency. What grows is waiting, for the one server core and, past the pool, for a database connection; on a shared machine, a high load average also means other processes preempt the server core, which lengthens the tail at 1 connection most, where there is no queue to absorb it. Past the pool, a refresh that waits more than the pool's 5 s connection timeout is refused with 503 (counted under Failed).",
    "",
    `Where the server's CPU per refresh (median ${ms(serverCpu / 1000)}) goes: the rotation alone, called in the benchmark's process on the same database, costs ${ms(inProcess.rotateMicros / 1000)} of CPU; it is one SQL statement (the read, the conditional update that decides a race, the successor's insert and the session's new expiry: ADR 048), where one simple ORM read here costs ${ms(inProcess.queryMicros / 1000)}. Signing the access token is a few hundred microseconds more; the rest is Next.js's request handling and the middleware (the ladder's rungs a and e), and the store's round trip. bench/hot-paths.ts puts the rotation and the signature next to their floor. The latency grows with concurrency because one core serves every request: throughput is capped near 1 ÷ (CPU per refresh), and past that point requests queue.`,
    "",
    `The reuse race: ${RACERS} connections present one fresh session's refresh token at the same moment. With the 10 s grace window (ADR 006) the losers must get an access token and no refresh token, and the family lives on; the winner's chain then goes one link further and the raced token, now two links back, is replayed: that must revoke the family (\`reuse_detected\`), after which the live token is refused. With no grace window (\`REFRESH_REUSE_GRACE=0\`) a loser is reuse, and the family must end revoked exactly when some loser was told so.`,
    "",
    "| Rule | Races | Exactly one winner | Answers: rotated / grace / reused / other | Second chains | Families ended as the rules say |",
    "|---|---|---|---|---|---|",
    tallyLine("grace 10 s", graceTally),
    tallyLine("no grace", strictTally),
  ].join("\n");

  const ratioMedians = withinPool.map((row) => median(row.ratios));
  const targets: BenchTarget[] = [
    {
      name: `refresh p99 ÷ p50, up to the pool size (${withinPool.map((row) => row.concurrency).join(", ")} connections)`,
      target: `≤ ${RATIO_TARGET}`,
      measured: withinPool.map((row) => `${row.concurrency}: ${spread(row.ratios, (v) => `×${v.toFixed(2)}`)}`).join("; "),
      met: ratioMedians.every((ratio) => ratio <= RATIO_TARGET),
    },
    {
      name: "refresh errors up to the pool size",
      target: "0",
      measured: `${runs.reduce((sum, r) => sum + r.failures, 0)}${runs.some((r) => r.failures > 0) ? ` (by status: ${JSON.stringify(mergeCounts(runs.map((r) => r.failedStatuses)))}; by connections: ${LEVELS.map((c) => `${c}: ${runs.filter((r) => r.concurrency === c).reduce((sum, r) => sum + r.failures, 0)}`).join(", ")})` : ""}`,
      // Past the pool, a refresh that waits longer than the pool's 5 s connection timeout for a
      // connection is refused (lib/auth/sessions.ts): backpressure, reported but not judged.
      met: runs.filter((r) => r.concurrency <= POOL_SIZE).every((r) => r.failures === 0),
    },
    {
      name: `reuse race (${RACERS} at once): exactly one winner`,
      target: `every race (${RACES + STRICT_RACES})`,
      measured: `${graceTally.exactlyOneWinner + strictTally.exactlyOneWinner} of ${graceTally.races + strictTally.races}; ${graceTally.secondChains + strictTally.secondChains} second chains`,
      met:
        graceTally.exactlyOneWinner === graceTally.races &&
        strictTally.exactlyOneWinner === strictTally.races &&
        graceTally.secondChains + strictTally.secondChains === 0,
    },
    {
      name: "reuse race: the family ends revoked when the rules say so",
      target: `every race (${RACES + STRICT_RACES})`,
      measured: `${graceTally.familiesAsRuled + strictTally.familiesAsRuled} of ${graceTally.races + strictTally.races}`,
      met: graceTally.familiesAsRuled === graceTally.races && strictTally.familiesAsRuled === strictTally.races,
    },
  ];
  await Promise.all([app.stop(), strict.stop()]);
  return { title: "Token refresh and the reuse race", markdown, targets };
}
