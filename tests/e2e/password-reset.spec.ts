/**
 * Forgot password, in a real browser, with the link read from a real mailbox (the suite's SMTP
 * peer, ./support/mailbox.ts): the form answers alike for every address, the mailed link opens a
 * page that spends its token only when the person submits a new password, and a reset signs every
 * device out and no one in (lib/users/password-reset.ts, OWASP Forgot Password Cheat Sheet).
 */
import type { Page } from "@playwright/test";
import { expect, test } from "./support/fixtures";
import { PASSWORD, uniqueEmail } from "./support/accounts";
import { linkIn, messagesTo, SUBJECTS, waitForMessage } from "./support/mailbox";
import { ACCESS_COOKIE, REFRESH_COOKIE } from "./support/server-env";
import { registerUser } from "./support/session";

const NEW_PASSWORD = "a quiet harbour after the storm";

/** From the sign-in page's link, ask for a reset link for `email`, as the person would. */
async function askForResetLink(page: Page, email: string): Promise<void> {
  await page.goto("/signin");
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await expect(page).toHaveURL(/\/forgot-password$/);
  await expect(page.getByRole("heading", { level: 1, name: "Forgot your password" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Send reset link" })).toBeEnabled();
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByText("Check your inbox")).toBeVisible();
}

/** On the page a reset link opened: choose `password` and submit it. */
async function chooseNewPassword(page: Page, password: string): Promise<void> {
  await expect(page.getByRole("heading", { level: 1, name: "Choose a new password" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Reset password" })).toBeEnabled();
  await page.getByLabel("New password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Reset password" }).click();
}

async function signInWithForm(page: Page, email: string, password: string): Promise<void> {
  await expect(page.getByRole("button", { name: "Sign in" })).toBeEnabled();
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test("forgot password → mailed link → a new password: every old session is signed out, and the new password signs in", async ({
  page,
  context,
  origin,
  openContext,
}) => {
  // A whole recovery, in two browsers, and several argon2 hashes on the server.
  test.setTimeout(60_000);
  // Signed in elsewhere before the reset is asked for (a sign-in cancels a pending reset link).
  const laptopContext = await openContext();
  const laptop = await laptopContext.newPage();
  const user = await registerUser(laptop, origin, "forgetful");
  await laptop.goto("/dashboard");
  await expect(laptop.getByText("No notes yet")).toBeVisible();

  await askForResetLink(page, user.email);
  const link = linkIn(await waitForMessage(user.email, SUBJECTS.reset), "/reset-password");
  expect(new URL(link).hash).toMatch(/^#token=[A-Za-z0-9_-]{43}$/);

  await page.goto(link);
  await expect(page.getByRole("button", { name: "Reset password" })).toBeEnabled();
  // The page took the token out of its address once it had read it: nothing left to copy or leak.
  await expect(page).toHaveURL(`${origin}/reset-password`);
  await chooseNewPassword(page, NEW_PASSWORD);
  await expect(page.getByText("Your password was reset")).toBeVisible();
  await expect(page.getByRole("main").getByRole("link", { name: "Sign in" })).toHaveAttribute("href", /^\/signin/);
  // A reset signs no one in, not even this browser.
  const cookies = (await context.cookies()).map((cookie) => cookie.name);
  expect(cookies).not.toContain(ACCESS_COOKIE);
  expect(cookies).not.toContain(REFRESH_COOKIE);
  await waitForMessage(user.email, SUBJECTS.passwordReset);

  // The laptop's session ended with the reset: its next page load sends it to sign in.
  await laptop.reload();
  await expect(laptop).toHaveURL(/\/signin/);
  expect((await laptop.request.get("/api/me")).status()).toBe(401);

  // The link was single use.
  await page.goto("about:blank");
  await page.goto(link);
  await chooseNewPassword(page, "yet another passphrase to try");
  await expect(page.getByText("This link has expired or was already used.")).toBeVisible();
  await page.getByRole("link", { name: "Ask for a new link" }).click();
  await expect(page).toHaveURL(/\/forgot-password$/);

  // The old password no longer works; the new one does.
  const old = await page.request.post("/api/auth/login", { data: { email: user.email, password: PASSWORD }, headers: { origin } });
  expect(old.status()).toBe(401);
  await page.goto("/signin");
  await signInWithForm(page, user.email, NEW_PASSWORD);
  await expect(page).toHaveURL(/\/dashboard$/);
});

test("a mail scanner that fetches the reset link spends nothing: the link still works afterwards", async ({ page, origin, request }) => {
  const user = await registerUser(page, origin, "scanned");
  await page.context().clearCookies();
  await askForResetLink(page, user.email);
  const link = linkIn(await waitForMessage(user.email, SUBJECTS.reset), "/reset-password");

  // What a link-checking mail gateway does before the person reads the message: a plain GET of
  // the URL. The fragment never reaches the server, and the page spends the token only on submit.
  const scanned = await request.get(link);
  expect(scanned.status()).toBe(200);
  expect(scanned.headers()["referrer-policy"]).toBe("no-referrer");

  await page.goto(link);
  await chooseNewPassword(page, NEW_PASSWORD);
  await expect(page.getByText("Your password was reset")).toBeVisible();
  const login = await page.request.post("/api/auth/login", { data: { email: user.email, password: NEW_PASSWORD }, headers: { origin } });
  expect(login.status()).toBe(200);
});

test("an address with no account gets the same answer on the page, and its mail says no account uses it", async ({ page }) => {
  const stranger = uniqueEmail("no-account");
  await askForResetLink(page, stranger);
  const message = await waitForMessage(stranger, SUBJECTS.noAccount);
  expect(message.text).toContain("no account uses it");
  // No reset link went to an address without an account.
  expect((await messagesTo(stranger)).filter((mail) => SUBJECTS.reset.test(mail.subject))).toEqual([]);
  expect(() => linkIn(message, "/reset-password")).toThrow();
});
