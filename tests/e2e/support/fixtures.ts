/**
 * The suite's `test`: every page opened in a test is watched, and the test fails on any console
 * error, uncaught page error or Content Security Policy violation (from the console and from the
 * `securitypolicyviolation` event). A CSP that blocks part of the app, or a React error in
 * production, is a bug even when the assertions pass.
 *
 * One kind of console error is expected: Chromium logs every 4xx response as "Failed to load
 * resource". A 401 or 404 from `/api/` is an answer the app handles (an expired token, a wrong
 * password), so those are allowed; a test that expects a 4xx page (404, 403) says so with
 * `guard.allowStatus()`. Anything from the server in the 5xx range always fails.
 */
import { test as base, expect, type BrowserContext, type BrowserContextOptions, type ConsoleMessage, type Page } from "@playwright/test";

const FAILED_RESOURCE = /^Failed to load resource: the server responded with a status of (\d{3})/;

export class ConsoleGuard {
  readonly problems: string[] = [];
  private readonly allowedDocuments: { status: number; path: RegExp }[] = [];

  /** A page load that is expected to answer with this status (a 404 page, a 403 page). */
  allowStatus(status: number, path: RegExp): void {
    this.allowedDocuments.push({ status, path });
  }

  /** Remove and return the problems matching `pattern`: for a test that causes one on purpose. */
  take(pattern: RegExp): string[] {
    const taken = this.problems.filter((problem) => pattern.test(problem));
    const kept = this.problems.filter((problem) => !pattern.test(problem));
    this.problems.splice(0, this.problems.length, ...kept);
    return taken;
  }

  /**
   * Watch every page of `context`. Console errors and uncaught errors come from Playwright's
   * events; CSP violations are also taken from the `securitypolicyviolation` DOM event, from the
   * first byte of each document, because not every violation is logged to the console.
   */
  async watch(context: BrowserContext): Promise<void> {
    await context.exposeBinding(CSP_BINDING, ({ page }, violation: { directive: string; blocked: string }) => {
      this.problems.push(`Content Security Policy violation on ${page.url()}: ${violation.directive} blocked ${violation.blocked}`);
    });
    await context.addInitScript((binding) => {
      document.addEventListener("securitypolicyviolation", (event) => {
        const report = (window as unknown as Record<string, (v: { directive: string; blocked: string }) => void>)[binding];
        report?.({ directive: event.effectiveDirective, blocked: event.blockedURI });
      });
    }, CSP_BINDING);
    for (const page of context.pages()) this.watchPage(page);
    context.on("page", (page) => this.watchPage(page));
  }

  private watchPage(page: Page): void {
    page.on("console", (message) => {
      if (message.type() !== "error" || this.isExpected(message, page)) return;
      this.problems.push(`console error on ${page.url()} (from ${message.location().url || "?"}): ${message.text()}`);
    });
    page.on("pageerror", (error) => this.problems.push(`uncaught error on ${page.url()}: ${error.message}`));
  }

  private isExpected(message: ConsoleMessage, page: Page): boolean {
    const match = FAILED_RESOURCE.exec(message.text());
    if (match === null) return false;
    const status = Number(match[1]);
    if (status >= 500) return false;
    // The resource that failed; a document's own status is reported against the page itself.
    const pathname = pathOf(message.location().url) ?? pathOf(page.url()) ?? "";
    if (pathname.startsWith("/api/") && HANDLED_API_STATUSES.has(status)) return true;
    return this.allowedDocuments.some((allowed) => allowed.status === status && allowed.path.test(pathname));
  }
}

/** Answers the app's client handles in its UI: validation, expiry, refusal, not found, conflict, rate limit. */
const HANDLED_API_STATUSES: ReadonlySet<number> = new Set([400, 401, 403, 404, 409, 429]);

const CSP_BINDING = "__palisadeReportCspViolation";

function pathOf(url: string): string | null {
  try {
    return new URL(url).pathname;
  } catch {
    return null;
  }
}

interface Fixtures {
  /** The app's origin (playwright.config.ts `baseURL`). */
  origin: string;
  guard: ConsoleGuard;
  /** A second, separate browser (its own cookie jar), watched like the first. */
  openContext: (options?: BrowserContextOptions) => Promise<BrowserContext>;
}

// Fixture bodies name Playwright's callback `provide`, not the usual `use`: the React hooks lint
// rule would otherwise take it for React's `use`.
export const test = base.extend<Fixtures>({
  origin: async ({ baseURL }, provide) => {
    if (baseURL === undefined) throw new Error("playwright.config.ts sets no baseURL");
    await provide(baseURL);
  },

  guard: [
    async ({ context }, provide) => {
      const guard = new ConsoleGuard();
      await guard.watch(context);
      await provide(guard);
      expect(guard.problems, "console errors, uncaught errors or CSP violations").toEqual([]);
    },
    { auto: true },
  ],

  openContext: async ({ browser, guard, baseURL }, provide) => {
    const opened: BrowserContext[] = [];
    await provide(async (options = {}) => {
      const context = await browser.newContext({ baseURL, ...options });
      await guard.watch(context);
      opened.push(context);
      return context;
    });
    for (const context of opened) await context.close();
  },
});

export { expect };
