/**
 * Setting up users and sessions directly through the API (fast), and watching what the browser
 * does about its session: refresh calls, expired tokens.
 */
import type { APIRequestContext, BrowserContext, Page, Request } from "@playwright/test";
import { PASSWORD, uniqueEmail } from "./accounts";
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

/**
 * Register a fresh user in this page's context: the context's cookie jar receives the session,
 * exactly as if the form had been used.
 */
export async function registerUser(page: Page, baseURL: string, label: string, name = "Ada Lovelace"): Promise<TestUser> {
  const email = uniqueEmail(label);
  const response = await postJson(page.request, baseURL, "/api/auth/register", { email, name, password: PASSWORD });
  if (response.status() !== 201) throw new Error(`register ${email}: ${response.status()} ${await response.text()}`);
  const { user } = (await response.json()) as { user: { id: string } };
  return { id: user.id, email, name, password: PASSWORD };
}

/** Sign an existing user in within this page's context. */
export async function signIn(page: Page, baseURL: string, email: string, password: string): Promise<void> {
  const response = await postJson(page.request, baseURL, "/api/auth/login", { email, password });
  if (response.status() !== 200) throw new Error(`login ${email}: ${response.status()} ${await response.text()}`);
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
