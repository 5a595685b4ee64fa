/**
 * Item 1, the auth overhead ladder: one trivial GET route served by the same production build,
 * with one more security layer on each rung, so each layer's cost is the difference between two
 * neighbours measured in the same run.
 *
 *   a  middleware off: its entry removed from a copy of the build's middleware manifest, so the
 *      route is served as if the matcher excluded it (the technique of bench/edge-overhead.ts)
 *   b  an empty middleware (BENCH_MIDDLEWARE_STEPS=none): Next.js's own cost of running one
 *   c  + request ID, client IP, CORS, CSRF, security headers with a fresh CSP nonce, body size
 *   d  + the rate limits, in-memory store
 *   e  + access-token verification and the gate: the production middleware, unmodified
 *   f  e with the Upstash store (the Upstash-protocol server in front of the real Redis)
 *
 * The route: `/api/bench/ping`, rewritten (in the bench's copies of the build only, through their
 * routes manifest) to the JWKS handler, which returns cached public keys. Being under /api/ and
 * not in the public table (lib/edge/routes.ts), it needs a valid access token at the edge, so
 * rung e does the full token check; every rung sends the same token. No production route or
 * config exists for the bench.
 *
 * The route touches no database, so PGlite or Postgres makes no difference here; the embedded
 * defaults are rungs a–e (in-memory limiter), the real services are rung f.
 */
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import Redis from "ioredis";
import { EDGE_DIST_DIR } from "../tests/support/edge-app-server";
import type { BenchApp, BenchContext } from "./context";
import { runLoad } from "./load";
import { fmt } from "./measure";
import { measureEdgeSteps, stepCost, tokenStepCosts } from "./edge-steps";
import { runMicro, type MicroResult } from "./micro";
import type { BenchSection, BenchTarget } from "./section";
import { addSegment, emptySample, figures, mirrored, showMicros, showRatio, spread, table, type Figures, type Sample } from "./stats";

const ROUTE = "/api/bench/ping";
const ROOT = path.resolve(import.meta.dirname, "..");

interface Rung {
  id: "a" | "b" | "c" | "d" | "e" | "f" | "f1";
  label: string;
  steps?: string;
  /** Other variables for this rung's instance (BENCH_RATE_LIMIT_CALLS). */
  env?: Record<string, string>;
  middleware: boolean;
  upstash?: boolean;
}

const RUNGS: Rung[] = [
  { id: "a", label: "middleware off (excluded by matcher)", middleware: false },
  { id: "b", label: "empty middleware", steps: "none", middleware: true },
  { id: "c", label: "+ headers, CSP nonce, CORS, CSRF", steps: "headers", middleware: true },
  { id: "d", label: "+ rate limits (in-memory store)", steps: "headers,rate-limit", middleware: true },
  { id: "e", label: "+ access-token verification (production middleware)", middleware: true },
  { id: "f", label: "e with the Upstash store (real Redis)", middleware: true, upstash: true },
  {
    id: "f1",
    label: "f asking the store once per tier, as before ADR 049",
    middleware: true,
    upstash: true,
    env: { BENCH_RATE_LIMIT_CALLS: "per-tier" },
  },
];

