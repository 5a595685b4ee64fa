/**
 * A person using Palisade for a quarter of an hour, as the rate limits must allow it: four short
 * visits from one browser (sign up, confirm the address from the mail, sign in, write notes, look
 * around, reload, sign out; then come back three times), 45 actions in all, with link prefetching
 * on as Next.js ships it. The benchmark
 * (bench/human-session.ts) counts what this sends to each rate-limit tier; the end-to-end test
 * (tests/e2e/rate-limit-human.spec.ts) runs ten of them behind one address and expects no 429.
 *
 * Every step goes through the page as a person would (clicks, typing, reloads), never through
 * the API directly, so page loads, RSC navigations and prefetches all happen as they do in use.
 * The one thing a person does outside the browser, reading their mail, is read for them: by
 * default from the server's development outbox (the instances this runs against have no relay),
 * over HTTP from an address of its own, so the reading is not counted as the person's requests.
 */
import { expect as baseExpect, type Page } from "@playwright/test";
import { waitForOutboxMessage } from "../../support/outbox-reader";
import { PASSWORD } from "./accounts";

// Several people share one server in the office test and the benchmark, on two cores: a person
// waits a few seconds for a page without giving up, and so does this session.
const expect = baseExpect.configure({ timeout: 20_000 });

/** Actions in one session: 15 on the first visit, 10 on each of the three after it. */
export const HUMAN_SESSION_ACTIONS = 45;

/** Where the default mail reader's requests come from: not the person's address (TEST-NET-1). */
const MAIL_READER_ADDRESS = "192.0.2.201";

/** The sign-up's confirmation link, from the development outbox of the server at `baseURL`. */
async function confirmationLinkFromOutbox(baseURL: string, email: string): Promise<string> {
  const message = await waitForOutboxMessage(baseURL, email, /^Confirm your email address/, { headers: { "x-forwarded-for": MAIL_READER_ADDRESS } });
  const link = /https?:\/\/\S+\/verify-email#token=[A-Za-z0-9_-]{43}/.exec(message.text)?.[0];
  if (link === undefined) throw new Error(`no confirmation link in the message to ${email}`);
  return link;
}

/** A person's session lasts 15 minutes: about 22 s of reading or typing between actions. */
export const HUMAN_SESSION_SECONDS = 15 * 60;

export interface HumanSessionOptions {
  /** The origin the page is on, e.g. http://127.0.0.1:3100. */
  baseURL: string;
  email: string;
  name?: string;
  /**
   * How much faster than a person: 1 spends the full 15 minutes, 30 spends 30 s. The request
   * pattern is the same at any speed; only the think time between actions shrinks.
   */
  speedUp: number;
  /** Called once per action, after it settled (for progress and per-action counts). */
  onAction?: (n: number, what: string) => void;
  /** The link in the confirmation message sign-up mails `email`; read from the server's development outbox unless told. */
  confirmationLink?: (email: string) => Promise<string>;
}

