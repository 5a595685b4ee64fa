/**
 * A client of a running app (an instance or the proxy in front of several) that signs up, signs
 * in and refreshes the way the SPA does: JSON bodies, the app's own `Origin` (the CSRF check in
 * lib/edge/csrf.ts wants it on every cookie-carrying POST), and the cookies it was given. Each
 * client sends its own `X-Forwarded-For`, so each looks like a distinct address behind one
 * trusted proxy.
 */
import { ACCESS_COOKIE, REFRESH_COOKIE } from "../../lib/auth/cookie-names";
import { CookieJar } from "./http";
import { waitForOutboxMessage } from "./outbox-reader";

/** The subject of the message sign-up sends a new address (lib/mail/templates.ts). */
export const CONFIRMATION_SUBJECT = /^Confirm your email address/;

export { ACCESS_COOKIE, REFRESH_COOKIE };
/** Long, unremarkable and not on the common-password list (docs/decisions/005-password-policy.md). */
export const CLIENT_PASSWORD = "amber meadow under nine slow kites";

export interface ClientIdentity {
  /** The origin the app was configured with (APP_URL); sent as `Origin`. */
  appUrl: string;
  /** The address this client appears to come from, as the first X-Forwarded-For entry. */
  address: string;
}

/** How one refresh ended, from the response alone. */
export type RefreshResult = "rotated" | "grace" | "reused" | "invalid" | "limited" | "error";

export interface RefreshAnswer {
  result: RefreshResult;
  status: number;
  /** The refresh token the response set, when it rotated. */
  refreshToken: string | null;
}

export function post(target: string, path: string, identity: ClientIdentity, options: { body?: unknown; cookie?: string } = {}): Promise<Response> {
  const headers: Record<string, string> = { origin: identity.appUrl, "x-forwarded-for": identity.address };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  if (options.cookie !== undefined) headers.cookie = options.cookie;
  return fetch(`${target}${path}`, {
    method: "POST",
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
}

export interface SignedIn {
  userId: string;
  email: string;
  jar: CookieJar;
}

async function signedIn(response: Response, email: string, expected: number): Promise<SignedIn> {
  if (response.status !== expected) throw new Error(`${email}: ${response.status} ${await response.text()}`);
  const { user } = (await response.json()) as { user: { id: string } };
  const jar = new CookieJar();
  jar.store(response);
  return { userId: user.id, email, jar };
}

/**
 * Sign up, wait for the confirmation message (the account exists once it is written), then sign
 * in: sign-up itself answers 202 and sets no cookie (lib/users/registration.ts).
 */
export async function register(target: string, identity: ClientIdentity, email: string): Promise<SignedIn> {
  const response = await post(target, "/api/auth/register", identity, { body: { email, name: "Bench User", password: CLIENT_PASSWORD } });
  if (response.status !== 202) throw new Error(`${email}: ${response.status} ${await response.text()}`);
  await waitForOutboxMessage(target, email, CONFIRMATION_SUBJECT, { headers: { "x-forwarded-for": identity.address } });
  return login(target, identity, email);
}

export async function login(target: string, identity: ClientIdentity, email: string): Promise<SignedIn> {
  const response = await post(target, "/api/auth/login", identity, { body: { email, password: CLIENT_PASSWORD } });
  return signedIn(response, email, 200);
}

/** Present `refreshToken` once, and classify the answer (lib/auth/sessions.ts RotateOutcome). */
export async function refresh(target: string, identity: ClientIdentity, refreshToken: string): Promise<RefreshAnswer> {
  let response: Response;
  try {
    response = await post(target, "/api/auth/refresh", identity, { cookie: `${REFRESH_COOKIE}=${refreshToken}` });
  } catch {
    return { result: "error", status: 0, refreshToken: null };
  }
  const jar = new CookieJar();
  jar.store(response);
  const body = await response.text();
  const next = jar.cookies.get(REFRESH_COOKIE) ?? null;
  if (response.status === 200) return { result: next === null ? "grace" : "rotated", status: 200, refreshToken: next };
  if (response.status === 429) return { result: "limited", status: 429, refreshToken: null };
  if (response.status === 401) return { result: body.includes("/problems/refresh-reused") ? "reused" : "invalid", status: 401, refreshToken: null };
  return { result: "error", status: response.status, refreshToken: null };
}

/** The claims of an access token, unverified: the tests only read `sub` and `sid` back. */
export function accessClaims(token: string): { sub: string; sid: string; kid: string } {
  const [header, payload] = token.split(".");
  const decode = (part: string | undefined) => JSON.parse(Buffer.from(part ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
  const claims = decode(payload);
  return { sub: String(claims.sub), sid: String(claims.sid), kid: String(decode(header).kid) };
}
