/**
 * Silent refresh in a real browser: access-token expiry, concurrent tabs, page loads, and what a
 * stolen refresh cookie leads to. The network log is the witness: how many refresh calls were
 * made, and whether any page navigation happened.
 */
import type { BrowserContext, Page } from "@playwright/test";
import { expect, test } from "./support/fixtures";
import { ADMIN } from "./support/accounts";
import { ACCESS_TOKEN_TTL_SECONDS, REFRESH_COOKIE } from "./support/server-env";
import { createNote, expireAccessToken, hasAccessCookie, recordRefreshes, registerUser, signIn } from "./support/session";

/** Full page loads only (history.replaceState and client-side fetches are not navigations). */
function recordNavigations(context: BrowserContext): string[] {
  const seen: string[] = [];
  context.on("request", (request) => {
    if (request.isNavigationRequest() && request.frame().parentFrame() === null) seen.push(new URL(request.url()).pathname);
  });
  return seen;
}

/** An action on the dashboard that needs the API: flip the sort order, which reloads the list. */
async function reloadList(page: Page): Promise<void> {
  await page.getByRole("button", { name: /^(Ascending|Descending)$/ }).click();
}

test("an expired access token is renewed silently: one refresh call, no navigation, no visible interruption", async ({ page, context, origin }) => {
  test.setTimeout((ACCESS_TOKEN_TTL_SECONDS + 40) * 1000);
  await registerUser(page, origin, "expiry");
  await createNote(page, origin, "Still here");
  await page.goto("/dashboard");
  await expect(page.getByRole("link", { name: "Still here" })).toBeVisible();
  const refreshes = recordRefreshes(context);
  const navigations = recordNavigations(context);

  // Wait for the real expiry: the browser drops the cookie when its Max-Age (the token's lifetime) runs out.
  await expect.poll(() => hasAccessCookie(context), { timeout: (ACCESS_TOKEN_TTL_SECONDS + 10) * 1000, intervals: [500] }).toBe(false);

  // The old list stays on screen while the new one loads, so wait for the retried list request
  // itself (refused, refreshed, retried) before counting refresh calls.
  const reloaded = page.waitForResponse((response) => new URL(response.url()).pathname === "/api/notes" && response.status() === 200);
  await reloadList(page);
  await reloaded;
  await expect(page.getByRole("link", { name: "Still here" })).toBeVisible();
  expect(refreshes).toHaveLength(1);
  expect((await refreshes[0]?.response())?.status()).toBe(200);
  expect(navigations).toEqual([]);
  await expect(page).toHaveURL(/\/dashboard/);
  expect(await hasAccessCookie(context)).toBe(true);
});

test("two tabs refreshing at the same time both stay signed in, with one refresh between them", async ({ page, context, origin }) => {
  await registerUser(page, origin, "two-tabs");
  await createNote(page, origin, "Shared note");
  const second = await context.newPage();
  for (const tab of [page, second]) {
    await tab.goto("/dashboard");
    await expect(tab.getByRole("link", { name: "Shared note" })).toBeVisible();
  }
  const refreshes = recordRefreshes(context);

  // Hold the first refresh until both tabs have been refused with the expired token, so they
  // really do need a refresh at the same moment; then let it through.
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  await context.route("**/api/auth/refresh", async (route) => {
    await held;
    await route.continue();
  });
  await expireAccessToken(context);
  const refused = (tab: Page) => tab.waitForResponse((response) => response.url().includes("/api/notes") && response.status() === 401);
  const bothRefused = Promise.all([refused(page), refused(second)]);
  await Promise.all([reloadList(page), reloadList(second)]);
  await bothRefused;
  await expect.poll(() => refreshes.length).toBe(1);
  release();

  for (const tab of [page, second]) {
    await expect(tab.getByRole("link", { name: "Shared note" })).toBeVisible();
    await expect(tab).toHaveURL(/\/dashboard/);
  }
  expect(refreshes).toHaveLength(1);
  expect((await refreshes[0]?.response())?.status()).toBe(200);
});

test("a page load with an expired access token returns through a silent refresh, never the sign-in page", async ({ page, context, origin }) => {
  await registerUser(page, origin, "page-load");
  await expireAccessToken(context);
  const refreshes = recordRefreshes(context);
  const navigations = recordNavigations(context);

  await page.goto("/sessions");
  await expect(page).toHaveURL(/\/sessions$/);
  await expect(page.getByRole("heading", { level: 1, name: "Sessions" })).toBeVisible();
  await expect(page.getByText("This device")).toBeVisible();
  expect(refreshes).toHaveLength(1);
  expect(navigations).toContain("/resume");
  expect(navigations).not.toContain("/signin");
});

test("a replayed stolen refresh cookie revokes the session, and the victim's tab is sent to sign-in", async ({ page, context, origin, openContext }) => {
  const victim = await registerUser(page, origin, "victim");
  await page.goto("/dashboard");
  await expect(page.getByText("No notes yet")).toBeVisible();

  // The thief copies the refresh cookie (malware, a synced profile, a shared machine).
  const stolen = (await context.cookies()).find((cookie) => cookie.name === REFRESH_COOKIE);
  expect(stolen).toBeDefined();

  // The victim keeps working; the token rotates twice as the access token expires.
  const refreshes = recordRefreshes(context);
  for (let rotation = 1; rotation <= 2; rotation++) {
    await expireAccessToken(context);
    await reloadList(page);
    await expect.poll(() => refreshes.length).toBe(rotation);
    expect((await refreshes[rotation - 1]?.response())?.status()).toBe(200);
  }

  // The thief replays the stolen, long-rotated token from another browser.
  const thiefContext = await openContext();
  await thiefContext.addCookies([stolen!]);
  const thief = await thiefContext.newPage();
  await thief.goto("/");
  const replay = await thief.evaluate(async () => (await fetch("/api/auth/refresh", { method: "POST" })).status);
  expect(replay).toBe(401);

  // Reuse revoked the whole session: the victim's next request fails, its refresh fails, and the
  // tab lands on sign-in with a message, ready to come back to the dashboard.
  await reloadList(page);
  await expect(page).toHaveURL(/\/signin\?reason=session-ended&next=%2Fdashboard/);
  await expect(page.getByText("Your session has ended")).toBeVisible();
  expect((await refreshes.at(-1)?.response())?.status()).toBe(401);

  // And the log says why.
  const adminContext = await openContext();
  const admin = await adminContext.newPage();
  await signIn(admin, origin, ADMIN.email, ADMIN.password);
  const audit = await admin.request.get(`/api/admin/audit?type=refresh.reuse_detected&userId=${victim.id}`);
  expect(((await audit.json()) as { total: number }).total).toBe(1);
});
