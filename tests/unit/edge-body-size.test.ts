import { describe, expect, it } from "vitest";
import { bodySizeDecision, EDGE_BODY_LIMIT_BYTES } from "@/lib/edge/body-size";
import { DEFAULT_BODY_LIMIT_BYTES } from "@/lib/http/read-json";
import { edgeHarness, passedThrough } from "../support/edge-harness";

const post = (headers: Record<string, string>) =>
  edgeHarness().run("/api/auth/login", { method: "POST", headers: { "content-type": "application/json", ...headers } });

describe("body size at the edge", () => {
  it("uses the route handlers' own limit, so the two layers cannot disagree", () => {
    expect(EDGE_BODY_LIMIT_BYTES).toBe(DEFAULT_BODY_LIMIT_BYTES);
    expect(EDGE_BODY_LIMIT_BYTES).toBe(64 * 1024);
  });

  it("answers 413 problem+json to a declared Content-Length over the limit, before any handler runs", async () => {
    const response = await post({ "content-length": String(EDGE_BODY_LIMIT_BYTES + 1) });
    expect(response.status).toBe(413);
    expect(passedThrough(response)).toBe(false);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(await response.json()).toMatchObject({ status: 413, detail: `The body may be at most ${EDGE_BODY_LIMIT_BYTES} bytes.` });
  });

  it("refuses a 10 GiB declaration the same way (nothing is read to decide)", async () => {
    expect((await post({ "content-length": String(10 * 1024 ** 3) })).status).toBe(413);
  });

  it("lets a body of exactly the limit through", async () => {
    expect(passedThrough(await post({ "content-length": String(EDGE_BODY_LIMIT_BYTES) }))).toBe(true);
  });

  it("leaves a chunked body (no Content-Length) to the handlers' streaming cap", async () => {
    expect(passedThrough(await post({ "transfer-encoding": "chunked" }))).toBe(true);
  });

  it.each(["-1", "1e9", "12, 12", "0x10", " "])("refuses the malformed Content-Length %j instead of interpreting it", (value) => {
    expect(bodySizeDecision(new Headers({ "content-length": value }))).toMatchObject({ ok: false, status: 400 });
  });
});
