/**
 * Request IDs: one identifier per request, echoed on every response and written on every log
 * line, so a user's report ("request 7f3c… failed") leads straight to the server's record.
 *
 * Threat: a client-chosen ID is attacker input. An unbounded or free-form value could inject
 * fake lines into logs or bloat them (OWASP ASVS 5.0 V16.4.1), so an incoming `X-Request-ID` is
 * kept only when it is short and made of a safe charset; anything else is replaced.
 * Web APIs only: the edge middleware and Node route handlers share this module.
 */

export const REQUEST_ID_HEADER = "x-request-id";

// Up to 64 characters of [A-Za-z0-9._-]: covers UUIDs, ULIDs and most proxies' trace IDs.
const WELL_FORMED = /^[A-Za-z0-9._-]{8,64}$/;

export function isWellFormedRequestId(value: string | null | undefined): value is string {
  return typeof value === "string" && WELL_FORMED.test(value);
}

export function newRequestId(): string {
  return crypto.randomUUID();
}

/** The request's ID if the incoming header is well-formed, otherwise a fresh one. */
export function requestIdFrom(headers: Headers): string {
  const incoming = headers.get(REQUEST_ID_HEADER);
  return isWellFormedRequestId(incoming) ? incoming : newRequestId();
}
