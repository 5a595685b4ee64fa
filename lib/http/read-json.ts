/**
 * A size-limited, strict JSON body reader for route handlers.
 *
 * Threats and defences:
 * - Memory exhaustion: at most `limitBytes` are ever buffered (./read-body.ts).
 * - Content-type confusion (CSRF through a `text/plain` form post): only `application/json`
 *   is accepted.
 * - Parser stack exhaustion: nesting depth is checked in one linear pass before `JSON.parse`.
 * - Parser differentials: a name repeated within one object is refused, in the same pass.
 * - Prototype pollution: `__proto__`, `constructor` and `prototype` keys are refused at any
 *   depth, so no later merge or spread can reach `Object.prototype` through a body.
 * See OWASP ASVS 5.0 V4 (API) and V1.5 (safe deserialization).
 */
import { AppError } from "./errors";
import { decodeUtf8, FORBIDDEN_NAMES, hasMediaType, readLimitedBytes } from "./read-body";

export const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024;
export const DEFAULT_MAX_DEPTH = 32;

export interface ReadJsonOptions {
  limitBytes?: number;
  maxDepth?: number;
}

/** True for `application/json`, optionally with `charset=utf-8`; nothing else. */
export function isJsonContentType(header: string | null): boolean {
  return hasMediaType(header, "application/json");
}

export async function readJson(request: Request, options: ReadJsonOptions = {}): Promise<unknown> {
  const limit = options.limitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;

  if (!isJsonContentType(request.headers.get("content-type"))) {
    throw new AppError("ERR_UNSUPPORTED_MEDIA_TYPE", { detail: "Send the body as application/json." });
  }
  const text = decodeUtf8(await readLimitedBytes(request, limit), () => new AppError("ERR_MALFORMED_JSON", { detail: "The body is not valid UTF-8." }));
  if (text.trim() === "") {
    throw new AppError("ERR_MALFORMED_JSON", { detail: "The request body is empty." });
  }
  const shape = jsonShape(text);
  if (shape.depth > maxDepth) {
    throw new AppError("ERR_BODY_TOO_DEEP", { detail: `Nest objects and arrays at most ${maxDepth} levels deep.` });
  }
  if (shape.duplicateKey !== null) {
    throw new AppError("ERR_MALFORMED_JSON", { detail: `The name "${shape.duplicateKey.slice(0, 32)}" appears twice in one object.` });
  }
  return parseWithoutForbiddenKeys(text);
}

export interface JsonShape {
  /** Maximum bracket depth outside string literals. */
  depth: number;
  /** The first name that appears twice in one object, if any. */
  duplicateKey: string | null;
}

/**
 * One linear pass over the text, before `JSON.parse`: how deep it nests, and whether an object
 * repeats a name. `JSON.parse` keeps the last of two equal names silently, and other parsers keep
 * the first, so `{"role":"user","role":"admin"}` means different things to different readers
 * (RFC 8259 §4, RFC 7493 §2.3); it is refused instead. Constant stack; malformed text is left for
 * `JSON.parse` to refuse.
 */
export function jsonShape(text: string): JsonShape {
  // One entry per open bracket: the names seen so far for an object, null for an array.
  const open: (Set<string> | null)[] = [];
  let expectName = false;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (char === 0x22 /* " */) {
      const start = i;
      for (i++; i < text.length; i++) {
        const inner = text.charCodeAt(i);
        if (inner === 0x5c /* \ */) i++;
        else if (inner === 0x22) break;
      }
      const names = open.at(-1);
      if (expectName && names !== undefined && names !== null) {
        const name = decodeName(text.slice(start, i + 1));
        if (names.has(name)) return { depth: max, duplicateKey: name };
        names.add(name);
      }
      expectName = false;
    } else if (char === 0x7b /* { */ || char === 0x5b /* [ */) {
      open.push(char === 0x7b ? new Set() : null);
      expectName = char === 0x7b;
      if (open.length > max) max = open.length;
    } else if (char === 0x7d /* } */ || char === 0x5d /* ] */) {
      open.pop();
      expectName = false;
    } else if (char === 0x2c /* , */) {
      expectName = open.at(-1) instanceof Set;
    }
  }
  return { depth: max, duplicateKey: null };
}

/** A name as the parser will see it (escapes resolved), or the raw text if it is malformed. */
function decodeName(literal: string): string {
  if (!literal.includes("\\")) return literal.slice(1, -1);
  try {
    return JSON.parse(literal) as string;
  } catch {
    return literal;
  }
}

/** Maximum bracket depth outside string literals; linear time, constant stack. */
export function nestingDepth(text: string): number {
  return jsonShape(text).depth;
}

function parseWithoutForbiddenKeys(text: string): unknown {
  let forbidden: string | undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text, (key, value: unknown) => {
      if (forbidden === undefined && FORBIDDEN_NAMES.has(key)) forbidden = key;
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
