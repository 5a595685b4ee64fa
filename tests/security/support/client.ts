/**
 * An HTTP client for the app under attack: what a script on the internet has, nothing more. It
 * speaks from one client address (behind the one trusted proxy hop the instance is told about),
 * keeps cookies like a browser's jar, and sends state-changing requests with the app's own
 * Origin unless a test says otherwise, as the SPA in a browser would.
 */
import { CONFIRMATION_SUBJECT } from "../../support/auth-client";
import { waitForOutboxMessage } from "../../support/outbox-reader";
import { randomBytes } from "node:crypto";
import { decodeJwt } from "jose";
import { inject } from "vitest";
import { CookieJar } from "../../support/http";
import { ACCESS_COOKIE, REFRESH_COOKIE } from "../../e2e/support/server-env";
import type { SecurityTarget } from "./global-setup";

export { ACCESS_COOKIE, REFRESH_COOKIE };

export function securityTarget(): SecurityTarget {
  return inject("securityTarget");
}

export interface RequestOptions {
  method?: string;
  /** A value to send as JSON, or a string sent as it is. */
  body?: unknown;
  headers?: Record<string, string>;
  /** An access token to send, as `Authorization: Bearer` or as the access cookie. */
  token?: string;
  via?: "bearer" | "cookie";
  /** Send the jar's cookies (default true). */
  cookies?: boolean;
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export class Client {
  readonly jar = new CookieJar();

  constructor(
    readonly ip: string,
    readonly base: string = securityTarget().url,
  ) {}

  async request(path: string, options: RequestOptions = {}): Promise<Response> {
    const method = options.method ?? (options.body === undefined ? "GET" : "POST");
    const headers = new Headers({ "x-forwarded-for": this.ip });
    if (UNSAFE.has(method)) headers.set("origin", this.base);
    if (options.body !== undefined && typeof options.body !== "string") headers.set("content-type", "application/json");
    const cookies = options.cookies === false ? [] : [...this.jar.cookies].map(([name, value]) => `${name}=${value}`);
    if (options.token !== undefined) {
      if ((options.via ?? "bearer") === "bearer") headers.set("authorization", `Bearer ${options.token}`);
      else cookies.push(`${ACCESS_COOKIE}=${options.token}`);
    }
    if (cookies.length > 0) headers.set("cookie", cookies.join("; "));
    for (const [name, value] of Object.entries(options.headers ?? {})) headers.set(name, value);
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers,
      redirect: "manual",
      ...(options.body === undefined ? {} : { body: typeof options.body === "string" ? options.body : JSON.stringify(options.body) }),
    });
    this.jar.store(response);
    return response;
  }

  get accessToken(): string {
    const token = this.jar.cookies.get(ACCESS_COOKIE);
    if (token === undefined) throw new Error("this client is not signed in");
    return token;
  }

  get refreshToken(): string {
    const token = this.jar.cookies.get(REFRESH_COOKIE);
    if (token === undefined) throw new Error("this client holds no refresh token");
    return token;
  }
}

export interface Account {
  id: string;
  email: string;
  password: string;
  client: Client;
  /** The session (refresh family) of the client's sign-in, from its access token. */
  sessionId: string;
}

export function newPassword(): string {
  return `unguessable passphrase ${randomBytes(10).toString("hex")}`;
}

export function newEmail(label: string): string {
  return `${label}-${randomBytes(6).toString("hex")}@security.test`;
}

async function expectStatus(response: Response, status: number, what: string): Promise<void> {
  if (response.status !== status) throw new Error(`${what}: expected ${status}, got ${response.status}: ${await response.text()}`);
}

function accountOf(client: Client, email: string, password: string): Account {
  const claims = decodeJwt(client.accessToken);
  return { id: String(claims.sub), email, password, client, sessionId: String(claims.sid) };
}

/** A new plain user, signed up through the public API and signed in on `client`. */
export async function signUp(client: Client, label = "user"): Promise<Account> {
  const email = newEmail(label);
  const password = newPassword();
  await expectStatus(await client.request("/api/auth/register", { body: { email, name: `Test ${label}`, password } }), 202, "sign-up");
  // Sign-up answers before the account exists and sets no cookie; the account exists once its
  // confirmation message is in the outbox (lib/users/registration.ts).
  await waitForOutboxMessage(client.base, email, CONFIRMATION_SUBJECT, { headers: { "x-forwarded-for": client.ip } });
  return signIn(client, email, password);
}

export async function signIn(client: Client, email: string, password: string): Promise<Account> {
  await expectStatus(await client.request("/api/auth/login", { body: { email, password } }), 200, "sign-in");
  return accountOf(client, email, password);
}

/** The suite's admin (seeded by the global setup), signed in on `client`. */
export function signInAdmin(client: Client): Promise<Account> {
  const { email, password } = securityTarget().admin;
  return signIn(client, email, password);
}

/** An extra admin account, created by `admin` through the admin API, signed in on `client`. */
export async function createAdmin(admin: Account, client: Client): Promise<Account> {
  const email = newEmail("admin");
  const password = newPassword();
  await expectStatus(await admin.client.request("/api/admin/users", { body: { email, name: "Second admin", password, role: "admin" } }), 201, "admin creation");
  return signIn(client, email, password);
}
