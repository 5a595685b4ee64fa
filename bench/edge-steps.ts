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
 *
 * Rung e is the production middleware, whose verifier keeps the tokens it has verified
 * (lib/auth/verified-token-cache.ts), on one token sent again and again: what a signed-in client
 * costs after its first request to an instance. Two more rungs bound it: `e-miss`, every request
 * a token the cache does not hold (256 tokens in turn through a 32-entry cache, so each one
 * was evicted before it comes back), and `e-uncached`, the verifier alone, as before the cache.
 */
import { NextRequest } from "next/server";
import { createMiddleware } from "../middleware";
import { parseEnv } from "../lib/env";
import { edgeConfigFrom } from "../lib/edge/config";
import { edgeLogger } from "../lib/edge/log";
import { MemoryRateLimitStore } from "../lib/edge/rate-limit/memory-store";
import { buildKeyStore, type KeyStore } from "../lib/auth/keys";
import { issuer, verifyAccessToken, type AccessTokenClaims } from "../lib/auth/tokens";
import { verifiedTokenCache } from "../lib/auth/verified-token-cache";
import type { TokenVerifier } from "../lib/edge/token-gate";
import type { BenchContext } from "./context";
import { mirrored, spread, type Spread } from "./stats";

export type StepRung = "b" | "c" | "d" | "e" | "e-miss" | "e-uncached";
const STEPS: Record<StepRung, string | undefined> = {
  b: "none",
  c: "headers",
  d: "headers,rate-limit",
  e: undefined,
  "e-miss": undefined,
  "e-uncached": undefined,
};
/** Tokens `e-miss` sends in turn, and the bound of its cache: far fewer, so lookups miss. */
const MISS_TOKENS = 256;
const MISS_CACHE_ENTRIES = 32;
const IN_FLIGHT = 8;

/** What this measurement needs of the bench context; a quick run can pass just these. */
export type EdgeStepsContext = Pick<BenchContext, "keys" | "scale" | "clientIp" | "mintAccessToken">;

/** CPU µs per call of each rung, one map per A-B-B-A round. */
export async function measureEdgeSteps(ctx: EdgeStepsContext, rounds = 4): Promise<Map<StepRung, number>[]> {
  const keys = await buildKeyStore(ctx.keys.privateKeyPem);
  const token = await ctx.mintAccessToken(issuer());
  const missTokens = await Promise.all(Array.from({ length: MISS_TOKENS }, () => ctx.mintAccessToken(issuer())));
  // Counted, so a rung that stopped hitting (or missing) the cache fails the run instead of
  // reporting the wrong path's cost.
  const verifications = new Map<StepRung, number>();
  const counted =
    (rung: StepRung) =>
    (presented: string, store: KeyStore): Promise<AccessTokenClaims> => {
      verifications.set(rung, (verifications.get(rung) ?? 0) + 1);
      return verifyAccessToken(presented, store);
    };
  const verifierFor = (rung: StepRung): TokenVerifier => {
    if (rung === "e") return verifiedTokenCache({ keys: () => keys, verify: counted(rung) }).verify;
    if (rung === "e-miss") return verifiedTokenCache({ keys: () => keys, verify: counted(rung), maxEntries: MISS_CACHE_ENTRIES }).verify;
    // Rungs b to d never reach the gate.
    return (presented) => counted(rung)(presented, keys);
  };
  // One turn across every call, so a batch never starts over on tokens the last one left behind.
  let missTurn = 0;
  const tokenFor = (rung: StepRung): string => (rung === "e-miss" ? (missTokens[missTurn++ % MISS_TOKENS] as string) : token);
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
        verifyToken: verifierFor(rung),
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
          new NextRequest("http://localhost:3000/api/bench/ping", {
            headers: { authorization: `Bearer ${tokenFor(rung)}`, "x-forwarded-for": ctx.clientIp(i % 64) },
          }),
        );
        if (response.status !== 200) throw new Error(`rung ${rung}: the middleware answered ${response.status}`);
      }
    };
    const verifiedBefore = verifications.get(rung) ?? 0;
    const before = process.cpuUsage();
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    const used = process.cpuUsage(before);
    const verified = (verifications.get(rung) ?? 0) - verifiedBefore;
    // Rung e verifies its one token only in its first requests (all 8 in flight may miss at
    // once). Rung e-miss may rarely hit: a request overtaken by a whole turn of the others
    // stores its token late, just before that token comes round again.
    const [least, most] =
      rung === "e" ? [0, verifiedBefore === 0 ? IN_FLIGHT : 0] : rung === "e-miss" ? [Math.floor(n * 0.99), n] : rung === "e-uncached" ? [n, n] : [0, 0];
    if (verified < least || verified > most) throw new Error(`rung ${rung}: ${verified} verifications in ${n} requests, expected ${least} to ${most}`);
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

/** The token step three ways, for a report: a token seen before, a token not held, no cache. */
export function tokenStepCosts(results: Map<StepRung, number>[]): [string, Spread][] {
  return [
    ["e − d: token step, a token this instance verified before (production)", stepCost(results, "e", "d")],
    ["e-miss − d: token step, a token the cache does not hold", stepCost(results, "e-miss", "d")],
    ["e-uncached − d: token step, the verifier alone (no cache)", stepCost(results, "e-uncached", "d")],
  ];
}
