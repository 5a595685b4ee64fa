import type { ApiParameter } from "./document";
import { FieldTable } from "./field-table";
import { summarize } from "./schema";

export function ParametersTable({ parameters, label }: { parameters: readonly ApiParameter[]; label: string }) {
  return (
    <FieldTable
      label={label}
      nameColumn="Name"
      rows={parameters.map((parameter) => ({
        key: `${parameter.in}:${parameter.name}`,
        name: <code className="font-mono text-xs font-semibold whitespace-nowrap text-slate-900 dark:text-slate-100">{parameter.name}</code>,
        location: parameter.in,
        summary: summarize(parameter.schema),
        required: parameter.required === true,
        ...(parameter.description === undefined ? {} : { description: parameter.description }),
      }))}
    />
  );
}
