/**
 * JSON Schema, read for people: a type label ("string | null", "object[]", "map of string") and a
 * few short constraints per field, instead of the schema's own JSON. Nested objects are flattened
 * into dotted rows (`items[].id`), so one table shows a whole body.
 */
import type { JsonSchema } from "./document";

const SCHEMA_REF = "#/components/schemas/";

/** How deep nested objects are flattened; the API's deepest body is three levels. */
const MAX_DEPTH = 5;

export interface Constraint {
  label: string;
  /** Shown as code: literal values, lengths, patterns. */
  values: readonly string[];
}

export interface SchemaSummary {
  type: string;
  /** A named schema (`components.schemas`) the type refers to, to link to. */
  ref?: string;
  constraints: readonly Constraint[];
  description?: string;
}

export interface SchemaRow {
  /** The path to the field's parent object, with its trailing dot: `items[].`, or "" at the top. */
  parents: string;
  name: string;
  required: boolean;
  summary: SchemaSummary;
}

export function refName(schema: JsonSchema): string | undefined {
  return schema.$ref?.startsWith(SCHEMA_REF) === true ? schema.$ref.slice(SCHEMA_REF.length) : undefined;
}

function alternatives(schema: JsonSchema): readonly JsonSchema[] | undefined {
  return schema.anyOf ?? schema.oneOf;
}

function typesOf(schema: JsonSchema): readonly string[] {
  if (schema.type === undefined) return [];
  return typeof schema.type === "string" ? [schema.type] : schema.type;
}

export function typeLabel(schema: JsonSchema): string {
  const ref = refName(schema);
  if (ref !== undefined) return ref;
  const variants = alternatives(schema);
  if (variants !== undefined) return variants.map(typeLabel).join(" | ");
  const types = typesOf(schema);
  if (types.length === 0) return schema.const === undefined ? "any" : typeof schema.const;
  return types.map((type) => (type === "array" ? arrayLabel(schema) : type === "object" ? objectLabel(schema) : type)).join(" | ");
}

function arrayLabel(schema: JsonSchema): string {
  if (schema.items === undefined) return "array";
  const item = typeLabel(schema.items);
  return item.includes(" ") ? `(${item})[]` : `${item}[]`;
}

function objectLabel(schema: JsonSchema): string {
  const extra = schema.additionalProperties;
  // A record (`z.record`): no named fields, every value of one type.
  if (schema.properties === undefined && typeof extra === "object") {
    const value = typeLabel(extra);
    return value.includes(" ") ? `map of (${value})` : `map of ${value}`;
  }
  return "object";
}

function literal(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** `1–200`, `≤ 200`, `≥ 1`, or `3` when both bounds agree. */
function span(min: number | undefined, max: number | undefined): string | undefined {
  if (min !== undefined && max !== undefined) return min === max ? String(min) : `${min}–${max}`;
  if (min !== undefined) return `≥ ${min}`;
  if (max !== undefined) return `≤ ${max}`;
  return undefined;
}

function valueRange(schema: JsonSchema): string | undefined {
  // zod bounds every integer by Number.MAX_SAFE_INTEGER: a JavaScript limit, not the API's.
  const maximum = schema.maximum === Number.MAX_SAFE_INTEGER ? undefined : schema.maximum;
  if (schema.exclusiveMinimum === undefined && schema.exclusiveMaximum === undefined) return span(schema.minimum, maximum);
  const parts = [
    schema.exclusiveMinimum === undefined ? (schema.minimum === undefined ? undefined : `≥ ${schema.minimum}`) : `> ${schema.exclusiveMinimum}`,
    schema.exclusiveMaximum === undefined ? (maximum === undefined ? undefined : `≤ ${maximum}`) : `< ${schema.exclusiveMaximum}`,
  ].filter((part) => part !== undefined);
  return parts.join(", ");
}

export function constraintsOf(schema: JsonSchema): Constraint[] {
  const out: Constraint[] = [];
  const add = (label: string, ...values: (string | undefined)[]) => {
    const present = values.filter((value) => value !== undefined && value !== "");
    if (present.length > 0) out.push({ label, values: present as string[] });
  };
  if (schema.const !== undefined) add("always", literal(schema.const));
  if (schema.enum !== undefined) add("one of", ...schema.enum.map(literal));
  // A format says what the value is; zod also writes the regex that checks it (for date-time, a
  // 300-character one), which would only bury the format.
  if (schema.format !== undefined) add("format", schema.format);
  else add("pattern", schema.pattern);
  add("length", span(schema.minLength, schema.maxLength));
  add("value", valueRange(schema));
  add("items", span(schema.minItems, schema.maxItems));
  if (schema.default !== undefined) add("default", literal(schema.default));
  const extra = schema.additionalProperties;
  // Bodies are strict, so the exception is what needs saying: an object that takes other fields.
  if (schema.properties !== undefined && extra !== undefined && extra !== false) add("other fields", extra === true ? "any" : typeLabel(extra));
  return out;
}

/** An array of plain values (`string[]` of an enum): what each item must be. Object items get rows instead. */
function itemConstraints(schema: JsonSchema): Constraint[] {
  if (schema.items === undefined || expandable(schema.items) !== undefined) return [];
  return constraintsOf(schema.items).map((constraint) => ({ ...constraint, label: `each ${constraint.label}` }));
}

export function summarize(schema: JsonSchema): SchemaSummary {
  const ref = refName(schema);
  // A nullable field (`anyOf: [T, null]`): its constraints are T's.
  const variants = alternatives(schema) ?? [];
  const constraints = [constraintsOf(schema), ...variants.map(constraintsOf), itemConstraints(schema)].flat();
  const description = schema.description ?? variants.find((variant) => variant.description !== undefined)?.description;
  return {
    type: typeLabel(schema),
    ...(ref === undefined ? {} : { ref }),
    constraints,
    ...(description === undefined ? {} : { description }),
  };
}

/** The object whose fields a schema's rows list, and how its path is written (`.`, `[].`). */
export function expandable(schema: JsonSchema): { object: JsonSchema; suffix: string } | undefined {
  // A named schema is documented once, under its own heading, not inlined at every use.
  if (schema.$ref !== undefined) return undefined;
  if (schema.properties !== undefined) return { object: schema, suffix: "." };
  if (schema.items !== undefined) {
    const item = expandable(schema.items);
    return item === undefined ? undefined : { object: item.object, suffix: `[]${item.suffix}` };
  }
  const inner = (alternatives(schema) ?? []).map(expandable).filter((candidate) => candidate !== undefined);
  return inner.length === 1 ? inner[0] : undefined;
}

/** Every field of an object schema, nested ones after their parent. */
export function schemaRows(schema: JsonSchema, parents = "", depth = 0): SchemaRow[] {
  const target = expandable(schema);
  if (target === undefined) return [];
  const required = new Set(target.object.required ?? []);
  return Object.entries(target.object.properties ?? {}).flatMap(([name, member]) => {
    if (member === undefined) return [];
    const row: SchemaRow = { parents, name, required: required.has(name), summary: summarize(member) };
    const nested = expandable(member);
    if (nested === undefined || depth >= MAX_DEPTH) return [row];
    return [row, ...schemaRows(member, `${parents}${name}${nested.suffix}`, depth + 1)];
  });
}
