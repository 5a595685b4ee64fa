/**
 * Sign-in through an identity provider, in a real browser, against a real OpenID Connect provider
 * (oauth2-mock-server on loopback, tests/support/oidc-provider.ts) that the app reaches through
 * AUTH_OIDC_ISSUER (playwright.config.ts). Nothing of the app is stubbed: the browser follows the
 * real redirects, the app discovers the provider, exchanges the code with PKCE and verifies the
 * signed ID token.
 *
 * The provider runs on 127.0.0.1 and the app on localhost, two different sites, so the browser
 * applies its cross-site cookie rules exactly as it would with GitHub or Google.
 */
import type { BrowserContext, Page } from "@playwright/test";
import { E2E_OIDC_NAME, e2eOidcPort } from "../support/oidc-e2e";
import { TestOidcProvider, type TestIdentity } from "../support/oidc-provider";
import { PASSWORD, uniqueEmail } from "./support/accounts";
import { expect, test } from "./support/fixtures";
import { linkIn, SUBJECTS, tokenOf, waitForMessage } from "./support/mailbox";

const ACCESS = "__Host-palisade-at";
const REFRESH = "__Secure-palisade-rt";

let idp: TestOidcProvider;

test.beforeAll(async ({ baseURL }) => {
  idp = await TestOidcProvider.start(e2eOidcPort(Number(new URL(baseURL as string).port)));
});

test.afterAll(async () => {
  await idp.stop();
});

let people = 0;
function newPerson(email = uniqueEmail("oidc")): TestIdentity & { email: string } {
  people++;
  return { sub: `e2e-${Date.now().toString(36)}-${people}`, email, emailVerified: true, name: `Provider Person ${people}` };
}

/** Start at the broker's sign-in link for the provider and follow every redirect to the end. */
async function signInWithProvider(page: Page, next = "/dashboard"): Promise<URL> {
  await page.goto(`/api/auth/signin/oidc?next=${encodeURIComponent(next)}`);
  return new URL(page.url());
}

/**
 * Follow a link to the broker's sign-in start from a page at `from`, as a click on a
 * "Continue with …" link would: the browser itself decides what `Sec-Fetch-Site` says.
 */
async function followSignInLink(page: Page, from: string, href: string): Promise<void> {
  await page.goto(from);
  await page.evaluate((target) => {
    const link = document.createElement("a");
    link.id = "start-provider-sign-in";
    link.href = target;
    link.textContent = "Continue";
    document.body.append(link);
  }, href);
  await page.locator("#start-provider-sign-in").click();
}

/** Who this browser is signed in as, asked the way the SPA asks (same-origin fetch with cookies). */
async function whoAmI(page: Page): Promise<{ id: string; email: string } | null> {
  return page.evaluate(async () => {
    const response = await fetch("/api/me");
    return response.status === 200 ? ((await response.json()) as { id: string; email: string }) : null;
  });
}

/**
 * Press Connect on the account page and wait until the provider's round trip has loaded the
 * account page anew. The whole trip is one chain of redirects, so the page's URL reads /account
 * throughout and waiting for that URL would return before the trip even starts.
 */
async function connectProvider(page: Page, origin: string): Promise<void> {
  const callback = page.waitForResponse((response) => new URL(response.url()).pathname.startsWith("/api/auth/callback/"));
  const reloaded = page.waitForEvent("load");
  await page.getByRole("button", { name: `Connect ${E2E_OIDC_NAME}` }).click();
  await callback;
  await reloaded;
  await expect(page).toHaveURL(`${origin}/account`);
}

async function cookieNames(context: BrowserContext): Promise<string[]> {
  return (await context.cookies()).map((cookie) => cookie.name);
}

/**
 * Register a password account from `page` and sign that browser in, as the SPA's forms do. The
 * account exists once its confirmation message has arrived (sign-up creates it after answering),
 * and its owner confirms the address with the mailed link: the linking rules are about proved
 * addresses, and a provider that vouches for an address no one proved takes the account over
 * (lib/auth/oauth/linking.ts), which is not what these tests are about.
 */
async function registerWithPassword(page: Page, email: string): Promise<string> {
  await page.goto("/signin");
  const origin = new URL(page.url()).origin;
  const send = (path: string, body: Record<string, string>) =>
    page.evaluate(
      async ({ path, body }) => {
        const response = await fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
        return { status: response.status, body: (await response.json()) as unknown };
      },
      { path, body },
    );
  const registered = await send("/api/auth/register", { email, name: "Password Person", password: PASSWORD });
  if (registered.status !== 202) throw new Error(`register: ${registered.status}`);
  const token = tokenOf(linkIn(await waitForMessage(email, SUBJECTS.verify), "/verify-email", origin));
  const verified = await send("/api/auth/email/verify", { token });
  if (verified.status !== 200) throw new Error(`verify: ${verified.status}`);
  const signedIn = await send("/api/auth/login", { email, password: PASSWORD });
  if (signedIn.status !== 200) throw new Error(`login: ${signedIn.status}`);
  return (signedIn.body as { user: { id: string } }).user.id;
}

