import { describe, expect, it } from "vitest";
import { ApiError, toProblem } from "@/lib/client/problem";
import { rateLimitMessage } from "@/components/forms/rate-limit-message";

function refusal(violated: string[], retryAfterSeconds = 600): ApiError {
  const problem = toProblem({ type: "/problems/rate-limited", title: "Too many requests", status: 429, "violated-policies": violated }, 429);
  return new ApiError(problem, { retryAfterSeconds });
}

describe("what a person is told when a mail limit refuses a request for a link", () => {
  it("names the recipient's limit, and says how long to wait", () => {
    expect(rateLimitMessage(refusal(["mail-address"]), "link")).toMatchObject({
      title: "Too many emails to this address",
      detail: expect.stringContaining("about 10 minutes"),
    });
  });

  it("names the network's limit when only that one refused", () => {
    expect(rateLimitMessage(refusal(["mail-ip"]), "link").title).toBe("Too many emails asked for from your network");
  });

  it("tells a refused sign-up about the mail limit, not about other people's sign-ups", () => {
    const message = rateLimitMessage(refusal(["mail-address"]), "sign-up");
    expect(message.title).toBe("Too many emails to this address");
    expect(`${message.title} ${message.detail}`).not.toMatch(/sign-ups|failed|password guessing/i);
  });

  it("never says whether an account uses the address: the same words for every refusal of this tier", () => {
    const words = rateLimitMessage(refusal(["mail-address"]), "link");
    expect(`${words.title} ${words.detail}`).not.toMatch(/account|registered|unknown/i);
  });

  it("keeps failed sign-ins ahead of everything else on the sign-in form", () => {
    expect(rateLimitMessage(refusal(["auth-account", "mail-ip"]), "sign-in").title).toBe("Too many failed sign-ins");
  });
});
