/**
 * An instance of the app without a mail relay, beside the suite's own server (which sends its
 * mail to the SMTP peer, ./mail-catcher.ts): there the development outbox (/dev/outbox) is the
 * transport, and the page that shows it exists. It serves the suite's build with the suite's
 * lifted limits, on a fresh embedded database with the suite's admin, at a `localhost` origin
 * (a secure context to Chromium, so the `__Host-` cookies work over http).
 *
 * Mail sent after an answer (sign-up, forgot password) shows up a moment later, so reading the
 * outbox is a bounded wait (../../support/outbox-reader.ts).
 */
import { expect, type Locator, type Page } from "@playwright/test";
import { waitForOutboxMessage } from "../../support/outbox-reader";
import { startLimitsServer, type LimitsServer } from "./limits-server";
import { linkIn, SUBJECTS } from "./mailbox";
import { e2eLimitsEnv } from "./server-env";
import type { ConfirmationLinkSource } from "./session";

/** Beside the limits servers (3700s) and the security suite (3600s). */
const PORTS = { from: 3800, to: 3829 };

export function startOutboxServer(): Promise<LimitsServer> {
  // The suite's build (playwright.config.ts builds into .next), with no SMTP_URL: the outbox.
  return startLimitsServer(".next", e2eLimitsEnv(), PORTS, { seedAdmin: true });
}

/** A sign-up's confirmation link, read from the instance's outbox (for ./session.ts registerUser). */
export const fromOutbox: ConfirmationLinkSource = async (email, baseURL) =>
  linkIn(await waitForOutboxMessage(baseURL, email, SUBJECTS.verify), "/verify-email", baseURL);

/**
 * Open the instance's outbox in `page` once it lists a message to `to` with this subject, and
 * answer that message's card. The wait reads the page over HTTP first, so the browser loads it once.
 */
export async function openOutboxMessage(page: Page, origin: string, to: string, subject: RegExp): Promise<Locator> {
  await waitForOutboxMessage(origin, to, subject);
  await page.goto(`${origin}/dev/outbox`);
  await expect(page.getByRole("heading", { level: 1, name: "Development outbox" })).toBeVisible();
  const message = page
    .getByRole("article")
    .filter({ hasText: to })
    .filter({ has: page.getByRole("heading", { name: subject }) });
  await expect(message).toHaveCount(1);
  return message;
}
