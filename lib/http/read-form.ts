/**
 * A size-limited, strict reader for `application/x-www-form-urlencoded` bodies: the format the
 * OAuth 2.0 token endpoint speaks (RFC 6749 §3.2), and the only route here that takes one.
 *
 * Threats and defences, as in read-json.ts:
 * - Memory exhaustion: at most `limitBytes` are ever buffered (./read-body.ts).
 * - Content-type confusion: only `application/x-www-form-urlencoded` (optionally with
 *   `charset=utf-8`) is read; anything else is a 415.
 * - Parameter pollution: a repeated name is refused, not resolved to its first or last value
 *   (RFC 6749 §3.2: "Request and response parameters MUST NOT be included more than once").
 * - Prototype pollution: `__proto__`, `constructor` and `prototype` are refused as names, and the
 *   result is a Map, so no later spread or merge can reach `Object.prototype` through a form.
 * - Invalid UTF-8 is refused rather than silently replaced.
 */
import { AppError } from "./errors";
import { decodeUtf8, FORBIDDEN_NAMES, hasMediaType, readLimitedBytes } from "./read-body";

/** A token request is a few hundred bytes; 8 KiB leaves room for long scope lists and nothing more. */
export const DEFAULT_FORM_LIMIT_BYTES = 8 * 1024;

export function isFormContentType(header: string | null): boolean {
  return hasMediaType(header, "application/x-www-form-urlencoded");
}

export async function readForm(request: Request, limitBytes = DEFAULT_FORM_LIMIT_BYTES): Promise<ReadonlyMap<string, string>> {
  if (!isFormContentType(request.headers.get("content-type"))) {
    throw new AppError("ERR_UNSUPPORTED_MEDIA_TYPE", { detail: "Send the body as application/x-www-form-urlencoded." });
  }
  const text = decodeUtf8(await readLimitedBytes(request, limitBytes), () => new AppError("ERR_VALIDATION", { detail: "The body is not valid UTF-8." }));

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
