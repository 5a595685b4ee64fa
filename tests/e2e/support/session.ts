/**
 * Setting up users and sessions directly through the API (fast), and watching what the browser
 * does about its session: refresh calls, expired tokens.
 */
import type { APIRequestContext, BrowserContext, Page, Request } from "@playwright/test";
import { PASSWORD, uniqueEmail } from "./accounts";
import { linkIn, SUBJECTS, tokenOf, waitForMessage } from "./mailbox";
import { ACCESS_COOKIE } from "./server-env";

export interface TestUser {
  id: string;
  email: string;
  name: string;
  password: string;
}

/** API calls made outside a page send the app's own Origin, so the CSRF check sees a same-origin request. */
async function postJson(request: APIRequestContext, origin: string, path: string, data: unknown) {
  return request.post(path, { data, headers: { origin } });
}

/** Where a test finds the link a sign-up mailed to `email`, on the app at `baseURL`. */
export type ConfirmationLinkSource = (email: string, baseURL: string) => Promise<string>;

/** The suite's own mail: the SMTP peer on loopback (./mailbox.ts). */
export const fromMailbox: ConfirmationLinkSource = async (email, baseURL) => linkIn(await waitForMessage(email, SUBJECTS.verify), "/verify-email", baseURL);

export interface RegisterOptions {
  name?: string;
  /** Confirm the address with the mailed link, as its owner would: some actions need a proved address. */
  verified?: boolean;
  /** Where the confirmation message arrives: the suite's mailbox unless told (the development outbox, say). */
  confirmationLink?: ConfirmationLinkSource;
}

export interface SignedUp {
  email: string;
  name: string;
  password: string;
  /** The confirmation link the sign-up mailed. */
  link: string;
}

/**
 * Sign up a fresh user through the API and wait until the account exists. Sign-up answers 202
 * and creates the account after answering (lib/users/registration.ts); its confirmation message
 * is sent once the account exists, so waiting for that message, not retrying sign-ins (each
 * failed one counts against the account's real limit), is how a test knows it can sign in.
 */
export async function signUp(page: Page, baseURL: string, label: string, options: RegisterOptions = {}): Promise<SignedUp> {
  const email = uniqueEmail(label);
  const name = options.name ?? "Ada Lovelace";
  const response = await postJson(page.request, baseURL, "/api/auth/register", { email, name, password: PASSWORD });
  if (response.status() !== 202) throw new Error(`register ${email}: ${response.status()} ${await response.text()}`);
  const link = await (options.confirmationLink ?? fromMailbox)(email, baseURL);
  if (options.verified === true) await confirmAddress(page, baseURL, link);
  return { email, name, password: PASSWORD, link };
}

/**
 * Sign up a fresh user (`signUp`), then sign in within this page's context: its cookie jar holds
 * a session exactly as if the forms had been used.
 */
export async function registerUser(page: Page, baseURL: string, label: string, options: RegisterOptions = {}): Promise<TestUser> {
  const user = await signUp(page, baseURL, label, options);
  const id = await signIn(page, baseURL, user.email, user.password);
  return { id, email: user.email, name: user.name, password: user.password };
}

/** Spend a mailed confirmation link through the API, as the page it opens would. */
export async function confirmAddress(page: Page, baseURL: string, link: string): Promise<void> {
  const response = await postJson(page.request, baseURL, "/api/auth/email/verify", { token: tokenOf(link) });
  if (response.status() !== 200) throw new Error(`verify ${link}: ${response.status()} ${await response.text()}`);
}

/** Sign an existing user in within this page's context; answers the user's id. */
export async function signIn(page: Page, baseURL: string, email: string, password: string): Promise<string> {
  const response = await postJson(page.request, baseURL, "/api/auth/login", { email, password });
  if (response.status() !== 200) throw new Error(`login ${email}: ${response.status()} ${await response.text()}`);
  return ((await response.json()) as { user: { id: string } }).user.id;
}

/**
 * What an expired access token looks like to the browser: the cookie's Max-Age equals the
 * token's lifetime, so at expiry the browser simply stops sending it.
 */
export async function expireAccessToken(context: BrowserContext): Promise<void> {
  await context.clearCookies({ name: ACCESS_COOKIE });
}

export async function hasAccessCookie(context: BrowserContext): Promise<boolean> {
  return (await context.cookies()).some((cookie) => cookie.name === ACCESS_COOKIE);
}

/** Every refresh request the context's pages send, in order. */
export function recordRefreshes(context: BrowserContext): Request[] {
  const seen: Request[] = [];
  context.on("request", (request) => {
    if (new URL(request.url()).pathname === "/api/auth/refresh" && request.method() === "POST") seen.push(request);
  });
  return seen;
}

/** Create a note through the API, in this page's session. */
export async function createNote(page: Page, baseURL: string, title: string, body = ""): Promise<string> {
  const response = await postJson(page.request, baseURL, "/api/notes", { title, body });
  if (response.status() !== 201) throw new Error(`create note: ${response.status()} ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}
