import { describe, expect, it } from "vitest";
import { ApiError, toProblem } from "@/lib/client/problem";
import { rateLimitMessage } from "@/components/forms/rate-limit-message";

function refusal(violated: unknown, retryAfterSeconds: number | null = 300): ApiError {
  const problem = toProblem({ type: "/problems/rate-limited", title: "Too many requests", status: 429, "violated-policies": violated }, 429);
  return new ApiError(problem, { retryAfterSeconds });
}

describe("what a person is told when a rate limit refuses a sign-in or sign-up", () => {
  it("reads the refusing tiers from the problem, and only a list of strings", () => {
    expect(refusal(["credential"]).problem.violatedPolicies).toEqual(["credential"]);
    expect(refusal("credential").problem.violatedPolicies).toBeUndefined();
    expect(refusal([1, { x: 1 }]).problem.violatedPolicies).toBeUndefined();
  });

  it("calls it failed sign-ins only when a sign-in failure tier refused", () => {
    for (const tier of ["auth-ip", "auth-account"]) {
      expect(rateLimitMessage(refusal([tier]), "sign-in")).toMatchObject({
        title: "Too many failed sign-ins",
        detail: expect.stringContaining("about 5 minutes"),
      });
    }
  });

  it("does not tell someone behind a busy shared address that they failed to sign in", () => {
    const busy = rateLimitMessage(refusal(["credential"]), "sign-in");
    expect(busy.title).toBe("Too many sign-ins from your network");
    expect(`${busy.title} ${busy.detail}`).not.toMatch(/failed|password guessing/i);
    expect(rateLimitMessage(refusal(["global"]), "sign-in").title).toBe("Too many requests from your network");
  });

  it("names sign-ups on the sign-up form, and says how long to wait", () => {
    expect(rateLimitMessage(refusal(["credential"], 61), "sign-up")).toMatchObject({
      title: "Too many sign-ups from your network",
      detail: expect.stringContaining("about a minute"),
    });
    expect(rateLimitMessage(refusal(["global"], null), "sign-up").detail).toContain("about a minute");
  });
});
