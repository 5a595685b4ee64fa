import { expect, test } from "./support/fixtures";
import { PASSWORD } from "./support/accounts";
import type { LimitsServer } from "./support/limits-server";
import { SUBJECTS } from "./support/mailbox";
import { fromOutbox, openOutboxMessage, startOutboxServer } from "./support/outbox-server";
import { registerUser, signIn } from "./support/session";

test("changing the password needs the current one and signs out every other session", async ({ page, origin, openContext }) => {
  const user = await registerUser(page, origin, "change-password");
  const otherContext = await openContext();
  const other = await otherContext.newPage();
  await signIn(other, origin, user.email, user.password);

  await page.goto("/account");
  await expect(page.getByRole("button", { name: "Change password" })).toBeEnabled();
  await page.getByLabel("Current password", { exact: true }).fill("not my password at all");
  await page.getByLabel("New password", { exact: true }).fill("a brand new passphrase for autumn");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("Your current password is not correct.")).toBeVisible();

  await page.getByLabel("Current password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("New password", { exact: true }).fill("a brand new passphrase for autumn");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("Password changed.")).toBeVisible();

  // This session carries on; the other one is over.
  expect((await page.request.get("/api/me")).status()).toBe(200);
  expect((await other.request.get("/api/me")).status()).toBe(401);
});

test("deleting the account needs the password, then signs out and the account is gone", async ({ page, origin }) => {
  const user = await registerUser(page, origin, "delete-me");
  await page.goto("/account");
  await expect(page.getByRole("button", { name: "Change password" })).toBeEnabled();
  await page.getByRole("button", { name: "Delete account…" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete your account?" });
  await dialog.getByLabel("Password", { exact: true }).fill("wrong password entirely");
  await dialog.getByRole("button", { name: "Delete my account" }).click();
  await expect(dialog.getByText("Not correct.")).toBeVisible();

  await dialog.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await dialog.getByRole("button", { name: "Delete my account" }).click();
  await expect(page).toHaveURL(/\/signin\?reason=account-deleted$/);
  await expect(page.getByText("Your account and its notes have been deleted.")).toBeVisible();

  const login = await page.request.post("/api/auth/login", { data: { email: user.email, password: PASSWORD }, headers: { origin } });
  expect(login.status()).toBe(401);
});

test.describe("on an instance without a mail relay, where the development outbox is the transport", () => {
  let outbox: LimitsServer;

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    outbox = await startOutboxServer();
  });

  test.afterAll(async () => {
    await outbox?.stop();
  });

  test("a password change sends its owner a notice, which a newcomer reads in the development outbox", async ({ openContext }) => {
    const origin = outbox.origin;
    const page = await (await openContext({ baseURL: origin })).newPage();
    const user = await registerUser(page, origin, "notice", { confirmationLink: fromOutbox });
    await page.goto("/account");
    await expect(page.getByRole("button", { name: "Change password" })).toBeEnabled();
    await page.getByLabel("Current password", { exact: true }).fill(PASSWORD);
    await page.getByLabel("New password", { exact: true }).fill("a brand new passphrase for winter");
    await page.getByRole("button", { name: "Change password" }).click();
    await expect(page.getByText("Password changed.")).toBeVisible();

    const notice = await openOutboxMessage(page, origin, user.email, SUBJECTS.passwordChanged);
    await expect(notice).toContainText("No other device was signed in.");
    // The app's own link is clickable, and leads where it says.
    await notice.getByRole("link", { name: `${origin}/sessions` }).click();
    await expect(page).toHaveURL(`${origin}/sessions`);
  });
});
