/**
 * zod at the boundary: every body, query and path parameter is parsed into a typed value, or
 * the request is refused with 400 and per-field messages. Schemas are strict objects, so an
 * unexpected field (`role`, `ownerId`, …) is an error rather than silently ignored: that is what
 * stops mass assignment (OWASP API Security Top 10 2023, API3).
 */
import type { z } from "zod";
import { AppError, type FieldErrors } from "./errors";

const ROOT = "(root)";

/** Turn zod issues into `field.path → messages`, one entry per unexpected key. */
export function fieldErrors(error: z.ZodError): FieldErrors {
  // A Map, not an object literal: a client-chosen field name such as `constructor`, `toString`
  // or `__proto__` would otherwise resolve to an inherited member, and the 400 became a 500.
  const out = new Map<string, string[]>();
  const add = (path: PropertyKey[], message: string) => {
    const key = path.length === 0 ? ROOT : path.map(String).join(".");
    const messages = out.get(key);
    if (messages === undefined) out.set(key, [message]);
    else messages.push(message);
  };
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) add([...issue.path, key], "Unexpected field.");
    } else {
      add(issue.path, issue.message);
    }
  }
  // fromEntries defines own properties, so even a `__proto__` entry stays an ordinary key.
  return Object.fromEntries(out);
}

export function validationError(error: z.ZodError, detail = "One or more fields are invalid."): AppError {
  return new AppError("ERR_VALIDATION", { detail, errors: fieldErrors(error), cause: error });
}

/** Parse `input` with `schema`, throwing a 400 AppError with field messages on failure. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw validationError(result.error);
  return result.data;
}

/**
 * Query strings as a plain object, refusing repeated keys: `?limit=10&limit=1000` is HTTP
 * parameter pollution, and different layers disagree on which value wins.
 */
export function queryObject(url: URL): Record<string, string> {
  const seen = new Map<string, string>();
  for (const [key, value] of url.searchParams) {
    if (seen.has(key)) {
      throw new AppError("ERR_VALIDATION", {
        detail: "A query parameter was given more than once.",
        errors: { [key]: ["Give this parameter once."] },
      });
    }
    seen.set(key, value);
  }
  // fromEntries defines own properties, so a `__proto__` key cannot reach the prototype.
  return Object.fromEntries(seen);
}
