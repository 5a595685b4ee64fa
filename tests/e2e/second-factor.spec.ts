/**
 * Second factors in the browser (docs/decisions/047-second-factor-sign-in-and-step-up.md): an
 * authenticator app set up on the security page from the key the page shows, the sign-in's second
 * step with a code or a recovery code, and the step-up dialog that a sensitive action opens in
 * place. The codes are computed here as a phone would (./support/authenticator.ts), never read
 * from the server. Every new page and dialog is audited with axe and photographed in both colour
 * schemes (test-results/screenshots/).
 */
import { readFileSync } from "node:fs";
import type { Page } from "@playwright/test";
import { expect, test } from "./support/fixtures";
import { PASSWORD } from "./support/accounts";
import { Authenticator, enrolThroughApi, readManualKey } from "./support/authenticator";
import { registerUser } from "./support/session";
import { challenge, checkBothSchemes } from "./support/visual-audit";

const PENDING_SIGN_IN_COOKIE = "__Host-palisade-2fa";

/** The password step of the sign-in form, which for an account with a factor leads to the second step. */
async function signInWithPassword(page: Page, email: string, start = "/signin"): Promise<void> {
  await page.goto(start);
  await expect(page.getByRole("button", { name: "Sign in" })).toBeEnabled();
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/signin\/second-factor\?/);
  await expect(page.getByRole("button", { name: "Verify" })).toBeEnabled();
}

async function signOut(page: Page, origin: string): Promise<void> {
  // Leave the page first: a signed-in page whose session ends sends itself to sign-in, which
  // would race the test's next navigation (net::ERR_ABORTED).
  await page.goto("about:blank");
  const response = await page.request.post("/api/auth/logout", { headers: { origin } });
  expect(response.status()).toBe(204);
}

test.describe.configure({ timeout: 90_000 });

