/**
 * A size-limited, strict reader for `application/x-www-form-urlencoded` bodies: the format the
 * OAuth 2.0 token endpoint speaks (RFC 6749 §3.2), and the only route here that takes one.
 *
 * Threats and defences, as in read-json.ts:
 * - Memory exhaustion: a declared length over the limit is refused before reading, and bytes are
 *   counted while streaming, so a chunked body cannot buffer more than the limit.
 * - Content-type confusion: only `application/x-www-form-urlencoded` (optionally with
 *   `charset=utf-8`) is read; anything else is a 415.
 * - Parameter pollution: a repeated name is refused, not resolved to its first or last value
 *   (RFC 6749 §3.2: "Request and response parameters MUST NOT be included more than once").
 * - Prototype pollution: `__proto__`, `constructor` and `prototype` are refused as names, and the
 *   result is a Map, so no later spread or merge can reach `Object.prototype` through a form.
 * - Invalid UTF-8 is refused rather than silently replaced.
 */
import { AppError } from "./errors";

/** A token request is a few hundred bytes; 8 KiB leaves room for long scope lists and nothing more. */
export const DEFAULT_FORM_LIMIT_BYTES = 8 * 1024;

const FORBIDDEN_NAMES = new Set(["__proto__", "constructor", "prototype"]);

export function isFormContentType(header: string | null): boolean {
  if (header === null) return false;
  const [mediaType, ...params] = header.split(";").map((part) => part.trim().toLowerCase());
  if (mediaType !== "application/x-www-form-urlencoded") return false;
  return params.every((param) => param === "" || param === "charset=utf-8" || param === 'charset="utf-8"');
}

export async function readForm(request: Request, limitBytes = DEFAULT_FORM_LIMIT_BYTES): Promise<ReadonlyMap<string, string>> {
  if (!isFormContentType(request.headers.get("content-type"))) {
    throw new AppError("ERR_UNSUPPORTED_MEDIA_TYPE", { detail: "Send the body as application/x-www-form-urlencoded." });
  }
  const declared = request.headers.get("content-length");
  if (declared !== null) {
    if (!/^\d+$/.test(declared.trim())) throw new AppError("ERR_VALIDATION", { detail: "Content-Length is not a valid length." });
    if (Number(declared) > limitBytes) throw tooLarge(limitBytes);
  }
  const text = decodeUtf8(await readBytes(request, limitBytes));

  const fields = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(text)) {
    if (FORBIDDEN_NAMES.has(name)) {
      throw new AppError("ERR_FORBIDDEN_KEY", { detail: `The parameter "${name.slice(0, 32)}" is not allowed.` });
    }
    if (fields.has(name)) {
      throw new AppError("ERR_VALIDATION", {
        detail: "A parameter was given more than once.",
        errors: { [name.slice(0, 64)]: ["Give this parameter once."] },
      });
    }
    fields.set(name, value);
  }
  return fields;
}

async function readBytes(request: Request, limit: number): Promise<Uint8Array> {
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      // Stop the upload instead of draining it: the rest is never buffered.
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

function tooLarge(limit: number): AppError {
  return new AppError("ERR_BODY_TOO_LARGE", { detail: `The body may be at most ${limit} bytes.` });
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new AppError("ERR_VALIDATION", { detail: "The body is not valid UTF-8." });
  }
}
