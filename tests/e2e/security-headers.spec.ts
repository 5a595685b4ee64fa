/**
 * What only a browser can prove about the CSP: every script Next.js puts on every page carries
 * that response's nonce, so the app runs with zero violations under an enforcing policy, and a
 * script without the nonce does not run.
 *
 * "Every page" is read from app/ itself (each page.tsx), so a page added tomorrow is checked
 * without editing this file. Each is loaded signed out and signed in as the admin (who can open
 * every page), because signed-in pages render different components. The suite's console guard
 * (./support/fixtures.ts) fails a test on any console error; on top of it, an init script records
 * `securitypolicyviolation` events from the first byte of each document.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import type { Page } from "@playwright/test";
import { expect, test } from "./support/fixtures";
import { ADMIN } from "./support/accounts";
import type { LimitsServer } from "./support/limits-server";
import { startOutboxServer } from "./support/outbox-server";
import { signIn } from "./support/session";

/** A value for a dynamic segment: no such record exists, so the page shows its not-found state. */
const MISSING_ID = "does-not-exist";

/** Every page under app/, as a URL path: route groups dropped, dynamic segments filled in. */
function discoverPages(dir = path.join(process.cwd(), "app"), segments: string[] = []): string[] {
  const entries = readdirSync(dir, { withFileTypes: true });
  const here = entries.some((entry) => entry.isFile() && /^page\.(tsx|ts|jsx|js)$/.test(entry.name)) ? [`/${segments.join("/")}`] : [];
  const below = entries
    .filter((entry) => entry.isDirectory() && entry.name !== "api" && !/^[_@.]/.test(entry.name))
    .flatMap((entry) => {
      const segment = /^\(.*\)$/.test(entry.name) ? [] : [/^\[.*\]$/.test(entry.name) ? MISSING_ID : entry.name];
      return discoverPages(path.join(dir, entry.name), [...segments, ...segment]);
    });
  return [...here, ...below];
}

/**
 * Pages that exist only where no mail relay is configured: the suite's server sends its mail over
 * SMTP, so there they are a 404, and they are checked on an instance without one.
 */
const RELAY_LESS_PAGES: ReadonlySet<string> = new Set(["/dev/outbox"]);

const DISCOVERED = discoverPages();
// Plus a path that matches no page, for the not-found page.
const PAGES = [...DISCOVERED.filter((pathname) => !RELAY_LESS_PAGES.has(pathname)), "/this-page-does-not-exist"];

interface Violation {
  /** The CSP3 effective directive: script-src-elem for a <script>, script-src-attr for onerror=. */
  directive: string;
  blocked: string;
}

declare global {
  interface Window {
    __cspViolations: Violation[];
    __injectedScriptRan?: boolean;
  }
}

async function recordViolations(page: Page): Promise<void> {
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (event) => {
      window.__cspViolations.push({ directive: event.effectiveDirective, blocked: event.blockedURI });
    });
  });
}

/**
 * Every CSP violation on every document the page shows during the test, reported to the test
 * process as it happens: a page that redirects on the client (to /signin) is followed too.
 */
async function collectViolations(page: Page): Promise<(Violation & { url: string })[]> {
  const violations: (Violation & { url: string })[] = [];
  await page.exposeBinding("__reportCspViolation", ({ frame }, violation: Violation) => {
    violations.push({ ...violation, url: frame.url() });
  });
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      (window as unknown as { __reportCspViolation: (v: Violation) => void }).__reportCspViolation({
        directive: event.effectiveDirective,
        blocked: event.blockedURI,
      });
    });
  });
  return violations;
}

/** Load `pathname`; check the policy, the nonce on every script the server sent, and the violations. */
async function expectCleanUnderCsp(page: Page, pathname: string): Promise<void> {
  const violations = await collectViolations(page);
  // After a server redirect (a protected page sending the browser to /signin) this is the
  // response of the document the browser landed on.
  const response = await page.goto(pathname, { waitUntil: "load" });
  await page.waitForLoadState("networkidle");
  const headers = response?.headers() ?? {};

  // Enforcing, not report-only: a violation blocks, it does not just get reported.
  expect(headers["content-security-policy-report-only"]).toBeUndefined();
  const nonce = /'nonce-([^']+)'/.exec(headers["content-security-policy"] ?? "")?.[1];
  expect(nonce, `${pathname}: the CSP has a nonce`).toBeDefined();
  expect(headers["content-security-policy"]).toContain("'strict-dynamic'");

  // Next.js read the nonce from the forwarded request header and stamped it on every script tag
  // it rendered. (Scripts its loader adds later need no nonce: 'strict-dynamic' trusts them
  // because a nonced script created them.) The HTML is fetched once more with the same cookies,
  // since the browser may already have navigated away from the first response.
  const again = await page.request.get(pathname);
  const againNonce = /'nonce-([^']+)'/.exec(again.headers()["content-security-policy"] ?? "")?.[1];
  expect(againNonce).not.toBe(nonce);
  const scriptTags = (await again.text()).match(/<script\b[^>]*>/g) ?? [];
  expect(scriptTags.length, `${pathname}: script tags in the HTML`).toBeGreaterThan(0);
  const withoutNonce = scriptTags.filter((tag) => !tag.includes(` nonce="${againNonce}"`));
  expect(withoutNonce, `${pathname}: script tags without that response's nonce`).toEqual([]);

  expect(violations, `${pathname}: CSP violations`).toEqual([]);
}