test("an authenticator app set up on the security page is asked for at the next sign-in, which then goes where it was headed", async ({
  page,
  context,
  origin,
}) => {
  const user = await registerUser(page, origin, "totp-enrol", { verified: true });

  // Reached from the account page, and marked as the current section in the main navigation.
  await page.goto("/account");
  await page.getByRole("link", { name: "Manage security" }).click();
  await expect(page).toHaveURL(/\/account\/security$/);
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Security" })).toHaveAttribute("aria-current", "page");
  await expect(page.getByTestId("two-factor-state")).toHaveText("Off");
  await checkBothSchemes(page, "security-off");

  await page.getByRole("button", { name: "Set up an authenticator app" }).click();
  // A sign-in alone does not add a factor: the password is asked for again, in place (ADR 047).
  const reprove = page.getByRole("dialog", { name: "Confirm it is you" });
  await expect(reprove.getByLabel("Password", { exact: true })).toBeFocused();
  await reprove.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await reprove.getByRole("button", { name: "Confirm" }).click();
  await expect(reprove).toBeHidden();
  // The QR code is drawn in the page, with a text alternative; the same key is there to type.
  const qr = page.getByRole("img", { name: /QR code for adding Palisade to an authenticator app/ });
  await expect(qr).toBeVisible();
  expect(await qr.evaluate((svg) => svg.tagName.toLowerCase())).toBe("svg");
  const manualKey = await readManualKey(page);
  const app = new Authenticator(manualKey);
  await checkBothSchemes(page, "security-enrolling");
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin });
  await page.getByRole("button", { name: "Copy key" }).click();
  await expect(page.getByRole("button", { name: "Key copied" })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(manualKey);

  const code = page.getByLabel("Authentication code");
  await expect(code).toHaveAttribute("inputmode", "numeric");
  await code.fill(app.wrongCode());
  await page.getByRole("button", { name: "Turn on" }).click();
  await expect(page.getByText("That code is not correct", { exact: true })).toBeVisible();
  await expect(page.getByTestId("two-factor-state")).toHaveText("Off");

  await code.fill(await app.nextCode());
  await page.getByRole("button", { name: "Turn on" }).click();
  const shown = page.getByRole("list", { name: "Recovery codes" }).getByRole("listitem");
  await expect(shown).toHaveCount(10);
  await expect(page.getByRole("heading", { name: "Save your recovery codes" })).toBeFocused();
  const recoveryCodes = await shown.allTextContents();
  await checkBothSchemes(page, "security-recovery-codes");

  // The download is made in the page: every code, one a line.
  const downloading = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download as a text file" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe("palisade-recovery-codes.txt");
  const file = readFileSync(await download.path(), "utf8");
  for (const recoveryCode of recoveryCodes) expect(file.split("\n")).toContain(recoveryCode);

  // Shown once: after "saved", they are gone from the page.
  await page.getByRole("button", { name: "I have saved them" }).click();
  await expect(page.getByTestId("two-factor-state")).toHaveText("On");
  await expect(page.getByTestId("recovery-codes-remaining")).toHaveText("10 codes left");
  await expect(page.getByRole("list", { name: "Recovery codes" })).toHaveCount(0);
  await checkBothSchemes(page, "security-on");

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin\?reason=signed-out$/);

  // A protected page sends the visitor to sign in, and the second step keeps the way back.
  await page.goto("/account/security");
  await expect(page).toHaveURL(/\/signin\?reason=signin-required&next=%2Faccount%2Fsecurity$/);
  await expect(page.getByRole("button", { name: "Sign in" })).toBeEnabled();
  await page.getByLabel("Email address").fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/signin\/second-factor\?next=%2Faccount%2Fsecurity&methods=totp%2Crecovery-code$/);

  // The password alone opened nothing: no session until the code.
  expect((await page.request.get("/api/me")).status()).toBe(401);
  const field = page.getByLabel("Authentication code");
  await expect(field).toBeFocused();
  await expect(field).toHaveAttribute("autocomplete", "one-time-code");
  await expect(field).toHaveAttribute("inputmode", "numeric");
  await expect(field).toHaveAttribute("pattern", "[0-9]{6}");

  await field.fill(app.wrongCode());
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByText("That code is not correct", { exact: true })).toBeVisible();
  await expect(page).toHaveURL(/\/signin\/second-factor\?next=%2Faccount%2Fsecurity&methods=totp%2Crecovery-code$/);
  await expect(field).toHaveAttribute("aria-invalid", "true");
  await checkBothSchemes(page, "signin-second-factor-wrong-code");

  await field.fill(await app.nextCode());
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL(/\/account\/security$/);
  await expect(page.getByTestId("two-factor-state")).toHaveText("On");

  // A fresh second factor: new codes and turning it off need no step-up now.
  await page.getByRole("button", { name: "Generate new codes" }).click();
  const regenerate = page.getByRole("dialog", { name: "Generate new recovery codes?" });
  await expect(regenerate).toContainText("stop working");
  await regenerate.getByRole("button", { name: "Generate new codes" }).click();
  await expect(shown).toHaveCount(10);
  const fresh = await shown.allTextContents();
  expect(fresh.filter((value) => recoveryCodes.includes(value))).toEqual([]);
  await expect(page.getByText("Your previous recovery codes no longer work.")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Save your recovery codes" })).toBeFocused();
  await page.getByRole("button", { name: "I have saved them" }).click();

  await page.getByRole("button", { name: "Turn off" }).click();
  const turnOff = page.getByRole("dialog", { name: "Turn off two-step verification?" });
  await turnOff.getByRole("button", { name: "Turn off" }).click();
  await expect(page.getByText("Your authenticator app was removed.")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Two-step verification" })).toBeFocused();
  await expect(page.getByTestId("two-factor-state")).toHaveText("Off");
});

