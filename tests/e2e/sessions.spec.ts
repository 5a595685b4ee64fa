import { expect, test } from "./support/fixtures";
import { recordRefreshes, registerUser, signIn } from "./support/session";

const LAPTOP = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) Gecko/20100101 Firefox/132.0";

test("revoking the other session from the sessions page: that browser loses access at its next refresh", async ({ page, origin, openContext }) => {
  const user = await registerUser(page, origin, "two-devices");
  const laptopContext = await openContext({ userAgent: LAPTOP });
  const laptop = await laptopContext.newPage();
  await signIn(laptop, origin, user.email, user.password);
  await laptop.goto("/dashboard");
  // The list loads from the browser, so once it shows, the page is interactive.
  await expect(laptop.getByText("No notes yet")).toBeVisible();

  await page.goto("/sessions");
  const rows = page.getByTestId("session-row");
  await expect(rows).toHaveCount(2);
  await expect(rows.filter({ hasText: "This device" })).toHaveCount(1);
  const other = rows.filter({ hasText: "Firefox on macOS" });
  // Device, address (unknown here: no trusted proxy reports it), sign-in time and last use.
  await expect(other).toContainText("Address");
  await expect(other).toContainText("Last active");
  await other.getByRole("button", { name: /^Sign out Firefox on macOS/ }).click();
  await expect(page.getByText("Signed out Firefox on macOS.")).toBeVisible();
  await expect(rows).toHaveCount(1);

  // The laptop still holds a signed access token, but its session is gone: the API refuses it,
  // the refresh is refused too, and the laptop is sent to sign-in.
  const refreshes = recordRefreshes(laptopContext);
  await laptop.getByRole("button", { name: /^(Ascending|Descending)$/ }).click();
  await expect(laptop).toHaveURL(/\/signin\?reason=session-ended/);
  expect(refreshes).toHaveLength(1);
  expect((await refreshes[0]?.response())?.status()).toBe(401);
  expect((await laptop.request.get("/api/me")).status()).toBe(401);
});

test("sign out everywhere ends every session: this tab, the other tabs at once, and other browsers", async ({ page, context, origin, openContext }) => {
  const user = await registerUser(page, origin, "everywhere");
  const otherTab = await context.newPage();
  await otherTab.goto("/dashboard");
  // Loaded from the browser: the tab is hydrated and listening on the BroadcastChannel.
  await expect(otherTab.getByText("No notes yet")).toBeVisible();
  const phoneContext = await openContext();
  const phone = await phoneContext.newPage();
  await signIn(phone, origin, user.email, user.password);

  await page.goto("/sessions");
  await expect(page.getByTestId("session-row")).toHaveCount(2);
  await page.getByRole("button", { name: "Sign out everywhere" }).click();
  await page.getByRole("dialog", { name: "Sign out on every device?" }).getByRole("button", { name: "Sign out everywhere" }).click();

  await expect(page).toHaveURL(/\/signin\?reason=signed-out-everywhere$/);
  await expect(page.getByText("You have signed out on every device.")).toBeVisible();
  // The other tab heard it on the BroadcastChannel and left without waiting for a request.
  await expect(otherTab).toHaveURL(/\/signin\?reason=signed-out-everywhere$/);
  // The phone's session is gone on the server.
  expect((await phone.request.get("/api/me")).status()).toBe(401);
  await phone.goto("/dashboard");
  await expect(phone).toHaveURL(/\/signin\?reason=signin-required&next=/);
});
