/**
 * Setting, clearing and reading the two auth cookies. Attributes follow DESIGN.md §3 exactly:
 * - access:  `__Host-palisade-at`, HttpOnly, Secure, SameSite=Lax, Path=/, Max-Age = token TTL;
 * - refresh: `__Secure-palisade-rt`, HttpOnly, Secure, SameSite=Strict, Path=/api/auth, no Domain.
 * HttpOnly keeps both out of reach of page scripts, so an XSS bug cannot read a token (the
 * article's "not localStorage"). Browsers treat http://localhost as secure, so Secure cookies
 * work in development too.
 */
import { ACCESS_COOKIE, REFRESH_COOKIE, REFRESH_COOKIE_PATH } from "./cookie-names";

function cookie(name: string, value: string, attributes: string[]): string {
  return [`${name}=${value}`, ...attributes].join("; ");
}

export function accessCookie(token: string, maxAgeSeconds: number): string {
  return cookie(ACCESS_COOKIE, token, ["Path=/", `Max-Age=${maxAgeSeconds}`, "HttpOnly", "Secure", "SameSite=Lax"]);
}

export function refreshCookie(token: string, expiresAt: Date, now = new Date()): string {
  const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - now.getTime()) / 1000));
  // Strict: the refresh token is never sent on a cross-site request, not even a top-level navigation.
  return cookie(REFRESH_COOKIE, token, [`Path=${REFRESH_COOKIE_PATH}`, `Max-Age=${maxAge}`, "HttpOnly", "Secure", "SameSite=Strict"]);
}

export function clearedAuthCookies(): string[] {
  return [
    cookie(ACCESS_COOKIE, "", ["Path=/", "Max-Age=0", "HttpOnly", "Secure", "SameSite=Lax"]),
    cookie(REFRESH_COOKIE, "", [`Path=${REFRESH_COOKIE_PATH}`, "Max-Age=0", "HttpOnly", "Secure", "SameSite=Strict"]),
  ];
}

/** Every value sent under `name`, in the order the browser sent them. */
export function readCookies(headers: Headers, name: string): string[] {
  const header = headers.get("cookie");
  if (header === null) return [];
  const values: string[] = [];
  for (const part of header.split(";")) {
    const index = part.indexOf("=");
    if (index !== -1 && part.slice(0, index).trim() === name) values.push(part.slice(index + 1).trim());
  }
  return values;
}

/**
 * One cookie's value from a Cookie header. A name sent twice reads as absent: one of the copies
 * was planted by another host on the site (./cookie-names.ts), and neither may be trusted. The
 * request itself is refused before this is reached (./duplicate-cookies.ts); this keeps a reader
 * safe even where that refusal is skipped.
 */
export function readCookie(headers: Headers, name: string): string | undefined {
  const values = readCookies(headers, name);
  return values.length === 1 ? values[0] : undefined;
}