test("a recovery code signs in once: the same code is refused the second time", async ({ page, origin }) => {
  const user = await registerUser(page, origin, "recovery-code", { verified: true });
  const { recoveryCodes } = await enrolThroughApi(page, origin);
  const [first, second] = recoveryCodes;
  if (first === undefined || second === undefined) throw new Error("fewer than two recovery codes");

  await signOut(page, origin);
  await signInWithPassword(page, user.email);
  await page.getByRole("button", { name: "Use a recovery code instead" }).click();
  const field = page.getByLabel("Recovery code");
  await expect(field).toBeFocused();
  await checkBothSchemes(page, "signin-second-factor-recovery");
  // As read off paper: lower case, the dashes left out.
  await field.fill(first.toLowerCase().replaceAll("-", " "));
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);

  await signOut(page, origin);
  await signInWithPassword(page, user.email);
  await page.getByRole("button", { name: "Use a recovery code instead" }).click();
  await page.getByLabel("Recovery code").fill(first);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByText("That code is not correct", { exact: true })).toBeVisible();
  await expect(page).toHaveURL(/\/signin\/second-factor\?/);

  await page.getByLabel("Recovery code").fill(second);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await page.goto("/account/security");
  await expect(page.getByTestId("recovery-codes-remaining")).toHaveText("8 codes left");
});

test("a second step whose pending sign-in is gone goes back to the password with a reason", async ({ page, context, origin }) => {
  const user = await registerUser(page, origin, "second-step-expired", { verified: true });
  const { app } = await enrolThroughApi(page, origin);
  await signOut(page, origin);
  await signInWithPassword(page, user.email, "/signin?next=%2Fsessions");
  // What five minutes do to the pending sign-in, without the wait.
  await context.clearCookies({ name: PENDING_SIGN_IN_COOKIE });
  await page.getByLabel("Authentication code").fill(await app.nextCode());
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL(/\/signin\?reason=second-factor-expired&next=%2Fsessions$/);
  await expect(page.getByText("Your sign-in was not finished in time.")).toBeVisible();
});

test("after five wrong codes the second step is paused, with a countdown", async ({ page, origin }) => {
  const user = await registerUser(page, origin, "second-step-limit", { verified: true });
  const { app } = await enrolThroughApi(page, origin);
  await signOut(page, origin);
  await signInWithPassword(page, user.email);
  const field = page.getByLabel("Authentication code");
  const verify = page.getByRole("button", { name: "Verify" });
  for (let attempt = 1; attempt <= 5; attempt++) {
    await field.fill(app.wrongCode());
    const answered = page.waitForResponse((response) => response.url().endsWith("/api/auth/login/second-factor"));
    await verify.click();
    expect((await answered).status()).toBe(401);
  }
  await field.fill(app.wrongCode());
  const limited = page.waitForResponse((response) => response.url().endsWith("/api/auth/login/second-factor"));
  await verify.click();
  expect((await limited).status()).toBe(429);
  await expect(page.getByText("Too many wrong codes")).toBeVisible();
  await expect(page.getByTestId("retry-countdown")).toHaveText(/^\d+:\d{2}$/);
  await expect(verify).toBeDisabled();
  await checkBothSchemes(page, "signin-second-factor-rate-limited");
});

