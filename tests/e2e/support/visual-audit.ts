/**
 * What the second-factor specs check on every new state of a page: a screenshot in each colour
 * scheme (test-results/screenshots/) and an axe audit (WCAG 2.2 A and AA; no serious or
 * critical violation), and a way to have the server's step-up challenge answered on demand.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

const SCREENSHOTS = path.join("test-results", "screenshots");

/** A screenshot and an axe audit (WCAG 2.2 A and AA; no serious or critical violation) in each scheme. */
export async function checkBothSchemes(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    // Buttons fade between colours: judge (and photograph) the colours they end on.
    // Transitions only: a spinner's animation never finishes. A transition replaced by a newer one
    // (the scheme switch, or a re-render, restarts them) rejects its `finished`: wait for the
    // newer one instead, a few rounds at most.
    await page.evaluate(async () => {
      for (let round = 0; round < 5; round++) {
        const running = document.getAnimations().filter((animation) => animation instanceof CSSTransition && animation.playState !== "finished");
        if (running.length === 0) return;
        await Promise.all(running.map((animation) => animation.finished.catch(() => undefined)));
      }
    });
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${scheme}.png`), fullPage: true });
    const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]).analyze();
    const serious = results.violations
      .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
      .map((violation) => `${violation.id} (${violation.impact}): ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`);
    expect(serious, `accessibility violations on ${name} (${scheme})`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: "light" });
}

/**
 * Answer the next `times` requests to `pattern` with the server's step-up challenge, exactly as
 * lib/auth/step-up.ts words it, and pass every later one on to the server.
 *
 * Why not the server's own: it asks once the session's second factor (or, without one, its
 * sign-in) is ten minutes old, and every way to a session in this suite proves one at once
 * (confirming an enrolment marks the session as proved, and ends every other session). A test
 * may not wait ten minutes, so the first answers play that part; the proof (`POST
 * /api/auth/step-up`) and the retried request still meet the real server.
 */
export async function challenge(page: Page, pattern: string, method: string, methods: string[], times: number): Promise<{ passedOn: number }> {
  const seen = { passedOn: 0 };
  let left = times;
  await page.route(pattern, async (route) => {
    if (route.request().method() !== method) return route.continue();
    if (left === 0) {
      seen.passedOn += 1;
      return route.continue();
    }
    left -= 1;
    return route.fulfill({
      status: 401,
      headers: {
        "content-type": "application/problem+json",
        "www-authenticate": 'Bearer error="insufficient_user_authentication", error_description="A more recent authentication is required", max_age=600',
      },
      body: JSON.stringify({
        type: "/problems/step-up-required",
        title: "Confirm it is you",
        status: 401,
        detail: methods.length === 0 ? "For your security, sign in again to continue." : "For your security, confirm it is you to continue.",
        requestId: "e2e",
        stepUp: { methods, maxAge: 600 },
      }),
    });
  });
  return seen;
}
