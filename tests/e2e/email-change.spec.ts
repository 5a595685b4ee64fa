/**
 * Changing an account's address, in a real browser, with both mailboxes read from the suite's
 * SMTP peer (./support/mailbox.ts): nothing changes until the new address proves itself, the old
 * address is then told and can put itself back, and putting it back signs every device out
 * (lib/users/email-change.ts). The old mailbox may be anywhere, so the undo link is opened in a
 * browser that was never signed in.
 */
import { expect, test } from "./support/fixtures";
import { PASSWORD, uniqueEmail } from "./support/accounts";
import { linkIn, SUBJECTS, waitForMessage } from "./support/mailbox";
import { registerUser } from "./support/session";

test("changing the address: confirmed from the new mailbox, told to the old one, and undone from there, which signs every device out", async ({
  page,
  origin,
  openContext,
}) => {
  // Three mailboxes' worth of steps, in two browsers.
  test.setTimeout(60_000);
  // Just signed in: the change needs a sign-in from the last ten minutes.
  const user = await registerUser(page, origin, "moving", { verified: true });
  const newEmail = uniqueEmail("moved");

  await page.goto("/account");
  await expect(page.getByRole("heading", { name: "Email address", exact: true })).toBeVisible();
  await expect(page.getByRole("button", { name: "Change email address" })).toBeEnabled();
  await page.getByLabel("New email address").fill(newEmail);
  await page.getByRole("button", { name: "Change email address" }).click();
  await expect(page.getByText(`Check ${newEmail}: the change takes effect when you open the link we sent there.`, { exact: false })).toBeVisible();
  // Nothing has changed yet.
  expect(((await (await page.request.get("/api/me")).json()) as { email: string }).email).toBe(user.email);

  const confirm = linkIn(await waitForMessage(newEmail, SUBJECTS.confirmNewAddress), "/email/confirm");
  await page.goto(confirm);
  await expect(page.getByRole("heading", { level: 1, name: "Confirm your new address" })).toBeVisible();
  await expect(page).toHaveURL(`${origin}/email/confirm`);
  await page.getByRole("button", { name: "Confirm new address" }).click();
  await expect(page.getByText(`Your address is now ${newEmail}`)).toBeVisible();
  expect(((await (await page.request.get("/api/me")).json()) as { email: string }).email).toBe(newEmail);

  // The old address is told, with a link that puts it back.
  const changed = await waitForMessage(user.email, SUBJECTS.addressChanged);
  expect(changed.text).toContain(newEmail);
  const undo = linkIn(changed, "/email/undo");

  const owner = await (await openContext()).newPage();
  await owner.goto(undo);
  await expect(owner.getByRole("heading", { level: 1, name: "Undo the address change" })).toBeVisible();
  await expect(owner).toHaveURL(`${origin}/email/undo`);
  await owner.getByRole("button", { name: "Undo the change" }).click();
  await expect(owner.getByText(`Your address ${user.email} is back`)).toBeVisible();
  // Whoever made the change may know the password: the page points at a reset.
  await expect(owner.getByRole("link", { name: "Reset your password" })).toHaveAttribute("href", /^\/forgot-password/);

  // Every session ended: the browser that made the change is sent to sign in on its next load.
  await page.goto("/account");
  await expect(page).toHaveURL(/\/signin/);
  expect((await page.request.get("/api/me")).status()).toBe(401);

  // The old address signs in again; the account is its own once more.
  const login = await owner.request.post("/api/auth/login", { data: { email: user.email, password: PASSWORD }, headers: { origin } });
  expect(login.status()).toBe(200);
  expect(((await login.json()) as { user: { id: string; email: string } }).user).toMatchObject({ id: user.id, email: user.email });
});
