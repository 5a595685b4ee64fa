import { cn } from "../ui/cn";
import type { JsonSchema } from "./document";
import { schemaRows, summarize, type Constraint, type SchemaSummary } from "./schema";
import { FieldTable } from "./field-table";
import { InlineText, inlineCode, textLink } from "./text";

export const cell = "px-3 py-2 align-top sm:px-4";

/** The heading id of a named schema in the page's Schemas section. */
export function schemaAnchor(name: string): string {
  return `schema-${name}`;
}

/** A type, linked to its schema's heading when it is a named one. */
export function TypeName({ summary }: { summary: SchemaSummary }) {
  if (summary.ref !== undefined) {
    return (
      <a href={`#${schemaAnchor(summary.ref)}`} className={`${textLink} font-mono text-xs`}>
        {summary.type}
      </a>
    );
  }
  return <code className="font-mono text-xs text-slate-800 dark:text-slate-200">{summary.type}</code>;
}

export function Constraints({ constraints }: { constraints: readonly Constraint[] }) {
  if (constraints.length === 0) return null;
  return (
    <ul className="flex flex-wrap gap-x-3 gap-y-1">
      {constraints.map((constraint, index) => (
        <li key={`${index}-${constraint.label}`} className="min-w-0">
          <span className="text-slate-600 dark:text-slate-400">{constraint.label}</span>{" "}
          {constraint.values.map((value, index) => (
            <span key={index}>
              {index > 0 ? " " : null}
              {/* A pattern is one long token that may break anywhere; a literal value is kept whole. */}
              <code className={cn(inlineCode, constraint.label === "pattern" ? "break-all" : "whitespace-nowrap")}>{value}</code>
            </span>
          ))}
        </li>
      ))}
    </ul>
  );
}

/** What a field or parameter is: its constraints, then its description. */
export function Details({ summary, description }: { summary: SchemaSummary; description?: string }) {
  const text = description ?? summary.description;
  if (summary.constraints.length === 0 && text === undefined) return <span className="text-slate-500 dark:text-slate-400">—</span>;
  return (
    <div className="space-y-1">
      <Constraints constraints={summary.constraints} />
      {text === undefined ? null : (
        <p className="text-slate-600 dark:text-slate-400">
          <InlineText text={text} />
        </p>
      )}
    </div>
  );
}

export function RequiredMark({ required }: { required: boolean }) {
  return required ? (
    <span className="font-medium text-slate-900 dark:text-slate-100">required</span>
  ) : (
    <span className="text-slate-600 dark:text-slate-400">optional</span>
  );
}

/**
 * A body's schema as one table of fields, nested ones as `parent.child`. A schema without named
 * fields (a string, a map, a named schema) is one line instead.
 */
export function SchemaView({ schema, label }: { schema: JsonSchema; label: string }) {
  const root = summarize(schema);
  const rows = schemaRows(schema);
  if (rows.length === 0) {
    return (
      <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1 text-sm">
        <TypeName summary={root} />
        <Details summary={root} />
      </div>
    );
  }
  return (
    <div className="space-y-2">
      {root.type === "object" ? null : (
        <p className="text-sm text-slate-600 dark:text-slate-400">
          <TypeName summary={root} />, each with these fields:
        </p>
      )}
      <FieldTable
        label={label}
        nameColumn="Field"
        rows={rows.map((row) => ({
          key: `${row.parents}${row.name}`,
          name: (
            <code className="font-mono text-xs whitespace-nowrap">
              {row.parents === "" ? null : <span className="text-slate-500 dark:text-slate-400">{row.parents}</span>}
              <span className="font-semibold text-slate-900 dark:text-slate-100">{row.name}</span>
            </code>
          ),
          summary: row.summary,
          required: row.required,
        }))}
      />
    </div>
  );
}
