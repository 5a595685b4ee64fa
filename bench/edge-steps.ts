/**
 * The edge middleware's own steps, timed in this process: the real `createMiddleware` from
 * middleware.ts, built once per ladder rung from the same BENCH_MIDDLEWARE_STEPS values the
 * servers use, called on real `NextRequest`s with the production verifier and the in-memory store.
 *
 * Why, next to the servers' /proc figures: a served request costs several milliseconds of CPU on
 * a shared 2-core machine, and that figure moves by more than 100 µs from one second to the next,
 * so the token check (rung e − d) drowns in it. Here only our code runs, and the difference
 * between two rungs is the cost of one layer, measured as CPU time (process.cpuUsage, every
 * thread, so crypto.subtle's worker-pool time counts) over thousands of calls, 8 in flight.
 */
import { NextRequest } from "next/server";
import { createMiddleware } from "../middleware";
import { parseEnv } from "../lib/env";
import { edgeConfigFrom } from "../lib/edge/config";
import { edgeLogger } from "../lib/edge/log";
import { MemoryRateLimitStore } from "../lib/edge/rate-limit/memory-store";
import { buildKeyStore } from "../lib/auth/keys";
import { issuer, verifyAccessToken } from "../lib/auth/tokens";
import type { BenchContext } from "./context";
import { mirrored, spread, type Spread } from "./stats";

export type StepRung = "b" | "c" | "d" | "e";
const STEPS: Record<StepRung, string | undefined> = { b: "none", c: "headers", d: "headers,rate-limit", e: undefined };

/** CPU µs per call of each rung, one map per A-B-B-A round. */
export async function measureEdgeSteps(ctx: BenchContext, rounds = 4): Promise<Map<StepRung, number>[]> {
  const keys = await buildKeyStore(ctx.keys.privateKeyPem);
  const token = await ctx.mintAccessToken(issuer());
  const middlewares = new Map(
    (Object.keys(STEPS) as StepRung[]).map((rung) => {
      const parsed = parseEnv({
        NODE_ENV: "production",
        APP_URL: "http://localhost:3000",
        TRUSTED_PROXY: "1",
        RATE_LIMIT_GLOBAL_MAX: "1000000",
        RATE_LIMIT_USER_MAX: "1000000",
        LOG_LEVEL: "error",
        BENCH_MIDDLEWARE_STEPS: STEPS[rung],
      });
      if (!parsed.ok) throw new Error(parsed.problems.join("; "));
      const middleware = createMiddleware({
        config: edgeConfigFrom(parsed.env),
        store: new MemoryRateLimitStore(),
        verifyToken: (presented) => verifyAccessToken(presented, keys),
        logger: (id) => edgeLogger(id, { level: "error" }),
      });
      return [rung, middleware] as const;
    }),
  );
  const calls = Math.max(200, Math.round(1000 * ctx.scale));
  const once = async (rung: StepRung, n: number): Promise<number> => {
    const middleware = middlewares.get(rung) as (request: NextRequest) => Promise<Response>;
    let started = 0;
    const worker = async () => {
      while (started < n) {
        const i = started++;
        const response = await middleware(
          new NextRequest("http://localhost:3000/api/bench/ping", { headers: { authorization: `Bearer ${token}`, "x-forwarded-for": ctx.clientIp(i % 64) } }),
        );
        if (response.status !== 200) throw new Error(`rung ${rung}: the middleware answered ${response.status}`);
      }
    };
    const before = process.cpuUsage();
    await Promise.all(Array.from({ length: 8 }, worker));
    const used = process.cpuUsage(before);
    return (used.user + used.system) / n;
  };
  const order = Object.keys(STEPS) as StepRung[];
  for (const rung of order) await once(rung, Math.round(calls / 3)); // warm-up
  const results: Map<StepRung, number>[] = [];
  for (let round = 0; round < rounds; round++) {
    const perRound = new Map<StepRung, number>(order.map((rung) => [rung, 0]));
    for (const rung of mirrored(order)) perRound.set(rung, (perRound.get(rung) as number) + (await once(rung, calls)) / 2);
    results.push(perRound);
  }
  return results;
}

/** The CPU one layer adds per call: rung `upper` − rung `lower`, within each round. */
export function stepCost(results: Map<StepRung, number>[], upper: StepRung, lower: StepRung): Spread {
  return spread(results.map((round) => (round.get(upper) as number) - (round.get(lower) as number)));
}
