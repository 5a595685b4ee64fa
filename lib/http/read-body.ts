/**
 * What every body reader shares: the media-type check, the declared-length check, a byte counter
 * that stops the upload at the limit, and strict UTF-8 decoding.
 *
 * Memory exhaustion: a declared length over the limit is refused before reading, and bytes are
 * counted while streaming, so a chunked body with no `Content-Length` (or a lying one) cannot
 * buffer more than the limit. Invalid UTF-8 is refused rather than silently replaced with U+FFFD,
 * so what is validated is exactly what was sent.
 */
import { AppError } from "./errors";

/** Names no body may use: a later merge or spread could reach `Object.prototype` through them. */
export const FORBIDDEN_NAMES: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** True for `mediaType`, optionally with `charset=utf-8`; nothing else. */
export function hasMediaType(header: string | null, mediaType: string): boolean {
  if (header === null) return false;
  const [type, ...params] = header.split(";").map((part) => part.trim().toLowerCase());
  if (type !== mediaType) return false;
  return params.every((param) => param === "" || param === "charset=utf-8" || param === 'charset="utf-8"');
}

export function tooLarge(limit: number): AppError {
  return new AppError("ERR_BODY_TOO_LARGE", { detail: `The body may be at most ${limit} bytes.` });
}

/** The body's bytes, refused (413) as soon as the declared or the counted length passes `limit`. */
export async function readLimitedBytes(request: Request, limit: number): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null) {
    if (!/^\d+$/.test(declared.trim()) || !Number.isSafeInteger(Number(declared))) {
      throw new AppError("ERR_VALIDATION", { detail: "Content-Length is not a valid length." });
    }
    if (Number(declared) > limit) throw tooLarge(limit);
  }
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      // Stop the upload here instead of draining it: the rest is never buffered.
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** Strict UTF-8; `invalid` is the error for bytes that are not, in the caller's vocabulary. */
export function decodeUtf8(bytes: Uint8Array, invalid: () => AppError): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw invalid();
  }
}
