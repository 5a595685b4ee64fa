/**
 * Sign-up and proving an address, in a real browser, with the mail read from the suite's SMTP peer
 * (./support/mailbox.ts). Sign-up answers alike for a new address and one that has an account
 * (no oracle for which addresses are registered: lib/users/registration.ts); the difference goes
 * only to the address's mailbox.
 */
import type { BrowserContext, Page } from "@playwright/test";
import { expect, test } from "./support/fixtures";
import { PASSWORD, uniqueEmail } from "./support/accounts";
import { linkIn, messagesTo, SUBJECTS, waitForMessage } from "./support/mailbox";
import { ACCESS_COOKIE, REFRESH_COOKIE } from "./support/server-env";

/** Fill in and submit the sign-up form, which the server accepts with 202 whatever the address. */
async function signUpWithForm(page: Page, email: string, name: string): Promise<void> {
  await page.goto("/register");
  await expect(page.getByRole("button", { name: "Create account" })).toBeEnabled();
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  const answered = page.waitForResponse((response) => response.url().endsWith("/api/auth/register"));
  await page.getByRole("button", { name: "Create account" }).click();
  expect((await answered).status()).toBe(202);
}

async function expectCheckYourInbox(page: Page, email: string): Promise<void> {
  await expect(page.getByText("Check your inbox")).toBeVisible();
  await expect(page.getByText(`We sent a message to ${email}. Open the link in it to confirm your address, then sign in.`)).toBeVisible();
  await expect(page.getByRole("link", { name: "Go to sign in" })).toBeVisible();
}

async function sessionCookies(context: BrowserContext): Promise<string[]> {
  return (await context.cookies()).map((cookie) => cookie.name).filter((name) => name === ACCESS_COOKIE || name === REFRESH_COOKIE);
}

async function signInWithForm(page: Page, email: string): Promise<void> {
  await expect(page.getByRole("button", { name: "Sign in" })).toBeEnabled();
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
}

test("a newcomer signs up, is told to check their inbox, confirms the address from the mail, and the reminder goes away", async ({ page, context, origin }) => {
  test.setTimeout(60_000);
  const email = uniqueEmail("newcomer");
  await signUpWithForm(page, email, "Ada Lovelace");
  await expectCheckYourInbox(page, email);
  // Sign-up signs no one in: the account signs in once it exists.
  expect(await sessionCookies(context)).toEqual([]);

  const confirmation = await waitForMessage(email, SUBJECTS.verify);
  const link = linkIn(confirmation, "/verify-email");

  // An unverified account may sign in; every signed-in page reminds it to confirm.
  await page.getByRole("link", { name: "Go to sign in" }).click();
  await signInWithForm(page, email);
  const banner = page.getByText(`Confirm your email address: we sent a link to ${email}.`);
  await expect(banner).toBeVisible();
  await expect(page.getByRole("button", { name: "Send a new link" })).toBeVisible();

  await page.goto(link);
  await expect(page.getByRole("heading", { level: 1, name: "Confirm your email address" })).toBeVisible();
  await expect(page).toHaveURL(`${origin}/verify-email`);
  await page.getByRole("button", { name: "Confirm my email address" }).click();
  await expect(page.getByText("Your email address is confirmed")).toBeVisible();
  await page.getByRole("link", { name: "Continue" }).click();
  await page.waitForURL((url) => url.pathname !== "/verify-email");

  await page.goto("/dashboard");
  await expect(page.getByRole("heading", { level: 1, name: "Notes" })).toBeVisible();
  await expect(banner).toHaveCount(0);
  const me = (await (await page.request.get("/api/me")).json()) as { email: string; emailVerified: boolean };
  expect(me).toMatchObject({ email, emailVerified: true });
});

test("the reminder's button mails a new link, and the newer link is the one that works", async ({ page, origin }) => {
  test.setTimeout(60_000);
  const email = uniqueEmail("resend");
  await signUpWithForm(page, email, "Ada Lovelace");
  const first = linkIn(await waitForMessage(email, SUBJECTS.verify), "/verify-email");
  await page.getByRole("link", { name: "Go to sign in" }).click();
  await signInWithForm(page, email);

  await page.getByRole("button", { name: "Send a new link" }).click();
  const second = linkIn(await waitForMessage(email, SUBJECTS.verify, { count: 2 }), "/verify-email");
  expect(second).not.toBe(first);

  // One live link per purpose: the newer one replaced the first.
  await page.goto(first);
  await page.getByRole("button", { name: "Confirm my email address" }).click();
  await expect(page.getByText("This link has expired or was already used.")).toBeVisible();
  await page.goto("about:blank");
  await page.goto(second);
  await page.getByRole("button", { name: "Confirm my email address" }).click();
  await expect(page.getByText("Your email address is confirmed")).toBeVisible();
  await expect(page).toHaveURL(`${origin}/verify-email`);
});

test("signing up with an address that has an account shows the same answer, and only its mailbox learns the difference", async ({ page, openContext }) => {
  const email = uniqueEmail("twice");
  await signUpWithForm(page, email, "Ada Lovelace");
  await expectCheckYourInbox(page, email);
  await waitForMessage(email, SUBJECTS.verify);

  // Someone else, in another browser, tries the same address.
  const other = await (await openContext()).newPage();
  await signUpWithForm(other, email, "Not Ada");
  await expectCheckYourInbox(other, email);
  expect(await sessionCookies(other.context())).toEqual([]);

  const reminder = await waitForMessage(email, SUBJECTS.accountExists);
  expect(reminder.text).toContain("Nothing was changed.");
  expect(reminder.text).toContain("Hello Ada Lovelace,");
  // The account is the first one: one confirmation message, no second account.
  expect((await messagesTo(email)).filter((message) => SUBJECTS.verify.test(message.subject))).toHaveLength(1);
});