/** Copies of the build with the bench route added, one of them without its middleware. */
function prepareBuilds(): { on: string; off: string; remove(): void } {
  const on = `${EDGE_DIST_DIR}-ladder`;
  const off = `${EDGE_DIST_DIR}-ladder-off`;
  for (const dir of [on, off]) {
    rmSync(path.join(ROOT, dir), { recursive: true, force: true });
    // The build cache is for `next build` only; `next start` never reads it.
    cpSync(path.join(ROOT, EDGE_DIST_DIR), path.join(ROOT, dir), { recursive: true, filter: (source) => !source.endsWith(`${path.sep}cache`) });
    const routesPath = path.join(ROOT, dir, "routes-manifest.json");
    const routes = JSON.parse(readFileSync(routesPath, "utf8")) as { rewrites: { beforeFiles: unknown[] } };
    routes.rewrites.beforeFiles.push({ source: ROUTE, destination: "/.well-known/jwks.json", regex: `^${ROUTE}(?:/)?$` });
    writeFileSync(routesPath, JSON.stringify(routes));
  }
  const manifestPath = path.join(ROOT, off, "server", "middleware-manifest.json");
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { middleware: Record<string, unknown>; sortedMiddleware: string[] };
  manifest.middleware = {};
  manifest.sortedMiddleware = [];
  writeFileSync(manifestPath, JSON.stringify(manifest));
  // A middleware on the Node.js runtime is declared here instead.
  const functionsPath = path.join(ROOT, off, "server", "functions-config-manifest.json");
  if (existsSync(functionsPath)) {
    const functions = JSON.parse(readFileSync(functionsPath, "utf8")) as { functions: Record<string, unknown> };
    delete functions.functions["/_middleware"];
    writeFileSync(functionsPath, JSON.stringify(functions));
  }
  return {
    on,
    off,
    remove: () => [on, off].forEach((dir) => rmSync(path.join(ROOT, dir), { recursive: true, force: true })),
  };
}

interface Running {
  rung: Rung;
  app: BenchApp;
  token: string;
}

async function segment(
  ctx: BenchContext,
  running: Running,
  durationMs: number,
  concurrency: number,
): Promise<{ load: Awaited<ReturnType<typeof runLoad>>; cpu: number }> {
  const before = running.app.cpuMicros();
  const load = await runLoad({
    url: running.app.url,
    concurrency,
    durationMs,
    request: (_i, connection) => ({ path: ROUTE, headers: { authorization: `Bearer ${running.token}`, "x-forwarded-for": ctx.clientIp(connection) } }),
  });
  return { load, cpu: running.app.cpuMicros() - before };
}

function microTable(micro: MicroResult[]): string {
  // Each figure against node:crypto measured the same way (elapsed against elapsed, CPU against CPU).
  const node = (mode: MicroResult["mode"]) => micro.find((m) => m.key === "node" && m.mode === mode)?.micros ?? Number.NaN;
  return table(
    ["Operation", "This run", "÷ node:crypto verify"],
    micro.map((m) => [m.name, `${fmt(m.micros)} (${m.range})`, m.key === "argon2" ? "–" : (m.micros / node(m.mode)).toFixed(2)]),
  );
}

/**
 * Script calls Redis has served so far (`EVALSHA` and `EVAL`, from its own command statistics):
 * every rate-limit round trip of the Upstash store is one of them, so their growth over the rounds
 * divided by rung f's requests is the store's round trips per request, counted by the store itself.
 */
async function scriptCalls(redisUrl: string): Promise<number> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const stats = await redis.info("commandstats");
    let calls = 0;
    for (const match of stats.matchAll(/^cmdstat_(evalsha|eval):calls=(\d+)/gm)) calls += Number(match[2]);
    return calls;
  } finally {
    redis.disconnect();
  }
}

