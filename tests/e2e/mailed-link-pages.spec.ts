/**
 * The pages a mailed single-use link opens (MAILED_LINK_PAGES in lib/edge/routes.ts) keep the
 * token in the browser: it rides in the fragment, which no request line or Referer carries; the
 * page takes it out of the address bar; and the pages answer `Referrer-Policy: no-referrer`, so
 * not even their own address leaves with the requests they make (OWASP Forgot Password Cheat
 * Sheet). Only a browser can show what it actually sends, so this watches every request.
 */
import type { Request } from "@playwright/test";
import { expect, test } from "./support/fixtures";

const PAGES = [
  { path: "/reset-password", heading: "Choose a new password", submit: "Reset password", fill: { label: "New password", value: "a fine new passphrase here" } },
  { path: "/verify-email", heading: "Confirm your email address", submit: "Confirm my email address" },
  { path: "/email/confirm", heading: "Confirm your new address", submit: "Confirm new address" },
  { path: "/email/undo", heading: "Undo the address change", submit: "Undo the change" },
] as const;

/** Well formed (43 base64url characters), and unknown to the server: the page cannot tell until it asks. */
const UNKNOWN_TOKEN = "Zq3bY0ac5vJm1kQ2pRrT8wZ4nL6yF9hE0gD7sA1uCqX";

test("the pages a mailed link opens answer Referrer-Policy: no-referrer; the other pages keep the app's default", async ({ request }) => {
  for (const { path } of PAGES) {
    const response = await request.get(path);
    expect(response.status(), path).toBe(200);
    expect(response.headers()["referrer-policy"], path).toBe("no-referrer");
  }
  expect((await request.get("/signin")).headers()["referrer-policy"]).toBe("strict-origin-when-cross-origin");
});

for (const item of PAGES) {
  test(`${item.path}: the token leaves the browser only in the body of the request that spends it, and no request carries a Referer`, async ({
    page,
    context,
    origin,
  }) => {
    const sent: Request[] = [];
    context.on("request", (request) => sent.push(request));

    await page.goto(`${item.path}#token=${UNKNOWN_TOKEN}`);
    await expect(page.getByRole("heading", { level: 1, name: item.heading })).toBeVisible();
    await expect(page.getByRole("button", { name: item.submit })).toBeEnabled();
    // Out of the address bar (and so out of history and bookmarks) once the page has read it.
    await expect(page).toHaveURL(`${origin}${item.path}`);
    // Opening the link asked the server nothing about the token.
    expect(sent.filter((request) => request.method() !== "GET")).toEqual([]);

    if ("fill" in item) await page.getByLabel(item.fill.label, { exact: true }).fill(item.fill.value);
    const spent = page.waitForRequest((request) => request.method() === "POST" && new URL(request.url()).pathname.startsWith("/api/auth/"));
    await page.getByRole("button", { name: item.submit }).click();
    const post = await spent;
    expect(post.postDataJSON()).toMatchObject({ token: UNKNOWN_TOKEN });
    await expect(page.getByText("This link has expired or was already used.")).toBeVisible();

    for (const request of sent) {
      expect(request.url(), "a request URL").not.toContain(UNKNOWN_TOKEN);
      const headers = await request.allHeaders();
      expect(headers.referer, `Referer of ${request.method()} ${request.url()}`).toBeUndefined();
      expect(Object.values(headers).join("\n"), `headers of ${request.url()}`).not.toContain(UNKNOWN_TOKEN);
    }
  });
}
