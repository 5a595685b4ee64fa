/**
 * Property-based fuzzing of every endpoint's input against the running production build: bodies,
 * queries, path parameters and credential cookies, generated from the app's own zod schemas and
 * from hostile generators (tests/security/support/zod-arbitrary.ts). The property, for every case:
 * no 5xx, and the response matches its own schema exactly (problem+json with the request ID for
 * every error).
 *
 * The run is reproducible: FUZZ_SEED (default below) fixes every generated case, FUZZ_RUNS sets
 * the cases per endpoint. A failure prints the seed and the counterexample; rerun with
 * `FUZZ_SEED=<seed> npm run test:security -- tests/security/fuzz.test.ts` to replay it. Every case
 * comes from its own client address, so the sign-in limits (which keep their production values)
 * never turn the run into a test of the limiter.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertExactShape, SUCCESS_SCHEMAS } from "../support/response-schemas";
import { runAddress, runAddress6 } from "./support/buckets";
import { Client, securityTarget, signInAdmin, signUp, type Account } from "./support/client";
import { fuzzSlug } from "./support/catalogue";
import { ENDPOINTS, fillPath, manifestPathOf, type Endpoint } from "./support/endpoints";
import { formatCount, printSummary, recordFigure } from "./support/figures";
import { buildManifest } from "./support/manifest";
import { arbitraryFor, hostileJsonBody, hostileString, objectShape } from "./support/zod-arbitrary";

const target = securityTarget();
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_128);
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);

interface Case {
  body?: string;
  query: string;
  params: Record<string, unknown>;
  cookie?: string;
}

/** Cookie values as a client can send them: printable ASCII without the separators a header would split on. */
const cookieValue = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/),
  fc.stringMatching(/^[\x21-\x2b\x2d-\x3a\x3c-\x7e]{0,300}$/),
  fc.constantFrom("", ".", "..", "a.b.c", "%00", "eyJhbGciOiJub25lIn0.e30.", "x".repeat(5000)),
);

function queryArbitrary(endpoint: Endpoint): fc.Arbitrary<string> {
  const hostileQuery = fc.oneof(
    fc
      .tuple(fc.constantFrom("limit", "page", "sort", "order", "ownerId", "role", "__proto__", "limit[]", "page[$gt]"), hostileString)
      .map(([key, value]) => new URLSearchParams([[key, value]]).toString()),
    fc.constantFrom("limit=1&limit=2", "page=1e2", "limit=0x10", "limit=-1", "page=99999999999", "sort=password", "sort=name;DROP", "%zz=1", "a=%E0%A4%A"),
  );
  if (endpoint.query === undefined) return fc.oneof({ arbitrary: fc.constant(""), weight: 3 }, { arbitrary: hostileQuery, weight: 1 });
  const valid = (arbitraryFor(endpoint.query) as fc.Arbitrary<Record<string, unknown>>).map((query) =>
    new URLSearchParams(Object.entries(query).map(([key, value]) => [key, String(value)])).toString(),
  );
  return fc.oneof({ arbitrary: valid, weight: 3 }, { arbitrary: hostileQuery, weight: 2 });
}

function paramsArbitrary(endpoint: Endpoint): fc.Arbitrary<Record<string, unknown>> {
  if (endpoint.params === undefined) return fc.constant({});
  const names = Object.keys(objectShape(endpoint.params));
  const hostile = fc.record(
    Object.fromEntries(
      names.map((name) => [
        name,
        fc.oneof(
          hostileString.filter((value) => value.length < 3000),
          fc.constantFrom("..", ".", "%2e%2e", "a".repeat(65), "C".repeat(25)),
        ),
      ]),
    ),
  );
  return fc.oneof({ arbitrary: arbitraryFor(endpoint.params) as fc.Arbitrary<Record<string, unknown>>, weight: 3 }, { arbitrary: hostile, weight: 2 });
}

function bodyArbitrary(endpoint: Endpoint): fc.Arbitrary<string | undefined> {
  if (endpoint.body === undefined) return fc.constant(undefined);
  if (endpoint.body.kind === "json") return hostileJsonBody(endpoint.body.schema);
  const valid = (arbitraryFor(endpoint.body.schema) as fc.Arbitrary<Record<string, unknown>>).map((form) =>
    new URLSearchParams(Object.entries(form).map(([key, value]) => [key, String(value)])).toString(),
  );
  const hostile = fc.oneof(
    fc
      .tuple(valid, fc.constantFrom("grant_type", "client_id", "scope", "client_secret", "__proto__"), hostileString)
      .map(([form, key, value]) => `${form}&${new URLSearchParams([[key, value]]).toString()}`),
    fc.string({ unit: "binary", maxLength: 200 }),
    fc.constantFrom("grant_type=client_credentials&grant_type=password", "%", "a=%E0%A4%A", "=&=&=", "x".repeat(70_000)),
  );
  return fc.oneof({ arbitrary: valid, weight: 2 }, { arbitrary: hostile, weight: 2 });
}

function caseArbitrary(endpoint: Endpoint): fc.Arbitrary<Case> {
  return fc.record({
    body: bodyArbitrary(endpoint),
    query: queryArbitrary(endpoint),
    params: paramsArbitrary(endpoint),
    cookie: endpoint.cookie === undefined ? fc.constant(undefined) : cookieValue,
  });
}