export async function run(ctx: BenchContext): Promise<BenchSection> {
  const concurrency = 8;
  // Short segments, many rounds: the machine's load drifts over seconds, and a round of twelve
  // one-second segments sees less of that drift than one of twelve longer ones.
  const rounds = 4;
  const segmentMs = Math.round(1000 * ctx.scale);
  const builds = prepareBuilds();
  ctx.defer(builds.remove);
  const upstash = await ctx.upstash();
  const rungs = RUNGS.filter((rung) => !rung.upstash || upstash !== null);

  ctx.log(`starting ${rungs.length} instances (rungs ${rungs.map((r) => r.id).join(" ")})…`);
  const running: Running[] = await Promise.all(
    rungs.map(async (rung) => {
      const app = await ctx.startApp({
        distDir: rung.middleware ? builds.on : builds.off,
        store: rung.upstash ? "upstash" : "memory",
        // Never refuse: every request does the limiter's full work, including the per-user tier.
        env: { RATE_LIMIT_USER_MAX: "1000000", ...(rung.steps === undefined ? {} : { BENCH_MIDDLEWARE_STEPS: rung.steps }), ...rung.env },
      });
      return { rung, app, token: await ctx.mintAccessToken(app.appUrl) };
    }),
  );
  // The rungs must differ the way they claim to: no CSP without the headers step, a 401 without
  // a token once the gate is on.
  for (const { rung, app } of running) {
    const bare = await fetch(`${app.url}${ROUTE}`, { headers: { "x-forwarded-for": ctx.clientIp(250) } });
    await bare.arrayBuffer();
    const gated = rung.id === "e" || rung.id === "f" || rung.id === "f1";
    const hasCsp = bare.headers.has("content-security-policy");
    if ((bare.status === 401) !== gated || hasCsp !== rung.id >= "c") {
      throw new Error(`rung ${rung.id} is not what it claims: status ${bare.status} without a token, CSP ${hasCsp}`);
    }
  }

  ctx.log("warming up…");
  for (const r of running) await segment(ctx, r, Math.round(1500 * ctx.scale), concurrency);

  const perRound: Map<Rung["id"], Figures>[] = [];
  const redisUrl = ctx.services.redisUrl;
  const callsBefore = redisUrl === null || upstash === null ? null : await scriptCalls(redisUrl);
  let upstashRequests = 0;
  let perTierRequests = 0;
  for (let round = 0; round < rounds; round++) {
    const samples = new Map<Rung["id"], Sample>(running.map((r) => [r.rung.id, emptySample()]));
    for (const r of mirrored(running)) {
      const { load, cpu } = await segment(ctx, r, segmentMs, concurrency);
      addSegment(samples.get(r.rung.id) as Sample, load, cpu);
    }
    upstashRequests += samples.get("f")?.requests ?? 0;
    perTierRequests += samples.get("f1")?.requests ?? 0;
    const result = new Map([...samples].map(([id, sample]) => [id, figures(sample)] as const));
    const errors = [...samples.values()].reduce((sum, s) => sum + s.errors, 0);
    if (errors > 0) throw new Error(`round ${round + 1}: ${errors} requests failed`);
    perRound.push(result);
    ctx.log(`round ${round + 1}: ${[...result].map(([id, f]) => `${id} ${f.rps.toFixed(0)}/s ${f.cpuPerRequest.toFixed(0)}µs`).join(", ")}`);
  }

  const ratio = (id: Rung["id"], base: Rung["id"], pick: (f: Figures) => number) =>
    spread(perRound.map((round) => pick(round.get(id) as Figures) / pick(round.get(base) as Figures)));
  const diff = (id: Rung["id"], base: Rung["id"]) =>
    spread(perRound.map((round) => (round.get(id) as Figures).cpuPerRequest - (round.get(base) as Figures).cpuPerRequest));
  const absolute = (id: Rung["id"], pick: (f: Figures) => number) => spread(perRound.map((round) => pick(round.get(id) as Figures))).median;

  const ladderRows = running.map(({ rung }) => [
    `(${rung.id}) ${rung.label}`,
    showRatio(ratio(rung.id, "a", (f) => f.rps)),
    showRatio(ratio(rung.id, "a", (f) => f.p50)),
    showRatio(ratio(rung.id, "a", (f) => f.p99)),
    showRatio(ratio(rung.id, "a", (f) => f.cpuPerRequest)),
    `${absolute(rung.id, (f) => f.rps).toFixed(0)}/s, ${absolute(rung.id, (f) => f.p50).toFixed(2)}/${absolute(rung.id, (f) => f.p99).toFixed(2)} ms, ${absolute(rung.id, (f) => f.cpuPerRequest).toFixed(0)} µs`,
  ]);
  const steps = [
    ["b − a: Next.js runs a middleware at all", diff("b", "a")],
    ["c − b: request ID, IP, CORS, CSRF, headers, CSP nonce", diff("c", "b")],
    ["d − c: rate limits, in-memory", diff("d", "c")],
    ["e − d: token verification and gate", diff("e", "d")],
    ...(running.some((r) => r.rung.id === "f") ? [["f − e: Upstash store instead of memory, one call a request", diff("f", "e")] as const] : []),
    ...(running.some((r) => r.rung.id === "f1") ? [["f1 − e: Upstash store, one call per tier (as before ADR 049)", diff("f1", "e")] as const] : []),
  ] as const;

  const storeCalls = callsBefore === null || redisUrl === null ? null : (await scriptCalls(redisUrl)) - callsBefore;
  // Rung f1 asks once per tier by construction (two tiers on this route); what is left is rung f's.
  const roundTripsPerRequest = storeCalls === null || upstashRequests === 0 ? null : (storeCalls - 2 * perTierRequests) / upstashRequests;

  for (const r of running) await r.app.stop();

  ctx.log("the middleware's steps, in-process…");
  const inProcess = await measureEdgeSteps(ctx);
  const inProcessSteps = [
    ["c − b: request ID, IP, CORS, CSRF, headers, CSP nonce", stepCost(inProcess, "c", "b")],
    ["d − c: rate limits, in-memory", stepCost(inProcess, "d", "c")],
    ...tokenStepCosts(inProcess),
    ["e − b: all our layers", stepCost(inProcess, "e", "b")],
  ] as const;

  ctx.log("micro-floors…");
  // Half the standalone script's call counts: the spread across batches stays small, and the
  // whole `npm run bench` has to fit in 15 minutes.
  const micro = await runMicro({ scale: ctx.scale / 2 });
  const pick = (key: MicroResult["key"], mode: MicroResult["mode"] = "sequential") => micro.find((m) => m.key === key && m.mode === mode)?.micros ?? Number.NaN;
  const oursCpu = pick("ours", "cpu") / pick("node", "cpu");
  const oursSequential = pick("ours") / pick("node");

  const tokenCheckServer = diff("e", "d");
  const tokenCheck = stepCost(inProcess, "e", "d");
  const tokenMiss = stepCost(inProcess, "e-miss", "d");
  const tokenUncached = stepCost(inProcess, "e-uncached", "d");
  const eVsB = ratio("e", "b", (f) => f.rps);
  const bVsA = ratio("b", "a", (f) => f.rps);
  // On a core shared with other tenants, requests per second follow their load from second to
  // second; what a dedicated core could serve is 1 ÷ CPU per request, which moves far less.
  const eVsBCapacity = ratio("b", "e", (f) => f.cpuPerRequest);
  const bVsACapacity = ratio("a", "b", (f) => f.cpuPerRequest);
  const upstashCost = running.some((r) => r.rung.id === "f") ? diff("f", "e") : null;
  const perTierCost = running.some((r) => r.rung.id === "f1") ? diff("f1", "e") : null;
  const cpu = (round: Map<Rung["id"], Figures>, id: Rung["id"]) => (round.get(id) as Figures).cpuPerRequest;
  const saving = perTierCost === null ? null : spread(perRound.map((round) => (cpu(round, "f1") - cpu(round, "e")) / (cpu(round, "f") - cpu(round, "e"))));
  const targets: BenchTarget[] = [
    {
      name: "Token check (rung e − d), CPU per request",
      target: "≤ 100 µs",
      measured: `${showMicros(tokenCheck)} in-process for a token the instance verified before (${(tokenCheck.median / pick("node", "cpu")).toFixed(2)}× this run's node:crypto verify); a token it has not seen: ${showMicros(tokenMiss)}; served, from /proc: ${showMicros(tokenCheckServer)}`,
      met: tokenCheck.median <= 100,
    },
    {
      name: "Our verifier ÷ node:crypto RS256 verify, CPU per call",
      target: "≤ 3×",
      measured: `${oursCpu.toFixed(2)}× (elapsed, one at a time: ${oursSequential.toFixed(2)}×)`,
      met: oursCpu <= 3,
    },
    {
      name: "Security layers on an empty middleware: rung e ÷ rung b throughput",
      target: "≥ 0.85",
      measured: `${showRatio(eVsBCapacity)} in capacity per core (1 ÷ server CPU per request); in requests per second: ${showRatio(eVsB)}`,
      met: eVsBCapacity.median >= 0.85,
    },
  ];

  if (upstashCost !== null) {
    targets.push({
      name: "Upstash store round trips per protected request (rung f: the global and user tiers), counted by Redis",
      target: "1",
      measured:
        roundTripsPerRequest === null
          ? "not counted"
          : `${roundTripsPerRequest.toFixed(3)} (${storeCalls} script calls over rungs f and f1, ${perTierRequests} f1 requests at 2 each, ${upstashRequests} f requests)`,
      met: roundTripsPerRequest === null ? null : roundTripsPerRequest <= 1.01,
    });
  }
  if (upstashCost !== null && saving !== null && perTierCost !== null) {
    targets.push({
      name: "The Upstash store's cost: one call per tier (f1 − e) ÷ one call a request (f − e), server CPU per request, same run",
      target: "≥ 3",
      measured: `${showRatio(saving)}: ${showMicros(perTierCost)} → ${showMicros(upstashCost)}`,
      met: saving.median >= 3,
    });
  }

  const markdown = [
    `\`GET ${ROUTE}\` (the JWKS handler behind a protected path), ${concurrency} keep-alive connections, ${rounds} rounds of ${running.map((r) => r.rung.id).join(" ")} then the reverse, ${(segmentMs / 1000).toFixed(1)} s a segment, after a warm-up. Ratios to rung (a), per round; median (min–max) over rounds. Server CPU from /proc (all its threads), divided by requests served. The absolute column is this run's median, for scale only.`,
    "",
    table(["Rung", "req/s ÷ a", "p50 ÷ a", "p99 ÷ a", "CPU/request ÷ a", "This run: req/s, p50/p99, CPU/request"], ladderRows),
    "",
    "What each layer adds, server CPU µs per request (difference within each round):",
    "",
    table(
      ["Step", "µs per request"],
      steps.map(([name, s]) => [name, showMicros(s)]),
    ),
    "",
    `Next.js's own middleware cost: rung b ÷ a ${showRatio(bVsACapacity)} in capacity per core, ${showRatio(bVsA)} in requests per second. Our layers on top of it: rung e ÷ b ${showRatio(eVsBCapacity)} in capacity, ${showRatio(eVsB)} in requests per second. (Capacity is 1 ÷ server CPU per request: what a core of its own would serve. Requests per second on a shared core also follow the other tenants' load, which is why their spread is wider.)`,
    "",
    `The same steps timed in-process (bench/edge-steps.ts: the real middleware on NextRequests, no server around it, 8 in flight, CPU per call, ${inProcess.length} A-B-B-A rounds). A served request's CPU moves by more than these differences from one second to the next on a shared machine; here only our code runs:`,
    "",
    table(
      ["Step", "CPU µs per request"],
      inProcessSteps.map(([name, s]) => [name, showMicros(s)]),
    ),
    "",
    `The production middleware keeps the tokens it has verified until they expire (ADR 050), so a client's repeated token costs a lookup: ${tokenCheck.median.toFixed(0)} µs. A token the instance has not seen (its first request there, or one evicted) costs ${tokenMiss.median.toFixed(0)} µs, the verification as before plus the lookup and the copy kept; the verifier alone, with no cache, ${tokenUncached.median.toFixed(0)} µs. Of that, the verifier itself is ${pick("ours", "cpu").toFixed(0)} µs of CPU (the micro-floors below, where Web Crypto alone is ${pick("subtle", "cpu").toFixed(0)} µs); the rest is Node's Web Crypto dispatch and the hand-off to and from its worker pool.`,
    "",
    "Micro-floors, in the load generator's process (its own core), same run:",
    "",
    microTable(micro),
  ].join("\n");

  return { title: "1. Auth overhead ladder", markdown, targets };
}
