/**
 * Rate-limiter exactness under load, and the in-memory store's footprint under a flood (issue 9,
 * item 4).
 *
 * - Exactness: limit + k requests from one client address, all in flight at once, against one
 *   instance and against two instances sharing Redis (the Upstash store), and against one
 *   instance on the in-memory store. The algorithm is the sliding-window approximation
 *   (lib/edge/rate-limit/memory-store.ts, @upstash/ratelimit): a fresh key has no previous
 *   window, so within one window at most `limit` requests may pass, wherever they land. The
 *   Upstash store decides in one Lua script per request, atomically in Redis, and the memory
 *   store in one synchronous step, so the count allowed must be exactly the limit. Every answer
 *   must be 200 or 429: anything else is an error.
 * - Footprint: a flood of 1,000,000 distinct made-up keys (spoofed addresses, as a client could
 *   send where its address is wrongly trusted) into the in-memory store, in this process. Its
 *   bound is RATE_LIMIT_MEMORY_MAX_KEYS per tier (default 10,000), with least-recently-used
 *   eviction; the heap must stop growing at the bound. The same flood into a store whose bound
 *   is set to the flood's size shows what the bound saves.
 */
import { performance } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { DEFAULT_MEMORY_MAX_KEYS, MemoryRateLimitStore } from "../lib/edge/rate-limit/memory-store";
import type { TierPolicy } from "../lib/edge/rate-limit/policy";
import type { BenchApp, BenchContext } from "./context";
import { median } from "./measure";
import type { BenchSection, BenchTarget } from "./section";

const LIMIT = 50;
const EXTRA = 50;
const TRIALS = 3;
const FLOOD_KEYS = 1_000_000;
const CHECKPOINTS = [DEFAULT_MEMORY_MAX_KEYS, 100_000, FLOOD_KEYS];
// The public route the burst uses: only the global (per-address) tier counts it, and it reads no
// database, so the burst measures the limiter and not the handler.
const BURST_PATH = "/.well-known/jwks.json";

interface Trial {
  allowed: number;
  /** Answered while the store missed its deadline: counted by the instance alone (ADR 015), not by the shared algorithm. */
  failedOpen: number;
  limited: number;
  errors: number;
  /** The burst straddled a window boundary (the previous window then counts, weighted). */
  crossedWindow: boolean;
}

interface Scenario {
  name: string;
  targets: BenchApp[];
  trials: Trial[];
}

// What lib/edge/rate-limit/limiter.ts logs (at warn) for each request whose shared count a store
// outage skipped: let through uncounted, or counted in the instance's own memory (ADR 015).
const OUTAGE_LINE = /rate-limit store unavailable; (allowing \(fail open\)|counting in this instance \(fail over\))/g;
const failOpens = (targets: BenchApp[]) => targets.reduce((sum, app) => sum + (app.output().match(OUTAGE_LINE)?.length ?? 0), 0);

const windowIndex = (windowSeconds: number) => Math.floor(Date.now() / (windowSeconds * 1000));

/** LIMIT + EXTRA requests from `address`, all sent before any answer, spread round-robin over `targets`. */
async function burst(targets: BenchApp[], address: string, windowSeconds: number): Promise<Trial> {
  const before = windowIndex(windowSeconds);
  const openedBefore = failOpens(targets);
  const statuses = await Promise.all(
    Array.from({ length: LIMIT + EXTRA }, async (_, i) => {
      try {
        const response = await fetch(`${(targets[i % targets.length] as BenchApp).url}${BURST_PATH}`, { headers: { "x-forwarded-for": address } });
        await response.arrayBuffer();
        return response.status;
      } catch {
        return 0;
      }
    }),
  );
  // The instances' log lines arrive through a pipe: give the last ones a moment to land.
  await new Promise((resolve) => setTimeout(resolve, 300));
  return {
    allowed: statuses.filter((status) => status === 200).length,
    limited: statuses.filter((status) => status === 429).length,
    errors: statuses.filter((status) => status !== 200 && status !== 429).length,
    failedOpen: failOpens(targets) - openedBefore,
    crossedWindow: windowIndex(windowSeconds) !== before,
  };
}

/** `global.gc`, without needing node to be started with --expose-gc. */
function collector(): () => void {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  return () => {
    gc();
    gc();
  };
}

interface FloodResult {
  maxKeys: number;
  /** Heap used above the empty store's, in bytes, at each checkpoint. */
  heapAbove: number[];
  keysHeld: number;
  microsPerHit: number;
}

