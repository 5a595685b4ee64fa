/**
 * fast-check arbitraries from the app's own zod schemas, plus hostile ones. A schema-driven
 * generator produces mostly well-formed input, which reaches past validation into the handlers;
 * the hostile generators probe the parsers and validators themselves: huge strings, odd Unicode
 * (lone surrogates, bidi overrides, NUL), wrong types, deep nesting, prototype keys, extra fields.
 * Only the schema kinds the app uses are read; anything else falls back to arbitrary JSON.
 */
import fc from "fast-check";
import type { z } from "zod";

type AnySchema = z.ZodType;

interface StringCheck {
  check: string;
  minimum?: number;
  maximum?: number;
  format?: string;
  pattern?: RegExp;
}

/** Strings that break naive code: lone surrogates, bidi overrides, NUL, BOM, zero-width, combining marks, look-alikes. */
export const ODD_UNICODE = [
  "\uD800",
  "\uDFFF",
  "a\uD83D",
  "\u202Eevil\u202C",
  "\u0000",
  "a\u0000b",
  "\uFEFF",
  "\u200B\u200D",
  "e\u0301\u0301\u0301",
  "ﬁ",
  "𝕒𝕕𝕞𝕚𝕟",
  "\u2028\u2029",
  "\r\nSet-Cookie: x=1",
  "İ",
  "\uFFFF",
];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...ODD_UNICODE),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom(1_000, 20_000, 70_000).chain((size) => fc.constantFrom("A", "é", "😀", "\u0000").map((unit) => unit.repeat(size))),
  fc.constantFrom(
    "' OR '1'='1",
    '"; DROP TABLE "User";--',
    "${7*7}",
    "{{7*7}}",
    "<script>alert(1)</script>",
    "../../../../etc/passwd",
    "%00",
    "%2e%2e%2f",
    "\\u0000",
    "NaN",
    "-0",
    "1e999",
  ),
);

/** A value of the wrong JSON type for any field. */
export const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
  fc.constant({ $ne: null }),
);

function stringArbitrary(schema: AnySchema & { minLength?: number | null; maxLength?: number | null; format?: string | null }): fc.Arbitrary<string> {
  const checks = ((schema.def as { checks?: { _zod: { def: StringCheck } }[] }).checks ?? []).map((check) => check._zod.def);
  const pattern = checks.find((check) => check.format === "regex")?.pattern;
  if (pattern !== undefined) return fc.stringMatching(pattern);
  if (schema.format === "email") return fc.emailAddress();
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.min(schema.maxLength ?? 64, minLength + 64);
  return fc.string({ minLength, maxLength, unit: "grapheme" });
}

/** Values the schema would (mostly) accept. */
export function arbitraryFor(schema: AnySchema): fc.Arbitrary<unknown> {
  const def = schema.def as { type: string; innerType?: AnySchema; in?: AnySchema; element?: AnySchema; values?: unknown[]; entries?: Record<string, unknown> };
  switch (def.type) {
    case "string":
      return stringArbitrary(schema as AnySchema & { minLength?: number | null });
    case "enum":
      return fc.constantFrom(...Object.values(def.entries ?? {}));
    case "literal":
      return fc.constantFrom(...(def.values ?? []));
    case "boolean":
      return fc.boolean();
    case "number":
      return fc.integer({ min: 0, max: 1000 });
    case "optional":
      return fc.option(arbitraryFor(def.innerType as AnySchema), { nil: undefined });
    case "default":
      return fc.option(arbitraryFor(def.innerType as AnySchema), { nil: undefined });
    case "pipe":
      return arbitraryFor(def.in as AnySchema);
    case "array":
      return fc.array(arbitraryFor(def.element as AnySchema), { maxLength: 3 });
    case "object": {
      const shape = (schema as unknown as { shape: Record<string, AnySchema> }).shape;
      return fc.record(Object.fromEntries(Object.entries(shape).map(([key, field]) => [key, arbitraryFor(field)]))).map((record) =>
        // Optional fields left out, as a client would, rather than sent as undefined.
        Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)),
      );
    }
    default:
      return fc.jsonValue();
  }
}

