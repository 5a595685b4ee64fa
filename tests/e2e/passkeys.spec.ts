/**
 * Passkeys in the browser (docs/decisions/047-second-factor-sign-in-and-step-up.md, decisions 10
 * to 13): adding, renaming and removing one on the security page, the second step of a sign-in
 * and the step-up dialog answered with one, and a passwordless sign-in.
 *
 * The authenticator is Chromium's virtual one, driven through the DevTools protocol: a
 * platform authenticator with resident keys and user verification, which answers without a
 * prompt. Only a real browser proves these flows: the origin and RP ID the browser writes into
 * the signed client data are what the server checks, and the page's CSP must let the ceremony run.
 */
import type { CDPSession, Page } from "@playwright/test";
import { expect, test } from "./support/fixtures";
import { PASSWORD } from "./support/accounts";
import { reprovePassword } from "./support/authenticator";
import { registerUser } from "./support/session";
import { challenge, checkBothSchemes } from "./support/visual-audit";

interface VirtualAuthenticator {
  cdp: CDPSession;
  authenticatorId: string;
  /** Whether the next ceremony verifies the user: false makes the browser refuse, as a closed prompt does. */
  verifyUser: (verified: boolean) => Promise<void>;
  credentialCount: () => Promise<number>;
}

async function virtualAuthenticator(page: Page): Promise<VirtualAuthenticator> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return {
    cdp,
    authenticatorId,
    verifyUser: async (isUserVerified) => {
      await cdp.send("WebAuthn.setUserVerified", { authenticatorId, isUserVerified });
    },
    credentialCount: async () => (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials.length,
  };
}

/** Add a passkey named `name` on the security page, and go past the recovery codes when it brings them. */
async function addPasskey(page: Page, name: string): Promise<string[]> {
  await page.goto("/account/security");
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await page.getByLabel("Passkey name").fill(name);
  await page.getByRole("button", { name: "Create passkey" }).click();
  const codes = page.getByRole("list", { name: "Recovery codes" }).getByRole("listitem");
  await expect(codes.first().or(page.getByText(`Passkey “${name}” added.`))).toBeVisible();
  const shown = await codes.allTextContents();
  if (shown.length > 0) await page.getByRole("button", { name: "I have saved them" }).click();
  await expect(page.getByTestId("passkey").filter({ hasText: name })).toBeVisible();
  return shown;
}

async function signOut(page: Page, origin: string): Promise<void> {
  // Leave the page first: a signed-in page whose session ends sends itself to sign-in, which
  // would race the test's next navigation (net::ERR_ABORTED).
  await page.goto("about:blank");
  const response = await page.request.post("/api/auth/logout", { headers: { origin } });
  expect(response.status()).toBe(204);
}

test.describe.configure({ timeout: 120_000 });