async function flood(maxKeys: number, gc: () => void): Promise<FloodResult> {
  const policy: TierPolicy = { name: "global", limit: 100, windowSeconds: 900, failMode: "open" };
  gc();
  const baseline = process.memoryUsage().heapUsed;
  let store: MemoryRateLimitStore | null = new MemoryRateLimitStore({ maxKeys });
  const heapAbove: number[] = [];
  const started = performance.now();
  let sent = 0;
  for (const checkpoint of CHECKPOINTS) {
    for (; sent < checkpoint; sent++) {
      // A distinct address per request: 10.0.0.0/8 holds 16.7 million of them.
      await store.hit(policy, `ip:10.${(sent >> 16) & 255}.${(sent >> 8) & 255}.${sent & 255}`);
    }
    gc();
    heapAbove.push(process.memoryUsage().heapUsed - baseline);
  }
  const microsPerHit = ((performance.now() - started) * 1000) / FLOOD_KEYS;
  const keysHeld = store.size("global");
  // Drop the store before the next flood measures its own baseline.
  store = null;
  return { maxKeys, heapAbove, keysHeld, microsPerHit };
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const counts = (trials: Trial[], pick: (trial: Trial) => number) => trials.map(pick).join(", ");

export async function run(ctx: BenchContext): Promise<BenchSection> {
  const windowSeconds = 900;
  // Warnings on, so every request a store outage let through is in the instance's output.
  const env = { RATE_LIMIT_GLOBAL_MAX: String(LIMIT), RATE_LIMIT_GLOBAL_WINDOW: String(windowSeconds), LOG_LEVEL: "warn" };
  const scenarios: Scenario[] = [];
  if (ctx.services.redisUrl !== null) {
    const [a, b] = await Promise.all([ctx.startApp({ store: "upstash", env }), ctx.startApp({ store: "upstash", env })]);
    scenarios.push({ name: "1 instance, Upstash store (Redis)", targets: [a as BenchApp], trials: [] });
    scenarios.push({ name: "2 instances sharing Redis, requests alternating", targets: [a as BenchApp, b as BenchApp], trials: [] });
  }
  const memory = await ctx.startApp({ store: "memory", env });
  scenarios.push({ name: "1 instance, in-memory store", targets: [memory], trials: [] });

  // Addresses 150-199 of this run's block are this module's alone: the other modules' requests go
  // through the same Redis, and a key they filled would make a burst here start over its limit.
  // Warm-up: compile the route and the limiter's paths, with addresses of their own.
  for (const [index, scenario] of scenarios.entries()) await burst(scenario.targets, ctx.clientIp(150 + index), windowSeconds);

  let address = 160;
  for (let trial = 0; trial < TRIALS; trial++) {
    for (const scenario of scenarios) {
      const result = await burst(scenario.targets, ctx.clientIp(address++), windowSeconds);
      scenario.trials.push(result);
      ctx.log(
        `rate-limit: ${scenario.name}: ${result.allowed} allowed (${result.failedOpen} failed open), ${result.limited} limited, ${result.errors} errors${result.crossedWindow ? " (crossed a window boundary)" : ""}`,
      );
    }
  }

  ctx.log(`rate-limit: flooding the in-memory store with ${FLOOD_KEYS.toLocaleString("en")} distinct keys`);
  const gc = collector();
  const bounded = await flood(DEFAULT_MEMORY_MAX_KEYS, gc);
  const unbounded = await flood(FLOOD_KEYS, gc);
  ctx.log(
    `rate-limit: bounded store ${bounded.heapAbove.map(mib).join(" → ")}, ${bounded.keysHeld} keys; unbounded ${unbounded.heapAbove.map(mib).join(" → ")}`,
  );

  // The bound a trial must respect: the limit, plus (if the burst straddled a boundary) a whole
  // window's worth from the previous window, which the approximation may weight back in.
  const boundOf = (trial: Trial) => (trial.crossedWindow ? 2 * LIMIT : LIMIT);
  const allTrials = scenarios.flatMap((scenario) => scenario.trials);
  const overAdmitted = allTrials.filter((trial) => trial.allowed - trial.failedOpen > boundOf(trial)).length;
  const failedOpen = allTrials.reduce((sum, trial) => sum + trial.failedOpen, 0);
  const errors = allTrials.reduce((sum, trial) => sum + trial.errors, 0);
  const rows = scenarios.map(
    (scenario) =>
      `| ${scenario.name} | ${LIMIT + EXTRA} | ${LIMIT} | ${counts(scenario.trials, (t) => t.allowed)} | ${counts(scenario.trials, (t) => t.failedOpen)} | ${counts(scenario.trials, (t) => t.limited)} | ${counts(scenario.trials, (t) => t.errors)} |`,
  );
  const floodRow = (label: string, result: FloodResult) =>
    `| ${label} | ${result.keysHeld.toLocaleString("en")} | ${result.heapAbove.map(mib).join(" | ")} | ${result.microsPerHit.toFixed(2)} µs |`;
  // Past the bound the store only replaces entries, so the heap between the 100,000th and the
  // 1,000,000th key must stay flat; 1 MiB of slack absorbs the collector's own noise.
  const growthAfterBound = (bounded.heapAbove[2] ?? 0) - (bounded.heapAbove[1] ?? 0);

  const markdown = [
    `${LIMIT + EXTRA} requests from one client address (\`X-Forwarded-For\` through one trusted hop), all in flight at once, to \`GET ${BURST_PATH}\` with \`RATE_LIMIT_GLOBAL_MAX=${LIMIT}\` per ${windowSeconds} s. Every trial uses an address no earlier request used, so its key has no previous window and the sliding window's bound is exactly the limit. ${TRIALS} trials each (allowed, per trial):`,
    "",
    "| Instances and store | Sent | Bound | Allowed | of which failed open | Refused (429) | Errors |",
    "|---|---|---|---|---|---|---|",
    ...rows,
    "",
    `"Failed open" counts requests for which the store missed its ${"`RATE_LIMIT_STORE_TIMEOUT_MS`"} deadline (1 s by default): the instance then counts the global tier in its own memory (ADR 015), so such a request is limited per instance rather than by the shared count. They are outages, reported as errors below, not admissions of the algorithm.`,
    "",
    `The in-memory store flooded with ${FLOOD_KEYS.toLocaleString("en")} distinct keys (one request each, spoofed addresses), in this process; heap in use above the empty store's, after a full collection, once ${CHECKPOINTS.map((n) => n.toLocaleString("en")).join(", ")} keys had been sent. The second row is the same flood with the bound raised to the flood's size, to show what the bound saves.`,
    "",
    `| Store | Keys held at the end | Heap after ${CHECKPOINTS.map((n) => n.toLocaleString("en")).join(" | after ")} | Time per hit |`,
    `|---|---|${CHECKPOINTS.map(() => "---|").join("")}---|`,
    floodRow(`bounded (RATE_LIMIT_MEMORY_MAX_KEYS=${DEFAULT_MEMORY_MAX_KEYS.toLocaleString("en")}, the default)`, bounded),
    floodRow(`bound raised to ${FLOOD_KEYS.toLocaleString("en")}`, unbounded),
    "",
    "Two instances on the in-memory store are not measured: each counts alone, so N instances allow N times the limit, as the README's Known limitations say.",
  ].join("\n");

  const targets: BenchTarget[] = [
    {
      name: `admissions beyond the sliding window's bound (limit ${LIMIT}, ${LIMIT + EXTRA} at once; 1 and 2 instances)`,
      target: "0",
      measured: `${overAdmitted} of ${allTrials.length} trials over the bound; allowed per trial median ${median(allTrials.map((t) => t.allowed))} (${Math.min(...allTrials.map((t) => t.allowed))}–${Math.max(...allTrials.map((t) => t.allowed))})`,
      met: overAdmitted === 0,
    },
    {
      name: "errors during the bursts (answers other than 200/429, and store deadlines missed)",
      target: "0",
      measured: `${errors} error answers, ${failedOpen} store deadlines missed (counted per instance)`,
      met: errors === 0 && failedOpen === 0,
    },
    {
      name: `in-memory store under ${FLOOD_KEYS.toLocaleString("en")} distinct keys`,
      target: `≤ ${DEFAULT_MEMORY_MAX_KEYS.toLocaleString("en")} keys, heap flat past the bound`,
      measured: `${bounded.keysHeld.toLocaleString("en")} keys, ${mib(bounded.heapAbove[2] ?? 0)} (${growthAfterBound >= 0 ? "+" : ""}${mib(growthAfterBound)} from 100,000 to 1,000,000 keys; ${mib(unbounded.heapAbove[2] ?? 0)} without the bound)`,
      met: bounded.keysHeld <= DEFAULT_MEMORY_MAX_KEYS && growthAfterBound < 2 ** 20,
    },
  ];
  await Promise.all(scenarios.flatMap((scenario) => scenario.targets).map((app) => app.stop()));
  return { title: "Rate-limiter exactness and the in-memory store under a flood", markdown, targets };
}
