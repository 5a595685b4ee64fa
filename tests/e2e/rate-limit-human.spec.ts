/**
 * The rate limits meet real use (ADR 019): an office of ten people shares one public address,
 * and each of them uses the app for a quarter of an hour (tests/e2e/support/human-session.ts:
 * 45 actions over four visits, link prefetching on). Against a server whose limits are the app's
 * own defaults, none of them may ever see a 429 or a 503, while the tiers stay live: the server's
 * own count shows the budget was drawn on, not bypassed.
 *
 * The suite's own server has its limits lifted, so this test starts a second one from the same
 * build. Think time is compressed: what a session sends does not depend on it, and no tier but
 * the global one is near its limit at any speed (a session sends 28 requests to the per-user
 * tier's 30 per minute in all).
 */
import { expect, test, type Browser } from "@playwright/test";
import { humanSession } from "./support/human-session";
import { globalCountOf, startLimitsServer, type LimitsServer } from "./support/limits-server";
import { tallyRequests, type Tally } from "./support/request-tally";

const PEOPLE = 10;
/** People in the app at once: all ten share the window either way, and two cores host them. */
const AT_ONCE = 5;
const SPEED_UP = 30;
/** Where the office's traffic seems to come from, through the server's one trusted proxy hop. */
const OFFICE_ADDRESS = "198.18.40.7";

let server: LimitsServer;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  server = await startLimitsServer(".next", {}, { from: 3700, to: 3759 });
  // Each page's first render loads its modules; do that from another address, outside the count.
  for (const path of ["/", "/register", "/verify-email", "/signin", "/dashboard", "/sessions", "/account"]) {
    await fetch(`${server.origin}${path}`, { headers: { "x-forwarded-for": "192.0.2.200" } });
  }
});

test.afterAll(async () => {
  await server?.stop();
});

async function person(browser: Browser, n: number): Promise<Tally> {
  const context = await browser.newContext({ extraHTTPHeaders: { "x-forwarded-for": OFFICE_ADDRESS } });
  const recorder = tallyRequests(context);
  try {
    const page = await context.newPage();
    await humanSession(page, { baseURL: server.origin, email: `office-${n}-${Date.now().toString(36)}@e2e.test`, speedUp: SPEED_UP });
    await recorder.settled();
    return recorder.tally;
  } finally {
    await context.close();
  }
}

test("ten people behind one address use the app for a quarter of an hour each without a 429", async ({ browser }) => {
  test.setTimeout(12 * 60_000);
  const tallies: Tally[] = [];
  for (let first = 1; first <= PEOPLE; first += AT_ONCE) {
    const wave = Array.from({ length: Math.min(AT_ONCE, PEOPLE - first + 1) }, (_, i) => person(browser, first + i));
    tallies.push(...(await Promise.all(wave)));
  }

  expect(tallies.flatMap((tally) => tally.refused)).toEqual([]);
  // The tiers were live: the server counted every person's requests, together, against its
  // default, and they were far more than the 100 the global tier used to allow.
  const sent = tallies.reduce((sum, tally) => sum + (tally.byTier.global ?? 0), 0);
  const probe = await browser.newContext({ extraHTTPHeaders: { "x-forwarded-for": OFFICE_ADDRESS } });
  const counted = await globalCountOf(probe.request, server.origin);
  await probe.close();
  // The server also counted requests the browser abandoned (prefetches overtaken by a click).
  expect(counted).toBeGreaterThanOrEqual(sent);
  expect(counted).toBeGreaterThan(PEOPLE * 100);
});
