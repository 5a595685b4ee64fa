import { expect, test } from "./support/fixtures";
import { PASSWORD, uniqueEmail } from "./support/accounts";
import { linkIn, SUBJECTS, waitForMessage } from "./support/mailbox";
import { createNote, registerUser } from "./support/session";

test("register → confirm from the mail → sign in → dashboard → create, edit and delete a note → reload and stay signed in", async ({ page }) => {
  // A whole first day: sign-up, the mail, sign-in, and every note operation.
  test.setTimeout(60_000);
  const email = uniqueEmail("journey");
  await page.goto("/register");
  // Submit buttons stay disabled until the page is hydrated; typing earlier could be lost.
  await expect(page.getByRole("button", { name: "Create account" })).toBeEnabled();
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Name", { exact: true }).fill("Ada Lovelace");
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("Check your inbox")).toBeVisible();

  // The link in the mail proves the address; then the person signs in.
  await page.goto(linkIn(await waitForMessage(email, SUBJECTS.verify), "/verify-email"));
  await page.getByRole("button", { name: "Confirm my email address" }).click();
  await expect(page.getByText("Your email address is confirmed")).toBeVisible();
  await page.goto("/signin");
  await expect(page.getByRole("button", { name: "Sign in" })).toBeEnabled();
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();

  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole("heading", { level: 1, name: "Notes" })).toBeVisible();
  await expect(page.getByText("No notes yet")).toBeVisible();

  // Create.
  await page.getByLabel("Title", { exact: true }).fill("Groceries");
  await page.getByLabel("Note", { exact: true }).fill("Oat milk, lemons");
  await page.getByRole("button", { name: "Add note" }).click();
  await expect(page.getByRole("link", { name: "Groceries" })).toBeVisible();
  await expect(page.getByText("Oat milk, lemons")).toBeVisible();

  // Edit, on the note's own page.
  await page.getByRole("link", { name: "Groceries" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Edit note" })).toBeVisible();
  await page.getByLabel("Title", { exact: true }).fill("Groceries for Sunday");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Saved.")).toBeVisible();
  await page.getByRole("link", { name: "All notes" }).click();
  await expect(page.getByRole("link", { name: "Groceries for Sunday" })).toBeVisible();

  // Reload: the session lives in cookies, so the user is still signed in and the note is there.
  await page.reload();
  await expect(page).toHaveURL(/\/dashboard/);
  await expect(page.getByRole("link", { name: "Groceries for Sunday" })).toBeVisible();

  // Delete, with confirmation.
  await page.getByRole("button", { name: "Delete “Groceries for Sunday”" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete this note?" });
  await dialog.getByRole("button", { name: "Delete note" }).click();
  await expect(page.getByText("No notes yet")).toBeVisible();
  await page.reload();
  await expect(page.getByRole("heading", { level: 1, name: "Notes" })).toBeVisible();
  await expect(page.getByText("No notes yet")).toBeVisible();
});

test("user B can neither see nor open user A's note by URL: the same 404 as a note that never existed", async ({ page, origin, openContext, guard }) => {
  await registerUser(page, origin, "alice", { name: "Alice" });
  const id = await createNote(page, origin, "Alice's diary", "Dear diary");
  await page.goto(`/notes/${id}`);
  await expect(page.getByLabel("Title", { exact: true })).toHaveValue("Alice's diary");

  const bobContext = await openContext();
  const bob = await bobContext.newPage();
  await registerUser(bob, origin, "bob", { name: "Bob" });
  guard.allowStatus(404, /^\/notes\//);

  const response = await bob.goto(`/notes/${id}`);
  expect(response?.status()).toBe(404);
  await expect(bob.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();
  await expect(bob.getByText("Alice's diary")).toHaveCount(0);
  await expect(bob.getByText("Dear diary")).toHaveCount(0);

  const missing = await bob.goto(`/notes/c${"0".repeat(24)}`);
  expect(missing?.status()).toBe(404);
  await expect(bob.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();

  // Nor through the API, nor in Bob's own list.
  expect((await bob.request.get(`/api/notes/${id}`)).status()).toBe(404);
  await bob.goto("/dashboard");
  await expect(bob.getByText("No notes yet")).toBeVisible();
});
