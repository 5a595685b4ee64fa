import { cn } from "../ui/cn";
import { card } from "../ui/styles";
import type { ApiDocument } from "./document";
import { SchemaView, schemaAnchor } from "./schema-view";

export const SCHEMAS_ID = "schemas";

/** The named schemas (`components.schemas`), each once, where every reference to it links. */
export function Schemas({ document }: { document: ApiDocument }) {
  const schemas = Object.entries(document.components.schemas);
  if (schemas.length === 0) return null;
  return (
    <section aria-labelledby={SCHEMAS_ID} className="space-y-4">
      <h2 id={SCHEMAS_ID} className="scroll-mt-6 text-xl font-semibold tracking-tight">
        Schemas
      </h2>
      {schemas.map(([name, schema]) => (
        <section key={name} aria-labelledby={schemaAnchor(name)} className={cn(card, "space-y-3 p-5 sm:p-6")}>
          <h3 id={schemaAnchor(name)} className="scroll-mt-6 font-mono text-base font-semibold">
            {name}
          </h3>
          <SchemaView schema={schema} label={`${name} fields`} />
        </section>
      ))}
    </section>
  );
}