test("deleting the account when the server asks for a fresh second factor: a code in the dialog, then the delete goes through", async ({ page, origin }) => {
  const user = await registerUser(page, origin, "step-up-delete", { verified: true });
  const { app } = await enrolThroughApi(page, origin);
  // Two refusals: one the person cancels, one they answer. Every later request meets the server.
  const refusals = await challenge(page, "**/api/me", "DELETE", ["totp", "recovery-code"], 2);

  await page.goto("/account");
  await expect(page.getByRole("button", { name: "Change password" })).toBeEnabled();
  await page.getByRole("button", { name: "Delete account…" }).click();
  const remove = page.getByRole("dialog", { name: "Delete your account?" });
  await remove.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await remove.getByRole("button", { name: "Delete my account" }).click();

  const stepUp = page.getByRole("dialog", { name: "Confirm it is you" });
  await expect(stepUp).toBeVisible();
  await expect(stepUp.getByLabel("Authentication code")).toBeFocused();
  await checkBothSchemes(page, "step-up-dialog");

  // Cancelled: nothing is deleted, and the refusal is said where the action was asked for.
  await stepUp.getByRole("button", { name: "Cancel" }).click();
  await expect(stepUp).toBeHidden();
  await expect(remove.getByText("Confirm it is you", { exact: true })).toBeVisible();
  expect((await page.request.get("/api/me")).status()).toBe(200);

  await remove.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await remove.getByRole("button", { name: "Delete my account" }).click();
  await expect(stepUp).toBeVisible();
  // The server judges the code: a wrong one is refused, and the dialog stays.
  await stepUp.getByLabel("Authentication code").fill(app.wrongCode());
  await stepUp.getByRole("button", { name: "Confirm" }).click();
  await expect(stepUp.getByText("That code is not correct", { exact: true })).toBeVisible();
  await expect(stepUp.getByLabel("Authentication code")).toHaveAttribute("aria-invalid", "true");
  await checkBothSchemes(page, "step-up-dialog-wrong-code");

  const proved = page.waitForResponse((response) => response.url().endsWith("/api/auth/step-up") && response.status() === 200);
  await stepUp.getByLabel("Authentication code").fill(await app.nextCode());
  await stepUp.getByRole("button", { name: "Confirm" }).click();
  expect(((await (await proved).json()) as { amr: string[] }).amr).toContain("otp");
  // The delete was sent again, once, with the same password, and the server carried it out.
  await expect(page).toHaveURL(/\/signin\?reason=account-deleted$/);
  expect(refusals.passedOn).toBe(1);
  const login = await page.request.post("/api/auth/login", { data: { email: user.email, password: PASSWORD }, headers: { origin } });
  expect(login.status()).toBe(401);
});

test("a step-up asks an account without a factor for its password, and one without any for a new sign-in", async ({ page, origin }) => {
  await registerUser(page, origin, "step-up-password", { verified: true });
  await page.goto("/account");
  await expect(page.getByRole("button", { name: "Change email address" })).toBeEnabled();

  await challenge(page, "**/api/auth/email", "POST", ["password"], 1);
  await page.getByLabel("New email address").fill(`moved-${Date.now().toString(36)}@e2e.test`);
  await page.getByRole("button", { name: "Change email address" }).click();
  const stepUp = page.getByRole("dialog", { name: "Confirm it is you" });
  const password = stepUp.getByLabel("Password", { exact: true });
  await expect(password).toBeFocused();
  await password.fill("not my password at all");
  await stepUp.getByRole("button", { name: "Confirm" }).click();
  await expect(stepUp.getByText("That password is not correct", { exact: true })).toBeVisible();
  await password.fill(PASSWORD);
  await stepUp.getByRole("button", { name: "Confirm" }).click();
  await expect(stepUp).toBeHidden();
  await expect(page.getByText(/the change takes effect when you open the link we sent there/)).toBeVisible();

  // No method this dialog can take (an account that signs in only through a provider): sign in again, and come back.
  await page.unroute("**/api/auth/email");
  await challenge(page, "**/api/auth/email", "POST", [], 1);
  await page.getByLabel("New email address").fill(`again-${Date.now().toString(36)}@e2e.test`);
  await page.getByRole("button", { name: "Change email address" }).click();
  await expect(stepUp).toBeVisible();
  await expect(stepUp).toContainText("Sign in again");
  await checkBothSchemes(page, "step-up-dialog-sign-in-again");
  await stepUp.getByRole("button", { name: "Sign in again" }).click();
  await expect(page).toHaveURL(/\/signin\?reason=reauth-required&next=%2Faccount$/);
  await expect(page.getByText("For your security, sign in again to continue.")).toBeVisible();
});