/** The response must be no 5xx and match its own schema; throws (with the body) when not. */
async function expectWellFormed(endpoint: Endpoint, response: Response): Promise<void> {
  const text = await response.clone().text();
  if (response.status >= 500) throw new Error(`${endpoint.key}: ${response.status} ${text}`);
  // Refused by Node's HTTP parser before the app runs (a request line or headers over 16 KiB):
  // no handler was reached, so there is no problem body to check.
  if (response.status === 431 && text === "") return;
  if (response.status >= 300 && response.status < 400) return; // the broker's redirects
  if (response.status < 300 && SUCCESS_SCHEMAS[endpoint.key] === undefined && response.status !== 204) return;
  await assertExactShape(endpoint.key, response);
  if (response.headers.get("content-type") === "application/problem+json") {
    const requestId = (JSON.parse(text) as { requestId?: unknown }).requestId;
    if (requestId !== response.headers.get("x-request-id"))
      throw new Error(`${endpoint.key}: problem requestId ${String(requestId)} is not the response's X-Request-ID`);
  }
}

describe("property-based fuzzing of every endpoint", () => {
  let user: Account;
  let admin: Account;
  let caseNumber = 0;
  const tally = { cases: 0, serverErrors: 0, endpoints: 0 };

  beforeAll(async () => {
    user = await signUp(new Client(runAddress(target.run, 40)), "fuzz");
    admin = await signInAdmin(new Client(runAddress(target.run, 40)));
  });

  afterAll(() => {
    recordFigure("fuzz", {
      passed: tally.cases - tally.serverErrors,
      total: tally.cases,
      unit: "cases without server error",
      detail: { endpoints: tally.endpoints, runsPerEndpoint: RUNS, seed: SEED },
    });
    printSummary(
      `Fuzzing: ${formatCount(tally.cases)} cases over ${tally.endpoints} endpoints, ${tally.serverErrors} server errors (seed ${SEED}, ${RUNS} runs each)`,
    );
  });

  it("[fuzz.coverage] the fuzzed endpoints are exactly the API methods in the route manifest", () => {
    const fuzzed = ENDPOINTS.map((endpoint) => `${endpoint.method} ${manifestPathOf(endpoint)}`).sort();
    const routed = buildManifest()
      .filter((entry) => entry.kind === "api")
      .flatMap((entry) => (entry.methods ?? []).map((method) => `${method} ${entry.path}`))
      .sort();
    expect(fuzzed).toEqual(routed);
  });

  for (const endpoint of ENDPOINTS) {
    const slug = fuzzSlug(endpoint.method, endpoint.path);
    it(`[fuzz.${slug}] ${endpoint.key}: no 5xx and every response matches its schema`, async () => {
      tally.endpoints++;
      const token = endpoint.caller === "user" ? user.client.accessToken : endpoint.caller === "admin" ? admin.client.accessToken : undefined;
      const details = await fc.check(
        fc.asyncProperty(caseArbitrary(endpoint), async (input) => {
          caseNumber++;
          tally.cases++;
          const client = new Client(runAddress6(target.run, 1_000 + caseNumber));
          const path = `${fillPath(endpoint.path, input.params)}${input.query === "" ? "" : `?${input.query}`}`;
          const headers: Record<string, string> = {};
          if (input.body !== undefined) headers["content-type"] = endpoint.body?.kind === "form" ? "application/x-www-form-urlencoded" : "application/json";
          if (input.cookie !== undefined && endpoint.cookie !== undefined) headers.cookie = `${endpoint.cookie}=${input.cookie}`;
          const response = await client.request(path, {
            method: endpoint.method,
            headers,
            ...(input.body === undefined ? {} : { body: input.body }),
            ...(token === undefined ? {} : { token }),
          });
          if (response.status >= 500) tally.serverErrors++;
          // A `..` parameter is resolved by the client before sending (`/api/auth/../x` is `/x`):
          // such a request never reached this endpoint, so only the no-5xx half applies.
          const landed = new URL(`${target.url}${path}`).pathname.startsWith(endpoint.path.split("{")[0] as string);
          if (landed) await expectWellFormed(endpoint, response);
          else if (response.status >= 500) throw new Error(`${path}: ${response.status}`);
        }),
        // No shrinking: each shrink step is an HTTP round trip; the seed and the first
        // counterexample are reported, and the seed replays it exactly.
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
      if (details.failed) {
        // fast-check's own report prints the whole counterexample, which for a 70 KB string buries
        // the seed; this one keeps the seed and path on the first line and cuts the case short.
        const shown = JSON.stringify(details.counterexample?.[0]) ?? "";
        const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
        throw new Error(
          `${endpoint.key} failed at seed ${SEED}, path "${details.counterexamplePath}" (replay: FUZZ_SEED=${SEED})\n` +
            `case: ${shown.length > 600 ? `${shown.slice(0, 600)}… (${shown.length} chars)` : shown}\ncause: ${cause.slice(0, 600)}`,
        );
      }
    });
  }
});