/** Run the whole session in `page`. Throws (through `expect`) if any step does not land where a person would expect. */
export async function humanSession(page: Page, options: HumanSessionOptions): Promise<void> {
  const thinkMs = (HUMAN_SESSION_SECONDS * 1000) / HUMAN_SESSION_ACTIONS / options.speedUp;
  let done = 0;
  const act = async (what: string, step: () => Promise<void>) => {
    await step();
    done += 1;
    options.onAction?.(done, what);
    // Reading the page before the next click: the browser's prefetches happen in this time.
    await page.waitForTimeout(thinkMs);
  };
  const url = (path: string) => new URL(path, options.baseURL).toString();
  const notesHeading = () => expect(page.getByRole("heading", { level: 1, name: "Notes" })).toBeVisible();
  const nav = (label: string) => page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: label, exact: true });

  const addNote = async (title: string) => {
    await page.getByLabel("Title", { exact: true }).fill(title);
    await page.getByLabel("Note", { exact: true }).fill(`Written at ${new Date().toISOString()}`);
    await page.getByRole("button", { name: "Add note" }).click();
    await expect(page.getByRole("link", { name: title })).toBeVisible();
  };
  const openNote = async (title: string) => {
    await page.getByRole("link", { name: title }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Edit note" })).toBeVisible();
  };
  const signOut = async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/signin/);
  };

  // Every visit starts on the landing page and follows one of its links to a form.
  const arrive = async (link: string, submit: string) => {
    await act("open the landing page", async () => {
      await page.goto(url("/"));
      await expect(page.getByRole("heading", { level: 1, name: "Palisade" })).toBeVisible();
    });
    await act(`follow ${link}`, async () => {
      await page.getByRole("main").getByRole("link", { name: link }).click();
      await expect(page.getByRole("button", { name: submit })).toBeEnabled();
    });
  };

  const signIn = async () => {
    await page.getByLabel("Email address").fill(options.email);
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await notesHeading();
  };

  // First visit: a newcomer signs up from the landing page, confirms the address from the
  // message it sends, and signs in.
  await arrive("Create an account", "Create account");
  await act("sign up", async () => {
    await page.getByLabel("Email address").fill(options.email);
    await page.getByLabel("Name", { exact: true }).fill(options.name ?? "Ada Lovelace");
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.getByText("Check your inbox")).toBeVisible();
  });
  await act("open the link in the confirmation message", async () => {
    const link = await (options.confirmationLink ?? ((email) => confirmationLinkFromOutbox(options.baseURL, email)))(options.email);
    await page.goto(link);
    await expect(page.getByRole("button", { name: "Confirm my email address" })).toBeEnabled();
  });
  await act("confirm the address", async () => {
    await page.getByRole("button", { name: "Confirm my email address" }).click();
    await expect(page.getByText("Your email address is confirmed")).toBeVisible();
  });
  // Continue leads to the notes, which sends a signed-out person to sign in first.
  await act("continue", async () => {
    await page.getByRole("link", { name: "Continue" }).click();
    await expect(page.getByRole("button", { name: "Sign in" })).toBeEnabled();
  });
  await act("sign in", signIn);
  await act("add a note", () => addNote("Groceries"));
  await act("add another note", () => addNote("Call the plumber"));
  await act("open a note", () => openNote("Groceries"));
  await act("edit and save it", async () => {
    await page.getByLabel("Title", { exact: true }).fill("Groceries for Sunday");
    await page.getByRole("button", { name: "Save changes" }).click();
    await expect(page.getByText("Saved.")).toBeVisible();
  });
  await act("look at the sessions", async () => {
    await nav("Sessions").click();
    await expect(page.getByRole("heading", { level: 1, name: "Sessions" })).toBeVisible();
  });
  await act("look at the account", async () => {
    await nav("Account").click();
    await expect(page.getByRole("heading", { level: 1, name: "Account" })).toBeVisible();
  });
  await act("reload", async () => {
    await page.reload();
    await expect(page.getByRole("heading", { level: 1, name: "Account" })).toBeVisible();
  });
  await act("sign out", signOut);

  // Three more visits: come back, sign in, do a little, leave.
  for (let visit = 2; visit <= 4; visit++) {
    await arrive("Sign in", "Sign in");
    await act("sign in", signIn);
    const title = `Visit ${visit}`;
    await act("add a note", () => addNote(title));
    await act("open it", () => openNote(title));
    await act("back to all notes", async () => {
      await page.getByRole("link", { name: "All notes" }).click();
      await notesHeading();
    });
    await act("reload", async () => {
      await page.reload();
      await notesHeading();
    });
    await act("look at the sessions", async () => {
      await nav("Sessions").click();
      await expect(page.getByRole("heading", { level: 1, name: "Sessions" })).toBeVisible();
    });
    await act("back to the notes", async () => {
      await nav("Notes").click();
      await notesHeading();
    });
    await act("sign out", signOut);
  }
}