test.describe("every page under an enforcing, nonce-based CSP", () => {
  test("the page list is read from app/ and includes the home page", () => {
    expect(PAGES).toContain("/");
    expect(PAGES.length).toBeGreaterThan(2);
  });

  for (const pathname of PAGES) {
    test(`${pathname}, signed out: zero CSP violations, zero console errors`, async ({ page, guard }) => {
      guard.allowStatus(404, /./);
      await expectCleanUnderCsp(page, pathname);
    });

    test(`${pathname}, signed in as the admin: zero CSP violations, zero console errors`, async ({ page, guard, origin }) => {
      guard.allowStatus(404, /./);
      await signIn(page, origin, ADMIN.email, ADMIN.password);
      await expectCleanUnderCsp(page, pathname);
    });
  }
});

test.describe("the pages of an instance without a mail relay, under the same CSP", () => {
  let outbox: LimitsServer;

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    outbox = await startOutboxServer();
  });

  test.afterAll(async () => {
    await outbox?.stop();
  });

  test("they are pages under app/", () => {
    for (const pathname of RELAY_LESS_PAGES) expect(DISCOVERED).toContain(pathname);
  });

  for (const pathname of RELAY_LESS_PAGES) {
    test(`${pathname}, signed out: zero CSP violations, zero console errors`, async ({ openContext }) => {
      const page = await (await openContext({ baseURL: outbox.origin })).newPage();
      await expectCleanUnderCsp(page, pathname);
    });

    test(`${pathname}, signed in as the admin: zero CSP violations, zero console errors`, async ({ openContext }) => {
      const page = await (await openContext({ baseURL: outbox.origin })).newPage();
      await signIn(page, outbox.origin, ADMIN.email, ADMIN.password);
      await expectCleanUnderCsp(page, pathname);
    });
  }
});

test("a fresh nonce on every load", async ({ page }) => {
  const first = (await page.goto("/"))?.headers()["content-security-policy"];
  const second = (await page.goto("/"))?.headers()["content-security-policy"];
  expect(first).toMatch(/'nonce-[^']+'/);
  expect(first).not.toBe(second);
});

test("a script injected into the server's HTML without the nonce does not run (stored or reflected XSS)", async ({ page, guard }) => {
  await recordViolations(page);
  // Rewrite the real response in flight, keeping its headers (so its CSP), as if the server had
  // echoed attacker input into the page.
  await page.route("/", async (route) => {
    const response = await route.fetch();
    const body = (await response.text()).replace("</body>", "<script>window.__injectedScriptRan = true</script></body>");
    await route.fulfill({ response, body });
  });
  await page.goto("/");
  await page.waitForFunction(() => window.__cspViolations.some((violation) => violation.directive === "script-src-elem"));
  expect(await page.evaluate(() => window.__injectedScriptRan === true)).toBe(false);
  // The browser's refusal is a console error; it is this test's point, not a fault.
  expect(guard.take(/Content Security Policy/).length).toBeGreaterThan(0);
});

test("an inline event handler planted through the DOM does not run (DOM XSS)", async ({ page, guard }) => {
  await recordViolations(page);
  await page.goto("/");
  await page.evaluate(() => {
    const holder = document.createElement("div");
    holder.innerHTML = '<img src="data:," onerror="window.__injectedScriptRan = true">';
    document.body.append(holder);
  });
  // The image's error event fires asynchronously: wait for the browser's refusal, then check.
  await page.waitForFunction(() => window.__cspViolations.some((violation) => violation.directive === "script-src-attr"));
  expect(await page.evaluate(() => window.__injectedScriptRan === true)).toBe(false);
  expect(guard.take(/Content Security Policy/).length).toBeGreaterThan(0);
});

test("the page cannot be framed", async ({ page }) => {
  const response = await page.goto("/");
  expect(response?.headers()["x-frame-options"]).toBe("DENY");
  expect(response?.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
});
