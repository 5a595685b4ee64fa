import type { Page } from "@playwright/test";
import { expect, test } from "./support/fixtures";
import { ADMIN } from "./support/accounts";
import { registerUser } from "./support/session";

test("a signed-in non-admin gets a 403 from the server on every admin page, and no admin data", async ({ page, origin, guard }) => {
  await registerUser(page, origin, "not-admin");
  guard.allowStatus(403, /^\/admin/);
  for (const path of ["/admin", "/admin/audit", "/admin/clients"]) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(403);
    await expect(page.getByRole("heading", { level: 1, name: "You do not have access to this page" })).toBeVisible();
    await expect(page.getByRole("table")).toHaveCount(0);
  }
  expect((await page.request.get("/api/admin/users")).status()).toBe(403);
  await page.goto("/dashboard");
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" })).toHaveCount(0);
});

async function signInAsAdmin(page: Page, next: string): Promise<void> {
  await page.goto(`/signin?next=${encodeURIComponent(next)}`);
  await expect(page.getByRole("button", { name: "Sign in" })).toBeEnabled();
  await page.getByLabel("Email address").fill(ADMIN.email);
  await page.getByLabel("Password", { exact: true }).fill(ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(new RegExp(`${next.replaceAll("/", "\\/")}$`));
}

test("an admin changes a role after confirming, and the audit log shows the change", async ({ page, openContext, origin }) => {
  const targetContext = await openContext();
  const targetPage = await targetContext.newPage();
  const name = `Grace Hopper ${Date.now().toString(36)}`;
  // Only an account whose address is proved may be made an admin (ADR 045).
  const target = await registerUser(targetPage, origin, "promoted", { name, verified: true });

  await signInAsAdmin(page, "/admin");
  const row = page.getByRole("row").filter({ hasText: target.email });
  await expect(row).toBeVisible();
  await row.getByLabel(`Role of ${name}`).selectOption("admin");
  const dialog = page.getByRole("dialog", { name: `Make ${name} an admin?` });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Change role" }).click();
  await expect(page.getByText(`${name} is now an admin.`)).toBeVisible();
  await expect(row.getByLabel(`Role of ${name}`)).toHaveValue("admin");

  // A role change ends the account's sessions, so the new rights come with a fresh sign-in.
  expect((await targetPage.request.get("/api/me")).status()).toBe(401);

  await page.getByRole("link", { name: "Audit log" }).click();
  await page.getByLabel("Event type").selectOption("role.changed");
  await page.getByLabel("User or session id").fill(target.id);
  await page.getByRole("button", { name: "Apply filters" }).click();
  const event = page.getByTestId("audit-row").filter({ hasText: "role.changed" });
  await expect(event).toHaveCount(1);
  await expect(event).toContainText(target.id);
  await expect(event).toContainText("admin");
});

test("an admin creates a service client and sees its secret exactly once", async ({ page }) => {
  await signInAsAdmin(page, "/admin/clients");
  await expect(page.getByRole("button", { name: "Create client" })).toBeEnabled();
  const name = `Nightly report ${Date.now().toString(36)}`;
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByRole("checkbox", { name: /reports:read/ }).check();
  await page.getByRole("button", { name: "Create client" }).click();

  const secret = page.getByTestId("client-secret");
  await expect(secret).toBeVisible();
  const value = (await secret.textContent()) ?? "";
  expect(value.length).toBeGreaterThan(20);
  await expect(page.getByRole("row").filter({ hasText: name })).toBeVisible();

  await page.getByRole("button", { name: "I have stored it" }).click();
  await expect(page.getByTestId("client-secret-panel")).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole("row").filter({ hasText: name })).toBeVisible();
  expect(await page.content()).not.toContain(value);
});
