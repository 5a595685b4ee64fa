/**
 * Text a client sends that the database will store: names, note titles and bodies.
 *
 * Threat: two kinds of string are valid JavaScript but not valid stored text. PostgreSQL's `text`
 * cannot hold U+0000 at all: the insert fails (SQLSTATE 22021), and a body of `{"title":"\u0000"}`
 * became a 500 instead of a 400 (found by the security suite's fuzzer, tests/security/fuzz.test.ts).
 * A lone UTF-16 surrogate (`"\ud800"`, legal in JSON escapes) is not Unicode text: the driver
 * encodes it as U+FFFD, so what is read back silently differs from what was accepted.
 * Defence: refuse both at the boundary with a field message, like any other invalid input.
 * Shared with the browser (the forms use the same schemas), so it uses no Node API.
 */
import type { z } from "zod";

// U+0000, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const UNSTORABLE_TEXT_MESSAGE = "Remove the NUL or unpaired surrogate character.";

export function isStorableText(value: string): boolean {
  return !UNSTORABLE.test(value);
}

/** `schema`, refusing text the database cannot store unchanged. */
export function storableText<S extends z.ZodString>(schema: S): S {
  return schema.refine(isStorableText, { message: UNSTORABLE_TEXT_MESSAGE });
}
