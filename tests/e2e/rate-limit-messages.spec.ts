/**
 * What a person sees when the `credential` tier (sign-ups and sign-ins per address, ADR 019)
 * refuses them: the truth, that their network is busy, and not that *they* failed to sign in,
 * which is what the sign-in failure tiers' refusal says (tests/e2e/auth.spec.ts). The limit is
 * lowered to 2 on a server of its own, so the third sign-up or sign-in from the address is refused.
 * That server has no mail relay: a sign-up's confirmation message, whose arrival says the account
 * exists, is read from its development outbox.
 */
import { expect, test, type BrowserContext, type Page } from "@playwright/test";
import { PASSWORD, uniqueEmail } from "./support/accounts";
import { startLimitsServer, type LimitsServer } from "./support/limits-server";
import { fromOutbox } from "./support/outbox-server";
import { signUp } from "./support/session";

let server: LimitsServer;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  server = await startLimitsServer(".next", { RATE_LIMIT_CREDENTIAL_MAX: "2" }, { from: 3700, to: 3759 });
});

test.afterAll(async () => {
  await server?.stop();
});

/**
 * Signed out, as a fresh visitor from the same address. The page is left first: a signed-in page
 * whose cookies vanish sends itself to the sign-in page, and that navigation would race the next one.
 */
async function signOut(page: Page, context: BrowserContext): Promise<void> {
  await page.goto("about:blank");
  await context.clearCookies();
}

test("a sign-in refused because the shared address is busy says so, not that the password failed", async ({ browser }) => {
  const context = await browser.newContext({ baseURL: server.origin, extraHTTPHeaders: { "x-forwarded-for": "198.18.41.1" } });
  const page = await context.newPage();
  // One sign-up and one sign-in from this address: the tier's whole budget.
  const user = await signUp(page, server.origin, "busy-network", { confirmationLink: fromOutbox });
  await page.goto("/signin");
  const submit = page.getByRole("button", { name: "Sign in" });
  const signIn = async () => {
    await page.getByLabel("Email address").fill(user.email);
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    const answered = page.waitForResponse((response) => response.url().endsWith("/api/auth/login"));
    await submit.click();
    return answered;
  };
  expect((await signIn()).status()).toBe(200);
  await expect(page).toHaveURL(/\/dashboard$/);
  await signOut(page, context);

  await page.goto("/signin");
  const refused = await signIn();
  expect(refused.status()).toBe(429);
  expect(await refused.json()).toMatchObject({ "violated-policies": ["credential"] });
  await expect(page.getByText("Too many sign-ins from your network")).toBeVisible();
  await expect(page.getByText(/try again in about (a minute|\d+ minutes)/i)).toBeVisible();
  await expect(page.getByText("Too many failed sign-ins")).toHaveCount(0);
  await expect(page.getByText("The email or password is not correct.")).toHaveCount(0);
  await expect(submit).toBeDisabled();
  await expect(page.getByTestId("retry-countdown")).toHaveText(/^\d+:\d{2}$/);
  await context.close();
});

test("a sign-up refused because the shared address is busy says so, and keeps what was typed", async ({ browser }) => {
  const context = await browser.newContext({ baseURL: server.origin, extraHTTPHeaders: { "x-forwarded-for": "198.18.41.2" } });
  const page = await context.newPage();
  await signUp(page, server.origin, "busy-a", { confirmationLink: fromOutbox });
  await signUp(page, server.origin, "busy-b", { confirmationLink: fromOutbox });

  await page.goto("/register");
  const email = uniqueEmail("busy-c");
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Name", { exact: true }).fill("Grace Hopper");
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  const answered = page.waitForResponse((response) => response.url().endsWith("/api/auth/register"));
  await page.getByRole("button", { name: "Create account" }).click();
  expect((await answered).status()).toBe(429);
  await expect(page.getByText("Too many sign-ups from your network")).toBeVisible();
  await expect(page).toHaveURL(/\/register$/);
  await expect(page.getByLabel("Email address")).toHaveValue(email);
  await context.close();
});
