/**
 * Cookie names and scopes, shared by the edge middleware and the route handlers.
 *
 * `__Host-` (access cookie): the browser accepts it only with Secure, Path=/ and no Domain, so
 * neither a sibling subdomain nor a plain-http page can set or overwrite it (RFC 6265bis §4.1.3).
 * `__Secure-` (refresh cookie): `__Host-` would force Path=/, but this cookie is scoped to the
 * auth endpoints so it is sent nowhere else; `__Secure-` still guarantees it was set over HTTPS.
 */
export const ACCESS_COOKIE = "__Host-palisade-at";
export const REFRESH_COOKIE = "__Secure-palisade-rt";
/** The refresh cookie is sent only to the auth endpoints (refresh, logout). */
export const REFRESH_COOKIE_PATH = "/api/auth";