test("a passkey added on the security page comes with recovery codes, is offered first at the next sign-in and signs in; removing it asks for it in the step-up dialog", async ({
  page,
  origin,
}) => {
  const authenticator = await virtualAuthenticator(page);
  const user = await registerUser(page, origin, "passkey-add", { verified: true });
  // Adding a first factor asks for the password again (ADR 047); the TOTP journey types it in the dialog.
  await reprovePassword(page, origin);

  await page.goto("/account/security");
  await expect(page.getByRole("heading", { name: "Passkeys" })).toBeVisible();
  await expect(page.getByText("You have no passkeys yet.")).toBeVisible();
  await checkBothSchemes(page, "security-passkeys-none");

  await page.getByRole("button", { name: "Add a passkey" }).click();
  const name = page.getByLabel("Passkey name");
  // Focus goes to the name, which starts as the browser and system the person is using.
  await expect(name).toBeFocused();
  await expect(name).toHaveValue(/^Chrome on \w+/);
  await checkBothSchemes(page, "security-passkey-adding");

  // A ceremony the person does not finish: nothing is made, and the page says so calmly.
  await authenticator.verifyUser(false);
  await page.getByRole("button", { name: "Create passkey" }).click();
  await expect(page.getByText("The passkey was not created.")).toBeVisible();
  // Announced politely: a choice the person made, not an alarm.
  await expect(page.locator('[aria-live="polite"]').filter({ hasText: "The passkey was not created." })).toHaveCount(1);
  expect(await authenticator.credentialCount()).toBe(0);
  await checkBothSchemes(page, "security-passkey-not-created");

  await authenticator.verifyUser(true);
  await name.fill("E2E laptop");
  await page.getByRole("button", { name: "Create passkey" }).click();

  // The account's first second factor: its recovery codes, shown once, as with an authenticator app.
  const shown = page.getByRole("list", { name: "Recovery codes" }).getByRole("listitem");
  await expect(shown).toHaveCount(10);
  await expect(page.getByRole("heading", { name: "Save your recovery codes" })).toBeFocused();
  await expect(page.getByText("If you lose the devices that hold your passkeys")).toBeVisible();
  await checkBothSchemes(page, "security-passkey-recovery-codes");
  await page.getByRole("button", { name: "I have saved them" }).click();
  await expect(page.getByRole("list", { name: "Recovery codes" })).toHaveCount(0);
  await expect(page.getByText("Passkey “E2E laptop” added.")).toBeVisible();
  expect(await authenticator.credentialCount()).toBe(1);

  const row = page.getByTestId("passkey");
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("E2E laptop");
  await expect(row).toContainText("Not used yet");
  await expect(row).toContainText(/Synced|This device only/);
  await expect(page.getByTestId("two-factor-state")).toHaveText("On");
  await expect(page.getByTestId("recovery-codes-remaining")).toHaveText("10 codes left");
  await checkBothSchemes(page, "security-passkeys");

  // Renamed in a small dialog, whose field takes focus with the current name in it.
  await page.getByRole("button", { name: "Rename E2E laptop" }).click();
  const rename = page.getByRole("dialog", { name: "Rename passkey" });
  const field = rename.getByLabel("Name", { exact: true });
  await expect(field).toBeFocused();
  await expect(field).toHaveValue("E2E laptop");
  await field.fill("   ");
  await rename.getByRole("button", { name: "Save" }).click();
  await expect(rename.getByText("Give the passkey a name.")).toBeVisible();
  await checkBothSchemes(page, "security-passkey-rename");
  await field.fill("Work laptop");
  await rename.getByRole("button", { name: "Save" }).click();
  await expect(rename).toBeHidden();
  await expect(page.getByText("Renamed to “Work laptop”.")).toBeVisible();
  await expect(row).toContainText("Work laptop");

  // The password alone opens nothing: the second step offers the passkey first.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin\?reason=signed-out$/);
  await expect(page.getByRole("button", { name: "Sign in", exact: true })).toBeEnabled();
  await page.getByLabel("Email address").fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/signin\/second-factor\?(?:.*&)?methods=passkey%2Crecovery-code$/);
  expect((await page.request.get("/api/me")).status()).toBe(401);
  const usePasskey = page.getByRole("button", { name: "Use a passkey", exact: true });
  await expect(usePasskey).toBeFocused();
  // The authenticator app is not set up, so the only alternative is a recovery code.
  await expect(page.getByRole("button", { name: "Use a recovery code instead" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Use your authenticator app instead" })).toHaveCount(0);
  await checkBothSchemes(page, "signin-second-factor-passkey");

  const finished = page.waitForResponse((response) => response.url().endsWith("/api/auth/login/second-factor"));
  await usePasskey.click();
  expect((await finished).status()).toBe(200);
  await expect(page).toHaveURL(/\/dashboard$/);

  await page.goto("/account/security");
  await expect(row).toContainText("Last used");

  // Removing is a lost way in: the server asks for a fresh proof first (played here, as the
  // session has just proved one), and the dialog offers the passkey before a code.
  const refusals = await challenge(page, "**/api/auth/passkeys/*", "DELETE", ["passkey", "recovery-code"], 1);
  await page.getByRole("button", { name: "Remove Work laptop" }).click();
  const remove = page.getByRole("dialog", { name: "Remove this passkey?" });
  await expect(remove).toContainText("It is your only second factor");
  await checkBothSchemes(page, "security-passkey-remove");
  await remove.getByRole("button", { name: "Remove", exact: true }).click();

  const stepUp = page.getByRole("dialog", { name: "Confirm it is you" });
  const stepUpPasskey = stepUp.getByRole("button", { name: "Use a passkey", exact: true });
  await expect(stepUpPasskey).toBeFocused();
  await expect(stepUp.getByRole("button", { name: "Use a recovery code instead" })).toBeVisible();
  await checkBothSchemes(page, "step-up-dialog-passkey");

  // A ceremony not finished leaves the dialog open, said calmly; the next one proves it.
  await authenticator.verifyUser(false);
  await stepUpPasskey.click();
  await expect(stepUp.getByText("The passkey was not used.")).toBeVisible();
  await authenticator.verifyUser(true);
  const proved = page.waitForResponse((response) => response.url().endsWith("/api/auth/step-up") && response.status() === 200);
  await stepUpPasskey.click();
  const amr = ((await (await proved).json()) as { amr: string[] }).amr;
  expect(amr.some((method) => method === "swk" || method === "hwk")).toBe(true);

  await expect(page.getByText("Passkey “Work laptop” removed.")).toBeVisible();
  expect(refusals.passedOn).toBe(1);
  await expect(page.getByRole("heading", { name: "Passkeys" })).toBeFocused();
  await expect(page.getByText("You have no passkeys yet.")).toBeVisible();
  await expect(page.getByTestId("two-factor-state")).toHaveText("Off");
});

test("a passkey signs in from the sign-in page with no password and no second step; a removed one is refused with the one generic answer", async ({
  page,
  origin,
}) => {
  const authenticator = await virtualAuthenticator(page);
  const user = await registerUser(page, origin, "passkey-passwordless", { verified: true });
  await reprovePassword(page, origin);
  await addPasskey(page, "Phone");
  await signOut(page, origin);

  await page.goto("/signin?next=%2Fsessions");
  const continueWithPasskey = page.getByRole("button", { name: "Continue with a passkey" });
  await expect(continueWithPasskey).toBeEnabled();

  // Closed without choosing: nothing happens, said calmly.
  await authenticator.verifyUser(false);
  await continueWithPasskey.click();
  await expect(page.getByText("The passkey was not used.")).toBeVisible();
  await checkBothSchemes(page, "signin-passkey-not-used");

  await authenticator.verifyUser(true);
  const signedIn = page.waitForResponse((response) => response.url().endsWith("/api/auth/passkeys/authentication"));
  await continueWithPasskey.click();
  expect((await signedIn).status()).toBe(200);
  await expect(page).toHaveURL(/\/sessions$/);
  const me = await page.request.get("/api/me");
  expect(me.status()).toBe(200);
  expect(((await me.json()) as { email: string }).email).toBe(user.email);

  // Removed from the account while the authenticator keeps it: the same answer as any refusal.
  await page.goto("/account/security");
  await page.getByRole("button", { name: "Remove Phone" }).click();
  await page.getByRole("dialog", { name: "Remove this passkey?" }).getByRole("button", { name: "Remove", exact: true }).click();
  await expect(page.getByText("Passkey “Phone” removed.")).toBeVisible();
  expect(await authenticator.credentialCount()).toBe(1);
  await signOut(page, origin);

  await page.goto("/signin");
  await expect(continueWithPasskey).toBeEnabled();
  const refused = page.waitForResponse((response) => response.url().endsWith("/api/auth/passkeys/authentication"));
  await continueWithPasskey.click();
  expect((await refused).status()).toBe(401);
  await expect(page.getByText("That passkey did not sign you in.")).toBeVisible();
  await expect(page).toHaveURL(/\/signin$/);
  expect((await page.request.get("/api/me")).status()).toBe(401);
  await checkBothSchemes(page, "signin-passkey-refused");
});
