import { expect, test } from "./support/fixtures";
import { PASSWORD, uniqueEmail } from "./support/accounts";
import { AUTH_ACCOUNT_MAX } from "./support/server-env";
import { registerUser } from "./support/session";

test("after repeated failed sign-ins the form shows a countdown from Retry-After and stays disabled", async ({ page }) => {
  // The limit is per account name typed, whether or not the account exists.
  const email = uniqueEmail("locked");
  await page.goto("/signin");
  const submit = page.getByRole("button", { name: "Sign in" });
  await expect(submit).toBeEnabled();
  for (let attempt = 1; attempt <= AUTH_ACCOUNT_MAX; attempt++) {
    await page.getByLabel("Email address").fill(email);
    await page.getByLabel("Password", { exact: true }).fill(`not the password ${attempt}`);
    const answered = page.waitForResponse((response) => response.url().endsWith("/api/auth/login"));
    await submit.click();
    expect((await answered).status()).toBe(401);
    // The same words whatever went wrong: nothing tells a guesser that an account exists.
    await expect(page.getByText("The email or password is not correct.")).toBeVisible();
  }

  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill("one more guess");
  const limited = page.waitForResponse((response) => response.url().endsWith("/api/auth/login"));
  await submit.click();
  const response = await limited;
  expect(response.status()).toBe(429);
  expect(Number(response.headers()["retry-after"])).toBeGreaterThan(0);

  await expect(page.getByText("Too many failed sign-ins")).toBeVisible();
  const countdown = page.getByTestId("retry-countdown");
  await expect(countdown).toHaveText(/^\d+:\d{2}$/);
  await expect(submit).toBeDisabled();
  // It counts down: the text changes on its own.
  const shown = await countdown.textContent();
  await expect(countdown).not.toHaveText(shown ?? "");
});

test("sign-up validates inline with the server's own schema, and shows the server's verdict on a common password", async ({ page }) => {
  await page.goto("/register");
  await expect(page.getByRole("button", { name: "Create account" })).toBeEnabled();
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("Enter a valid email address.")).toBeVisible();
  await expect(page.getByText("Enter your name.")).toBeVisible();
  await expect(page.getByLabel("Email address")).toHaveAttribute("aria-invalid", "true");

  const password = page.getByLabel("Password", { exact: true });
  await password.fill("short");
  await expect(page.getByTestId("password-hint")).toHaveText(/^10 more characters needed/);
  await password.fill("lowercase words only are fine");
  await expect(page.getByTestId("password-hint")).toHaveText("A strong passphrase.");

  // Long enough for the browser, but on the server's list of leaked passwords.
  await page.getByLabel("Email address").fill(uniqueEmail("common"));
  await page.getByLabel("Name", { exact: true }).fill("Charles Babbage");
  await password.fill("mailcreated5240");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("This password is on a list of commonly used passwords.")).toBeVisible();
  await expect(page).toHaveURL(/\/register$/);
});

test("a protected page redirects before rendering anything, and sign-in returns there; a hostile next is ignored", async ({ page, origin, openContext }) => {
  // Nothing of the account page is sent to a visitor without a session: just a redirect.
  const direct = await page.request.get("/account", { maxRedirects: 0 });
  expect(direct.status()).toBe(307);
  expect(direct.headers().location).toBe("/resume?next=%2Faccount");
  expect(await direct.text()).not.toContain("Change password");

  const setup = await (await openContext()).newPage();
  const user = await registerUser(setup, origin, "returning");

  await page.goto("/account");
  await expect(page).toHaveURL(/\/signin\?reason=signin-required&next=%2Faccount$/);
  await expect(page.getByText("Sign in to continue.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Sign in" })).toBeEnabled();
  await page.getByLabel("Email address").fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole("heading", { level: 1, name: "Account" })).toBeVisible();
});

test("sign-in never follows an open redirect", async ({ page, origin, openContext }) => {
  const setup = await (await openContext()).newPage();
  const user = await registerUser(setup, origin, "redirect");
  await page.goto("/signin?next=%2F%5Cevil.example%2F&reason=%3Cb%3Eyour+account+is+locked%3C%2Fb%3E");
  // An unknown reason is not echoed: the page prints only its own fixed messages.
  await expect(page.getByText("your account is locked")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Sign in" })).toBeEnabled();
  await page.getByLabel("Email address").fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(`${origin}/dashboard`);
});