test("a first sign-in through the OpenID Connect provider creates the account and ends signed in with our two cookies", async ({ page, context, origin }) => {
  const person = newPerson();
  idp.signInAs(person);

  const landed = await signInWithProvider(page);
  expect(landed.href).toBe(`${origin}/dashboard`);
  expect((await whoAmI(page))?.email).toBe(person.email);
  const names = await cookieNames(context);
  expect(names).toEqual(expect.arrayContaining([ACCESS, REFRESH]));
  // next-auth's own session never exists, and its one-sign-in cookies are spent.
  expect(names.filter((name) => name.includes("next-auth.session-token") || name.includes("next-auth.state"))).toEqual([]);
});

test("a returning provider sign-in, in another browser, reaches the same account", async ({ page, openContext }) => {
  const person = newPerson();
  idp.signInAs(person);
  await signInWithProvider(page);
  const first = await whoAmI(page);
  expect(first).not.toBeNull();

  // This time from a link on our own sign-in page: a same-origin navigation.
  const other = await (await openContext()).newPage();
  await followSignInLink(other, "/signin", "/api/auth/signin/oidc?next=%2Fdashboard");
  await other.waitForURL("**/dashboard");
  expect((await whoAmI(other))?.id).toBe(first?.id);
});

test("a link on another site cannot start a sign-in (Fetch Metadata): refused, and no flow cookie is set", async ({ page, context, origin, guard }) => {
  idp.signInAs(newPerson());
  const refused = page.waitForResponse((response) => response.url().startsWith(`${origin}/api/auth/signin/oidc`));
  // Any page on another site will do; the provider's discovery document is one.
  await followSignInLink(page, `${idp.issuer}/.well-known/openid-configuration`, `${origin}/api/auth/signin/oidc`);
  expect((await refused).status()).toBe(403);
  expect((await cookieNames(context)).filter((name) => name.includes("next-auth"))).toEqual([]);
  // The test provider serves no favicon; its page's 404 for one is not the app's.
  guard.take(/^console error on http:\/\/127\.0\.0\.1:\d+\/.*favicon\.ico/);
});

test("an existing account's email without proof of ownership is refused: no link and no session", async ({ page, context, openContext, origin }) => {
  const email = uniqueEmail("taken");
  await registerWithPassword(await (await openContext()).newPage(), email);

  idp.signInAs(newPerson(email));
  const landed = await signInWithProvider(page);
  expect(`${landed.pathname}${landed.search}`).toBe("/signin?oauth=link-required");
  expect(landed.origin).toBe(origin);
  expect(await whoAmI(page)).toBeNull();
  expect(await cookieNames(context)).not.toContain(ACCESS);

  // Nothing was linked: the same provider account is refused again.
  const again = await signInWithProvider(page);
  expect(again.searchParams.get("oauth")).toBe("link-required");
  expect(await whoAmI(page)).toBeNull();
});

test("a signed-in user links the provider account from the account page, which then signs in to that same account", async ({ page, openContext, origin }) => {
  const userId = await registerWithPassword(page, uniqueEmail("linker"));
  // A different address at the provider: being signed in (just now) is the proof of ownership.
  const person = newPerson();
  idp.signInAs(person);

  // The suite's access tokens live 20 seconds (./support/server-env.ts), and the provider's
  // redirect back is cross-site, so only the access cookie (SameSite=Lax) arrives with it, not the
  // refresh cookie (Strict). The Connect button renews the session before it leaves, which is
  // what lets this work even after the page has been open a while.
  await page.goto("/account");
  await connectProvider(page, origin);
  expect((await whoAmI(page))?.id).toBe(userId);

  const elsewhere = await (await openContext()).newPage();
  await signInWithProvider(elsewhere);
  expect((await whoAmI(elsewhere))?.id).toBe(userId);
});

