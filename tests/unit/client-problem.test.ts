import { describe, expect, it } from "vitest";
import { apiErrorFrom, parseRetryAfter, toProblem } from "@/lib/client/problem";

describe("reading problem responses", () => {
  it("keeps the known members of a problem body and the field errors", async () => {
    const response = new Response(
      JSON.stringify({
        type: "/problems/validation",
        title: "Invalid request",
        status: 400,
        detail: "Fix it.",
        requestId: "r1",
        errors: { email: ["Enter a valid email address."] },
      }),
      { status: 400, headers: { "content-type": "application/problem+json" } },
    );
    const error = await apiErrorFrom(response);
    expect(error.status).toBe(400);
    expect(error.problem.detail).toBe("Fix it.");
    expect(error.fieldErrors("email")).toEqual(["Enter a valid email address."]);
  });

  it("never shows the body of a response that is not a problem (a proxy's HTML page)", async () => {
    const response = new Response("<h1>502 Bad Gateway</h1><p>nginx/1.2.3 at internal-host:8080</p>", {
      status: 502,
      headers: { "content-type": "text/html" },
    });
    const error = await apiErrorFrom(response);
    expect(error.message).not.toContain("nginx");
    expect(error.problem.title).toBe("Something went wrong");
  });

  it("drops members with unexpected types instead of rendering them", () => {
    const problem = toProblem({ title: { html: "<b>x</b>" }, detail: 5, errors: { email: "not a list" } }, 400);
    expect(problem.title).toBe("Something went wrong");
    expect(problem.detail).toBeUndefined();
    expect(problem.errors).toBeUndefined();
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("120", now)).toBe(120);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:01:30 GMT", now)).toBe(90);
    expect(parseRetryAfter("Wed, 31 Dec 2025 23:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});