/** The top-level object schema under any pipes (`pagedQuery` wraps its object in a transform). */
export function objectShape(schema: AnySchema): Record<string, AnySchema> {
  const def = schema.def as { type: string; in?: AnySchema };
  if (def.type === "pipe") return objectShape(def.in as AnySchema);
  return def.type === "object" ? (schema as unknown as { shape: Record<string, AnySchema> }).shape : {};
}

/** The field names whose values are strings (after optional, default and pipe wrappers). */
export function stringFields(schema: AnySchema): string[] {
  const base = (field: AnySchema): string => {
    const def = field.def as { type: string; innerType?: AnySchema; in?: AnySchema };
    if (def.type === "optional" || def.type === "default") return base(def.innerType as AnySchema);
    if (def.type === "pipe") return base(def.in as AnySchema);
    return def.type;
  };
  return Object.entries(objectShape(schema))
    .filter(([, field]) => base(field) === "string")
    .map(([name]) => name);
}

/** A JSON body as sent on the wire: its exact text (duplicate keys, `__proto__` and deep nesting need raw text). */
export type WireBody = string;

/** Well-formed and hostile JSON bodies for an object schema. */
export function hostileJsonBody(schema: AnySchema): fc.Arbitrary<WireBody> {
  const valid = arbitraryFor(schema) as fc.Arbitrary<Record<string, unknown>>;
  const fields = Object.keys(objectShape(schema));
  const field = fields.length > 0 ? fc.constantFrom(...fields) : fc.constant("field");
  return fc.oneof(
    // Well-formed: reaches the handler's own logic.
    { arbitrary: valid.map((value) => JSON.stringify(value)), weight: 3 },
    // One field hostile or of the wrong type.
    { arbitrary: fc.tuple(valid, field, fc.oneof(hostileString, wrongType)).map(([value, name, bad]) => JSON.stringify({ ...value, [name]: bad })), weight: 4 },
    // Mass assignment: an extra field.
    {
      arbitrary: fc
        .tuple(valid, fc.constantFrom("role", "ownerId", "id", "isAdmin", "passwordHash", "disabledAt", "userId"), fc.jsonValue())
        .map(([value, name, extra]) => JSON.stringify({ ...value, [name]: extra })),
      weight: 1,
    },
    // Prototype pollution, which JSON.stringify cannot write: raw text.
    {
      arbitrary: fc
        .tuple(
          valid,
          fc.constantFrom('"__proto__":{"role":"admin"}', '"constructor":{"prototype":{"isAdmin":true}}', '"prototype":{}', '"a":{"__proto__":{"x":1}}'),
        )
        .map(([value, extra]) => `{${extra}${Object.keys(value).length > 0 ? `,${JSON.stringify(value).slice(1)}` : "}"}`),
      weight: 1,
    },
    // Deep nesting.
    { arbitrary: fc.integer({ min: 20, max: 5_000 }).map((depth) => `${'{"a":['.repeat(depth)}1${"]}".repeat(depth)}`), weight: 1 },
    // Not an object at all, or not JSON.
    {
      arbitrary: fc.oneof(
        fc.jsonValue().map((value) => JSON.stringify(value) ?? "null"),
        fc.constantFrom("", "{", "[]", "null", '"x"', '{"a":1,}', "\u0000", '{"a":"\\ud800"}'),
        fc.string({ unit: "binary" }),
      ),
      weight: 2,
    },
    // Duplicate keys: the last one wins, so the first must not matter.
    { arbitrary: fc.tuple(valid, field).map(([value, name]) => `{"${name}":"first",${JSON.stringify(value).slice(1)}`), weight: 1 },
  );
}
