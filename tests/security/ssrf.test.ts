/**
 * Server-side request forgery (OWASP API7), black box: a local listener's URL goes into every
 * string field of every endpoint (body, query, path parameter, credential cookie) and into the
 * headers proxies and frameworks are known to read URLs from. Each URL names its input, so a hit
 * would say exactly which input the app fetched. The app must never call the listener. The static
 * half (every outbound call site is on a reviewed allow-list) is in api-top10.test.ts.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAddress } from "./support/buckets";
import { Client, securityTarget, signInAdmin, signUp, type Account } from "./support/client";
import { ENDPOINTS, fillPath, type Endpoint } from "./support/endpoints";
import { formatCount, printSummary, recordFigure } from "./support/figures";
import { startCountingListener, type CountingListener } from "./support/listener";
import { arbitraryFor, objectShape, stringFields } from "./support/zod-arbitrary";

const target = securityTarget();
const IP = runAddress(target.run, 50);

/** Headers that some stacks turn into outbound requests or absolute URLs. */
const URL_HEADERS = [
  "referer",
  "x-forwarded-host",
  "forwarded",
  "x-original-url",
  "x-rewrite-url",
  "x-forwarded-server",
  "x-host",
  "true-client-ip",
  "x-wap-profile",
  "contact",
];

/** Pages that take a URL-shaped parameter (where to go after signing in). */
const PAGE_INPUTS = ["/signin?callbackUrl=", "/signin?next=", "/resume?next=", "/register?next=", "/api/auth/signin?callbackUrl=", "/api/auth/error?error="];

/** One well-formed example of a schema's value, the same on every run. */
function example(schema: Parameters<typeof arbitraryFor>[0]): Record<string, unknown> {
  return fc.sample(arbitraryFor(schema), { seed: 1, numRuns: 1 })[0] as Record<string, unknown>;
}

describe("no endpoint fetches a URL a client supplies", () => {
  let listener: CountingListener;
  let user: Account;
  let admin: Account;
  const inputs: string[] = [];

  beforeAll(async () => {
    listener = await startCountingListener();
    user = await signUp(new Client(IP), "ssrf");
    admin = await signInAdmin(new Client(IP));
  });

  afterAll(async () => {
    const hit = new Set(listener.hits.map((line) => line.split(" ")[1]));
    await listener.close();
    recordFigure("ssrf", {
      passed: inputs.filter((input) => !hit.has(input)).length,
      total: inputs.length,
      unit: "URL-bearing inputs, zero outbound hits",
      detail: { outboundHits: listener.hits.length, endpoints: ENDPOINTS.length },
    });
    printSummary(`SSRF: ${formatCount(inputs.length)} URL-bearing inputs over ${ENDPOINTS.length} endpoints, ${listener.hits.length} outbound hits`);
  });

  /** A listener URL unique to one input, so a hit names it. */
  function bait(name: string): string {
    const path = `/ssrf/${inputs.length}/${name.replace(/[^A-Za-z0-9]+/g, "-")}`;
    inputs.push(path);
    return `${listener.url}${path}`;
  }

  async function send(
    endpoint: Endpoint,
    change: { body?: Record<string, unknown>; query?: Record<string, string>; params?: Record<string, unknown>; headers?: Record<string, string> },
  ): Promise<void> {
    const token = endpoint.caller === "user" ? user.client.accessToken : endpoint.caller === "admin" ? admin.client.accessToken : undefined;
    const body =
      change.body === undefined
        ? undefined
        : endpoint.body?.kind === "form"
          ? new URLSearchParams(Object.entries(change.body).map(([k, v]) => [k, String(v)])).toString()
          : JSON.stringify(change.body);
    const query = change.query === undefined ? "" : `?${new URLSearchParams(change.query).toString()}`;
    const headers: Record<string, string> = { ...change.headers };
    if (body !== undefined) headers["content-type"] = endpoint.body?.kind === "form" ? "application/x-www-form-urlencoded" : "application/json";
    const response = await new Client(IP).request(`${fillPath(endpoint.path, change.params ?? (endpoint.params ? example(endpoint.params) : {}))}${query}`, {
      method: endpoint.method,
      headers,
      ...(body === undefined ? {} : { body }),
      ...(token === undefined ? {} : { token }),
    });
    expect(response.status, `${endpoint.key}`).toBeLessThan(500);
    await response.arrayBuffer();
  }

  it("[ssrf.every-input] the listener's URL in every string field, query parameter, path parameter, cookie and URL header of every endpoint is never fetched", async () => {
    for (const endpoint of ENDPOINTS) {
      const base = endpoint.body === undefined ? undefined : example(endpoint.body.schema);
      if (endpoint.body !== undefined) {
        for (const field of stringFields(endpoint.body.schema)) await send(endpoint, { body: { ...base, [field]: bait(`${endpoint.key}-body-${field}`) } });
      }
      for (const field of endpoint.query === undefined ? ["url", "callback", "redirect_uri"] : Object.keys(objectShape(endpoint.query))) {
        await send(endpoint, { ...(base === undefined ? {} : { body: base }), query: { [field]: bait(`${endpoint.key}-query-${field}`) } });
      }
      for (const field of endpoint.params === undefined ? [] : Object.keys(objectShape(endpoint.params))) {
        await send(endpoint, { ...(base === undefined ? {} : { body: base }), params: { [field]: bait(`${endpoint.key}-param-${field}`) } });
      }
      if (endpoint.cookie !== undefined)
        await send(endpoint, { headers: { cookie: `${endpoint.cookie}=${encodeURIComponent(bait(`${endpoint.key}-cookie`))}` } });
      const headers = Object.fromEntries(
        URL_HEADERS.map((name) => [name, name === "forwarded" ? `host="${new URL(listener.url).host}";proto=http` : bait(`${endpoint.key}-header-${name}`)]),
      );
      await send(endpoint, { ...(base === undefined ? {} : { body: base }), headers });
    }
    for (const page of PAGE_INPUTS) {
      const response = await new Client(IP).request(`${page}${encodeURIComponent(bait(`page-${page}`))}`);
      expect(response.status, page).toBeLessThan(500);
      await response.arrayBuffer();
    }
    expect(inputs.length).toBeGreaterThan(100);
    // Give an asynchronous fetch (a webhook, a preview, a background job) time to happen.
    expect(await listener.settle(1_500)).toEqual([]);
  });
});
