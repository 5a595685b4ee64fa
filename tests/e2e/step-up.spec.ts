/**
 * The step-up journey against the server's own refusal (ADR 047). The suite's main server asks
 * for a second factor proved within 10 minutes, which no test can wait out, so this one runs on
 * a server of its own that asks for one within 5 seconds (`STEP_UP_MAX_AGE_SECONDS`). Nothing is
 * faked: the 401 with `insufficient_user_authentication` comes from the delete route, the code is
 * checked by the step-up route, and the retried delete is carried out. That server has no mail
 * relay, so the sign-up's confirmation link is read from its development outbox (a second factor
 * needs a confirmed address).
 */
import { expect, test } from "@playwright/test";
import { PASSWORD } from "./support/accounts";
import { enrolThroughApi } from "./support/authenticator";
import { startLimitsServer, type LimitsServer } from "./support/limits-server";
import { fromOutbox } from "./support/outbox-server";
import { registerUser } from "./support/session";

const MAX_AGE_SECONDS = 5;

let server: LimitsServer;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  server = await startLimitsServer(".next", { STEP_UP_MAX_AGE_SECONDS: String(MAX_AGE_SECONDS) }, { from: 3830, to: 3859 });
});

test.afterAll(async () => {
  await server?.stop();
});

test("deleting the account after the second factor went stale: the server asks, a code in the dialog answers, the delete goes through", async ({ browser }) => {
  const context = await browser.newContext({ baseURL: server.origin });
  const page = await context.newPage();
  const user = await registerUser(page, server.origin, "real-step-up", { verified: true, confirmationLink: fromOutbox });
  const { app } = await enrolThroughApi(page, server.origin);
  // Setting the factor up proved it in this session; the server must see that proof go stale.
  await page.waitForTimeout((MAX_AGE_SECONDS + 1) * 1000);

  await page.goto("/account");
  await expect(page.getByRole("button", { name: "Change password" })).toBeEnabled();
  await page.getByRole("button", { name: "Delete account…" }).click();
  const remove = page.getByRole("dialog", { name: "Delete your account?" });
  await remove.getByLabel("Password", { exact: true }).fill(PASSWORD);
  const challenged = page.waitForResponse((response) => response.url().endsWith("/api/me") && response.request().method() === "DELETE");
  await remove.getByRole("button", { name: "Delete my account" }).click();

  const refusal = await challenged;
  expect(refusal.status()).toBe(401);
  expect(refusal.headers()["www-authenticate"]).toBe(
    `Bearer error="insufficient_user_authentication", error_description="A more recent authentication is required", max_age=${MAX_AGE_SECONDS}`,
  );
  const stepUp = page.getByRole("dialog", { name: "Confirm it is you" });
  await expect(stepUp).toBeVisible();
  await stepUp.getByLabel("Authentication code").fill(await app.nextCode());
  await stepUp.getByRole("button", { name: "Confirm" }).click();

  await expect(page).toHaveURL(/\/signin\?reason=account-deleted$/);
  const login = await page.request.post("/api/auth/login", { data: { email: user.email, password: PASSWORD }, headers: { origin: server.origin } });
  expect(login.status()).toBe(401);
  await context.close();
});
