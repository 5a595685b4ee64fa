/**
 * Oversized bodies, refused before any handler runs.
 *
 * Threat: a client declares a huge body (`Content-Length: 10737418240`) to tie up a function, a
 * connection and memory while it trickles the bytes in. Refusing at the edge costs no function
 * invocation and no database connection.
 *
 * Defence: a declared `Content-Length` above the limit gets 413 here. The limit is the route
 * handlers' own (`DEFAULT_BODY_LIMIT_BYTES` in lib/http/read-json.ts, 64 KiB), so the two layers
 * agree by construction. A body sent without a length (chunked) cannot be judged here without
 * reading it; the handlers' reader counts bytes as they stream and stops at the same limit.
 */
import { DEFAULT_BODY_LIMIT_BYTES } from "../http/read-json";

export const EDGE_BODY_LIMIT_BYTES = DEFAULT_BODY_LIMIT_BYTES;

export type BodySizeDecision = { ok: true } | { ok: false; status: 413 | 400; limit: number };

export function bodySizeDecision(headers: Headers, limit: number = EDGE_BODY_LIMIT_BYTES): BodySizeDecision {
  const header = headers.get("content-length");
  if (header === null) return { ok: true };
  // Node's HTTP parser already refuses most malformed lengths; anything odd that remains (a list,
  // a sign, an exponent) is refused rather than interpreted.
  if (!/^\d{1,16}$/.test(header.trim())) return { ok: false, status: 400, limit };
  return Number(header) > limit ? { ok: false, status: 413, limit } : { ok: true };
}
