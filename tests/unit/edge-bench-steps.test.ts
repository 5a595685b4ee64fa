/**
 * The benchmarks' middleware switch (BENCH_MIDDLEWARE_STEPS, lib/edge/config.ts): unset, every
 * step runs; set, exactly the ladder's rungs run. A deployment refuses the variable outright
 * (tests/unit/env.test.ts), so these rungs exist only in a local production build.
 */
import { describe, expect, it } from "vitest";
import { edgeStepsFrom } from "@/lib/edge/config";
import { edgeHarness, passedThrough } from "../support/edge-harness";

describe("the benchmarks' middleware switch", () => {
  it("runs every step when it is unset", async () => {
    expect(edgeStepsFrom(undefined)).toEqual({ headers: true, rateLimit: true, token: true });
    const response = await edgeHarness().run("/api/me");
    expect(response.status).toBe(401);
    expect(response.headers.get("content-security-policy")).not.toBeNull();
  });

  it("passes requests on untouched on the empty-middleware rung", async () => {
    const response = await edgeHarness({ env: { BENCH_MIDDLEWARE_STEPS: "none" } }).run("/api/me");
    expect(passedThrough(response)).toBe(true);
    expect(response.headers.get("content-security-policy")).toBeNull();
  });

  it("adds headers, then rate limits, then the token gate, one rung at a time", async () => {
    const headersOnly = await edgeHarness({ env: { BENCH_MIDDLEWARE_STEPS: "headers" } }).run("/api/me");
    expect(passedThrough(headersOnly)).toBe(true);
    expect(headersOnly.headers.get("content-security-policy")).not.toBeNull();
    expect(headersOnly.headers.get("ratelimit-policy")).toBeNull();

    const limited = await edgeHarness({ env: { BENCH_MIDDLEWARE_STEPS: "headers,rate-limit" } }).run("/api/me");
    expect(passedThrough(limited)).toBe(true);
    expect(limited.headers.get("ratelimit-policy")).not.toBeNull();

    const gated = await edgeHarness({ env: { BENCH_MIDDLEWARE_STEPS: "headers,rate-limit,token" } }).run("/api/me");
    expect(gated.status).toBe(401);
  });
});
