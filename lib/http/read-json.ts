/**
 * A size-limited, strict JSON body reader for route handlers.
 *
 * Threats and defences:
 * - Memory exhaustion: bytes are counted while streaming and reading stops at the limit, so a
 *   chunked body with no `Content-Length` (or a lying one) cannot buffer more than `limit`
 *   bytes. A declared length over the limit is refused before any byte is read.
 * - Content-type confusion (CSRF through a `text/plain` form post): only `application/json`
 *   is accepted.
 * - Parser stack exhaustion: nesting depth is checked in one linear pass before `JSON.parse`.
 * - Prototype pollution: `__proto__`, `constructor` and `prototype` keys are refused at any
 *   depth, so no later merge or spread can reach `Object.prototype` through a body.
 * See OWASP ASVS 5.0 V4 (API) and V1.5 (safe deserialization).
 */
import { AppError } from "./errors";

export const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024;
export const DEFAULT_MAX_DEPTH = 32;

const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

export interface ReadJsonOptions {
  limitBytes?: number;
  maxDepth?: number;
}

/** True for `application/json`, optionally with `charset=utf-8`; nothing else. */
export function isJsonContentType(header: string | null): boolean {
  if (header === null) return false;
  const [mediaType, ...params] = header.split(";").map((part) => part.trim().toLowerCase());
  if (mediaType !== "application/json") return false;
  return params.every((param) => param === "" || param === "charset=utf-8" || param === 'charset="utf-8"');
}

export async function readJson(request: Request, options: ReadJsonOptions = {}): Promise<unknown> {
  const limit = options.limitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;

  if (!isJsonContentType(request.headers.get("content-type"))) {
    throw new AppError("ERR_UNSUPPORTED_MEDIA_TYPE", { detail: "Send the body as application/json." });
  }
  assertDeclaredLength(request.headers.get("content-length"), limit);

  const bytes = await readLimited(request, limit);
  const text = decodeUtf8(bytes);
  if (text.trim() === "") {
    throw new AppError("ERR_MALFORMED_JSON", { detail: "The request body is empty." });
  }
  if (nestingDepth(text) > maxDepth) {
    throw new AppError("ERR_BODY_TOO_DEEP", { detail: `Nest objects and arrays at most ${maxDepth} levels deep.` });
  }
  return parseWithoutForbiddenKeys(text);
}

function assertDeclaredLength(header: string | null, limit: number): void {
  if (header === null) return;
  const declared = Number(header);
  if (!/^\d+$/.test(header.trim()) || !Number.isSafeInteger(declared)) {
    throw new AppError("ERR_VALIDATION", { detail: "Content-Length is not a valid length." });
  }
  if (declared > limit) throw tooLarge(limit);
}

async function readLimited(request: Request, limit: number): Promise<Uint8Array> {
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

function tooLarge(limit: number): AppError {
  return new AppError("ERR_BODY_TOO_LARGE", { detail: `The body may be at most ${limit} bytes.` });
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    // `fatal` refuses invalid UTF-8 instead of silently substituting U+FFFD.
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new AppError("ERR_MALFORMED_JSON", { detail: "The body is not valid UTF-8." });
  }
}

/** Maximum bracket depth outside string literals; linear time, constant stack. */
export function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c /* \ */) i++;
      else if (char === 0x22 /* " */) inString = false;
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x7b /* { */ || char === 0x5b /* [ */) {
      depth++;
      if (depth > max) max = depth;
    } else if (char === 0x7d /* } */ || char === 0x5d /* ] */) {
      depth--;
    }
  }
  return max;
}

function parseWithoutForbiddenKeys(text: string): unknown {
  let forbidden: string | undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text, (key, value: unknown) => {
      if (forbidden === undefined && FORBIDDEN_KEYS.has(key)) forbidden = key;
      return value;
    });
  } catch {
    throw new AppError("ERR_MALFORMED_JSON", { detail: "The body is not valid JSON." });
  }
  if (forbidden !== undefined) {
    throw new AppError("ERR_FORBIDDEN_KEY", { detail: `The key "${forbidden}" is not allowed.` });
  }
  return parsed;
}
