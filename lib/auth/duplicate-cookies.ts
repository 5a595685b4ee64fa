/**
 * Refusing tossed cookies (docs/decisions/034-cookie-tossing.md).
 *
 * Threat: another host on the same site sets a cookie under one of our names, with
 * `Domain=<parent>` and a longer path than ours. The browser then sends two values, the planted
 * one first. A reader that takes the first value serves the attacker's copy: a planted refresh
 * cookie signs the victim out on every refresh, and makes logout end the attacker's session
 * while the victim's stays valid; planted OAuth state and PKCE cookies finish a sign-in as the
 * attacker's provider account.
 * Defence: a request that carries any security cookie twice is refused as a whole (400), at the
 * edge and again in the route handler, which records it in the audit log. The refusal expires
 * every copy the browser could have sent to that path, under every Domain the browser lets this
 * host name, so the planted copy is gone and the person can simply sign in again.
 *
 * Web APIs only: the edge middleware uses it too.
 */
import { REFRESH_COOKIE, REFRESH_COOKIE_READERS, SECURITY_COOKIES } from "./cookie-names";
import { readCookies } from "./cookies";

/** The security cookie names that appear more than once in the request's Cookie header. */
export function duplicatedSecurityCookies(headers: Headers, tolerated: readonly string[] = []): string[] {
  return SECURITY_COOKIES.filter((name) => !tolerated.includes(name) && readCookies(headers, name).length > 1);
}

/**
 * What the edge lets through twice. Logout is the one endpoint that must work *because* of
 * duplicates: it ends the session of every refresh cookie presented and clears them all
 * (lib/auth/logout.ts); its handler declares the same exception to the handler wrapper.
 */
export function toleratedDuplicates(pathname: string, method: string): readonly string[] {
  return method === "POST" && pathname === "/api/auth/logout" ? [REFRESH_COOKIE] : [];
}

/**
 * Every path a cookie sent to `pathname` may have been set with: the path-match prefixes of
 * RFC 6265bis §5.1.4 (`/`, `/api`, `/api/`, `/api/auth`, …, the path itself).
 */
export function pathPrefixes(pathname: string): string[] {
  const prefixes = new Set<string>(["/"]);
  const segments = pathname.split("/").filter((segment) => segment !== "");
  let path = "";
  for (const segment of segments) {
    path += `/${segment}`;
    prefixes.add(path);
    prefixes.add(`${path}/`);
  }
  return [...prefixes];
}

/**
 * The Domain attributes a planted cookie may carry and this host may still name: the host and
 * each parent above it, short of a bare top-level label. A browser rejects a Domain this host
 * does not belong to, or a public suffix, so a wrong guess here is ignored, never harmful; and
 * the host comes from the request only to be named back to the browser that sent it.
 */
export function parentDomains(hostname: string): string[] {
  if (hostname === "localhost" || /^[\d.]+$/.test(hostname) || hostname.includes(":") || !hostname.includes(".")) return [];
  const labels = hostname.split(".");
  const domains: string[] = [];
  for (let index = 0; index < labels.length - 1; index += 1) domains.push(labels.slice(index).join("."));
  return domains;
}

function expired(name: string, path: string, domain?: string): string {
  return [`${name}=`, `Path=${path}`, ...(domain === undefined ? [] : [`Domain=${domain}`]), "Max-Age=0", "HttpOnly", "Secure", "SameSite=Lax"].join("; ");
}

/**
 * Set-Cookie values that expire every copy of `name` the browser could send to `paths` on
 * `hostname`. A `__Host-` cookie exists only as Path=/ with no Domain, so it has one copy to clear.
 */
export function clearingCookies(name: string, paths: readonly string[], hostname: string): string[] {
  if (name.startsWith("__Host-")) return [expired(name, "/")];
  const cookiePaths = [...new Set(paths.flatMap(pathPrefixes))];
  const domains = [undefined, ...parentDomains(hostname)];
  return cookiePaths.flatMap((path) => domains.map((domain) => expired(name, path, domain)));
}

/** Where each security cookie is read, so its copies are cleared wherever one could be sent. */
function readersOf(name: string, pathname: string): readonly string[] {
  return name === REFRESH_COOKIE ? [...REFRESH_COOKIE_READERS, pathname] : [pathname];
}

/** The Set-Cookie values of a refusal: every copy of every duplicated name, gone. */
export function clearingDuplicates(names: readonly string[], url: URL): string[] {
  return names.flatMap((name) => clearingCookies(name, readersOf(name, url.pathname), url.hostname));
}

export const DUPLICATE_COOKIE_DETAIL =
  "This browser sent two copies of a sign-in cookie; another site on the same domain may have set one. Both have been cleared: sign in again.";