test("the account page lists a connected provider with when it was connected, and removing it signs the other devices out", async ({
  page,
  openContext,
  origin,
}) => {
  const userId = await registerWithPassword(page, uniqueEmail("unlinker"));
  const person = newPerson();
  idp.signInAs(person);
  await page.goto("/account");
  await connectProvider(page, origin);

  const methods = page.getByRole("list", { name: "Sign-in methods" });
  await expect(methods.getByText("Password")).toBeVisible();
  await expect(methods.getByText(E2E_OIDC_NAME, { exact: true })).toBeVisible();
  await expect(methods.getByText(/^Connected /)).toBeVisible();

  const elsewhere = await (await openContext()).newPage();
  await signInWithProvider(elsewhere);
  expect((await whoAmI(elsewhere))?.id).toBe(userId);

  await methods.getByRole("button", { name: `Remove ${E2E_OIDC_NAME}` }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Remove" }).click();
  await expect(page.getByText(`${E2E_OIDC_NAME} removed.`)).toBeVisible();
  await expect(methods.getByText(E2E_OIDC_NAME, { exact: true })).toHaveCount(0);
  await expect(page.getByRole("button", { name: `Connect ${E2E_OIDC_NAME}` })).toBeVisible();
  expect((await whoAmI(page))?.id).toBe(userId);
  expect(await whoAmI(elsewhere)).toBeNull();
});

test("the owner of an existing account confirms the link with its password on the sign-in page", async ({ page, openContext, origin }) => {
  const email = uniqueEmail("confirms");
  const userId = await registerWithPassword(await (await openContext()).newPage(), email);
  idp.signInAs(newPerson(email));

  const landed = await signInWithProvider(page);
  expect(`${landed.pathname}${landed.search}`).toBe("/signin?oauth=link-required");
  await expect(page.getByRole("heading", { name: `Connect ${E2E_OIDC_NAME}` })).toBeVisible();
  // The account named is the one the server holds for this pending link, not anything from the URL.
  await expect(page.getByLabel("Account")).toHaveValue(email);

  const password = page.getByLabel("Palisade password", { exact: true });
  await password.fill("not the password at all");
  await page.getByRole("button", { name: "Connect and sign in" }).click();
  await expect(page.getByText("That password is not correct.")).toBeVisible();
  expect(await whoAmI(page)).toBeNull();

  await password.fill(PASSWORD);
  await page.getByRole("button", { name: "Connect and sign in" }).click();
  await page.waitForURL(`${origin}/dashboard`);
  expect((await whoAmI(page))?.id).toBe(userId);

  // Linked for good: the provider alone now signs in to that account, in a fresh browser.
  const elsewhere = await (await openContext()).newPage();
  expect((await signInWithProvider(elsewhere)).pathname).toBe("/dashboard");
  expect((await whoAmI(elsewhere))?.id).toBe(userId);
});

test("an account made through the provider adds a password on the account page, and can then sign in with it", async ({ page, openContext, origin }) => {
  const person = newPerson();
  idp.signInAs(person);
  await signInWithProvider(page, "/account");
  await expect(page.getByRole("heading", { name: "Add a password" })).toBeVisible();

  await page.getByLabel("New password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Add password" }).click();
  await expect(page.getByRole("heading", { name: "Change password" })).toBeVisible();

  const other = await (await openContext()).newPage();
  const status = await other.request.post("/api/auth/login", { data: { email: person.email, password: PASSWORD }, headers: { origin } });
  expect(status.status()).toBe(200);
});

test("a callback with a tampered state is rejected and opens no session", async ({ page, context }) => {
  idp.signInAs(newPerson());
  idp.onNextAuthorizeRedirect((url) => url.searchParams.set("state", "attacker-chosen-state"));

  const landed = await signInWithProvider(page);
  expect(`${landed.pathname}${landed.search}`).toBe("/signin?oauth=sign-in-failed");
  expect(await whoAmI(page)).toBeNull();
  expect(await cookieNames(context)).not.toContain(ACCESS);
});

test("a callback without a state is rejected and opens no session", async ({ page, context }) => {
  idp.signInAs(newPerson());
  idp.onNextAuthorizeRedirect((url) => url.searchParams.delete("state"));

  const landed = await signInWithProvider(page);
  expect(`${landed.pathname}${landed.search}`).toBe("/signin?oauth=sign-in-failed");
  expect(await whoAmI(page)).toBeNull();
  expect(await cookieNames(context)).not.toContain(ACCESS);
});

test("the sign-in page offers the configured provider, and its button starts the sign-in", async ({ page, origin }) => {
  await page.goto("/signin?next=%2Fsessions");
  const person = newPerson();
  idp.signInAs(person);
  await page.getByRole("link", { name: `Continue with ${E2E_OIDC_NAME}` }).click();
  // The button carries the page's (server-checked) `next` through the whole round trip.
  await page.waitForURL(`${origin}/sessions`);
  expect((await whoAmI(page))?.email).toBe(person.email);
});

test("a refused provider sign-in shows its fixed message, and a made-up code shows nothing", async ({ page }) => {
  await page.goto("/signin?oauth=email-unverified");
  await expect(page.getByText("The provider did not confirm that this email address is yours.", { exact: false })).toBeVisible();
  await page.goto("/signin?oauth=Call%20us%20on%20555-0100");
  await expect(page.getByRole("heading", { name: "Sign in to Palisade" })).toBeVisible();
  await expect(page.getByText("555-0100")).toHaveCount(0);
  // The form's message slot stays empty: no fixed message either, for a code that is not one.
  await expect(page.locator("form [aria-live]")).toBeEmpty();
});
