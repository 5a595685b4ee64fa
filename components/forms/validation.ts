/**
 * Form validation with the server's own schemas (lib/auth/schemas.ts and friends): the browser
 * shows the same messages the server would send, and a rule changed in one place changes in both.
 * The server still validates everything; this only saves a round trip.
 */
import type { z } from "zod";
import "@/lib/client/zod-browser";
import type { FieldErrors } from "@/lib/client/problem";

export type { FieldErrors };

/** zod issues as `field → messages`, keyed by the first path segment (our forms are flat). */
export function issuesByField(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.length === 0 ? "(root)" : String(issue.path[0]);
    const list = (out[key] ??= []);
    if (!list.includes(issue.message)) list.push(issue.message);
  }
  return out;
}

export type Validation<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors };

export function validate<S extends z.ZodType>(schema: S, values: unknown): Validation<z.output<S>> {
  const result = schema.safeParse(values);
  return result.success ? { ok: true, data: result.data } : { ok: false, errors: issuesByField(result.error) };
}

/** Errors for one field only: used to re-check a field as the user fixes it. */
export function errorsFor(errors: FieldErrors, field: string): string[] {
  return errors[field] ?? [];
}
