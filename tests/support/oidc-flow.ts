/**
 * Drives a provider sign-in through the broker's route handler the way a browser would: fetch the
 * CSRF token, post the sign-in form, follow the provider's authorization redirect (a real HTTP
 * request to the test provider), and bring the callback back to the app, with a cookie jar
 * carrying every cookie in between.
 */
import { CookieJar } from "./http";

/** APP_URL in the integration tests (lib/env.ts's local default). */
export const APP_ORIGIN = "http://localhost:3000";

export type BrokerHandler = (request: Request, context: { params: Promise<{ nextauth: string[] }> }) => Promise<Response>;

export interface BrokerCall {
  method?: "GET" | "POST";
  /** A form body, sent as application/x-www-form-urlencoded. */
  form?: Record<string, string>;
  jar?: CookieJar;
  headers?: Record<string, string>;
}

/** Call the catch-all route for `path` (`/api/auth/…`, with any query string). */
export async function callBroker(broker: BrokerHandler, path: string, options: BrokerCall = {}): Promise<Response> {
  const url = new URL(path, APP_ORIGIN);
  const segments = url.pathname
    .replace(/^\/api\/auth\//, "")
    .split("/")
    .map(decodeURIComponent);
  const headers = new Headers(options.headers);
  if (options.jar !== undefined && options.jar.cookies.size > 0) headers.set("cookie", options.jar.header());
  let body: string | undefined;
  if (options.form !== undefined) {
    headers.set("content-type", "application/x-www-form-urlencoded");
    body = new URLSearchParams(options.form).toString();
  }
  const request = new Request(url, { method: options.method ?? (body === undefined ? "GET" : "POST"), headers, ...(body === undefined ? {} : { body }) });
  const response = await broker(request, { params: Promise.resolve({ nextauth: segments }) });
  options.jar?.store(response);
  return response;
}

/** Steps 1–2: CSRF token, then the sign-in form; returns the provider's authorization URL. */
export async function startSignIn(broker: BrokerHandler, jar: CookieJar, options: { provider?: string; callbackUrl?: string } = {}): Promise<string> {
  const csrf = await callBroker(broker, "/api/auth/csrf", { jar });
  if (csrf.status !== 200) throw new Error(`csrf: ${csrf.status}`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const form: Record<string, string> = { csrfToken, json: "true" };
  if (options.callbackUrl !== undefined) form.callbackUrl = options.callbackUrl;
  const started = await callBroker(broker, `/api/auth/signin/${options.provider ?? "oidc"}`, { form, jar });
  if (started.status !== 200) throw new Error(`signin: ${started.status} ${await started.text()}`);
  return ((await started.json()) as { url: string }).url;
}

/** Step 3: the provider's authorization endpoint, which redirects back to the app's callback. */
export async function authorize(authorizationUrl: string): Promise<URL> {
  const response = await fetch(authorizationUrl, { redirect: "manual" });
  const location = response.headers.get("location");
  if (response.status !== 302 || location === null) throw new Error(`authorize: ${response.status}`);
  return new URL(location);
}

/** Step 4: the callback, as the browser would request it after the provider's redirect. */
export function callback(broker: BrokerHandler, callbackUrl: URL, jar: CookieJar): Promise<Response> {
  return callBroker(broker, `${callbackUrl.pathname}${callbackUrl.search}`, { jar });
}

/** The whole round trip; returns the callback's response (a redirect, with cookies in `jar`). */
export async function signInThroughProvider(
  broker: BrokerHandler,
  jar: CookieJar,
  options: { provider?: string; callbackUrl?: string } = {},
): Promise<Response> {
  return callback(broker, await authorize(await startSignIn(broker, jar, options)), jar);
}

/** The names of the cookies a response sets (with a value) and clears (Max-Age=0). */
export function cookieNames(response: Response): { set: string[]; cleared: string[] } {
  const set: string[] = [];
  const cleared: string[] = [];
  for (const header of response.headers.getSetCookie()) {
    const name = header.slice(0, header.indexOf("="));
    (/;\s*Max-Age=0(;|$)/i.test(header) ? cleared : set).push(name);
  }
  return { set, cleared };
}

export { CookieJar };
