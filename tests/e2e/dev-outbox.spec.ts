/**
 * The development outbox (/dev/outbox, lib/mail/transport.ts): where no mail relay is configured,
 * messages are kept and shown there, so a newcomer running the app locally can follow every
 * mailed link; where a relay is configured (the suite's own server sends to its SMTP peer), the
 * page does not exist. The relay-less journeys run on an instance of their own
 * (./support/outbox-server.ts).
 */
import { expect, test } from "./support/fixtures";
import type { LimitsServer } from "./support/limits-server";
import { SUBJECTS } from "./support/mailbox";
import { fromOutbox, openOutboxMessage, startOutboxServer } from "./support/outbox-server";
import { signUp } from "./support/session";

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

test("with a mail relay configured, the development outbox is not there", async ({ page, guard }) => {
  guard.allowStatus(404, /^\/dev\/outbox$/);
  const response = await page.goto("/dev/outbox");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();
});

test.describe("without a mail relay", () => {
  let outbox: LimitsServer;

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    outbox = await startOutboxServer();
  });

  test.afterAll(async () => {
    await outbox?.stop();
  });

  test("a newcomer resets a password through the development outbox", async ({ openContext }) => {
    // Sign-up, two outbox reads, the reset and a sign-in: several argon2 hashes on the server.
    test.setTimeout(60_000);
    const origin = outbox.origin;
    const page = await (await openContext({ baseURL: origin })).newPage();
    const user = await signUp(page, origin, "outbox-reset", { confirmationLink: fromOutbox });
    const newPassword = "lanterns over a sleeping valley";

    await page.goto("/signin");
    await page.getByRole("link", { name: "Forgot your password?" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Forgot your password" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Send reset link" })).toBeEnabled();
    await page.getByLabel("Email", { exact: true }).fill(user.email);
    await page.getByRole("button", { name: "Send reset link" }).click();
    await expect(page.getByText("Check your inbox")).toBeVisible();

    // The message is in the outbox, its link clickable; it opens the reset page.
    const message = await openOutboxMessage(page, origin, user.email, SUBJECTS.reset);
    await message.getByRole("link", { name: new RegExp(`^${escapeRegExp(origin)}/reset-password#token=`) }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Choose a new password" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Reset password" })).toBeEnabled();
    await page.getByLabel("New password", { exact: true }).fill(newPassword);
    await page.getByRole("button", { name: "Reset password" }).click();
    await expect(page.getByText("Your password was reset")).toBeVisible();

    await page.getByRole("main").getByRole("link", { name: "Sign in" }).click();
    await expect(page.getByRole("button", { name: "Sign in" })).toBeEnabled();
    await page.getByLabel("Email address").fill(user.email);
    await page.getByLabel("Password", { exact: true }).fill(newPassword);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(`${origin}/dashboard`);
  });
});
