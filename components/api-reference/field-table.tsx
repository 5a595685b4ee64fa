import type { ReactNode } from "react";
import { TableFrame, th } from "../ui/table";
import type { SchemaSummary } from "./schema";
import { cell, Details, RequiredMark, TypeName } from "./schema-view";

export interface FieldRow {
  key: string;
  /** The field's or parameter's name, as it is shown in the row's header cell. */
  name: ReactNode;
  /** Where a parameter travels (path, query, cookie); fields of a body have no such column. */
  location?: string;
  summary: SchemaSummary;
  required: boolean;
  description?: string;
}

/** The one table shape for a body's fields and for an operation's parameters. */
export function FieldTable({ label, nameColumn, rows }: { label: string; nameColumn: string; rows: readonly FieldRow[] }) {
  const located = rows.some((row) => row.location !== undefined);
  const columns = [nameColumn, ...(located ? ["In"] : []), "Type", "Required", "Details"];
  return (
    <TableFrame label={label} keyboardScrollable>
      <thead className="border-b border-slate-200 dark:border-slate-800">
        <tr>
          {columns.map((column) => (
            <th key={column} scope="col" className={th}>
              {column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
        {rows.map((row) => (
          <tr key={row.key}>
            <th scope="row" className={`${cell} text-left font-normal`}>
              {row.name}
            </th>
            {located ? <td className={`${cell} text-slate-600 dark:text-slate-400`}>{row.location}</td> : null}
            <td className={cell}>
              <TypeName summary={row.summary} />
            </td>
            <td className={cell}>
              <RequiredMark required={row.required} />
            </td>
            <td className={cell}>
              <Details summary={row.summary} {...(row.description === undefined ? {} : { description: row.description })} />
            </td>
          </tr>
        ))}
      </tbody>
    </TableFrame>
  );
}
