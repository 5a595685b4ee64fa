import { TableFrame, th } from "../ui/table";
import { StatusBadge } from "./badges";
import type { ResponseView, StatusProblems, HeaderNote } from "./responses-model";
import { cell, SchemaView } from "./schema-view";
import { InlineText, Prose, inlineCode } from "./text";

function Headers({ headers }: { headers: readonly HeaderNote[] }) {
  if (headers.length === 0) return null;
  return (
    <p className="text-sm text-slate-600 dark:text-slate-400">
      Headers:{" "}
      {headers.map((header, index) => (
        <span key={header.name}>
          {index > 0 ? ", " : null}
          <code className={inlineCode}>{header.name}</code>
          {header.required ? " (always sent)" : null}
        </span>
      ))}
    </p>
  );
}

/** The responses with a body or a meaning of their own: successes, redirects, a route's own error format. */
export function ResponseList({ responses, label }: { responses: readonly ResponseView[]; label: string }) {
  return (
    <ul className="space-y-4">
      {responses.map((response) => (
        <li key={response.status} className="space-y-2">
          <div className="flex flex-wrap items-start gap-x-3 gap-y-1 text-sm">
            <StatusBadge status={response.status} />
            {response.prose === "" ? null : <Prose text={response.prose} className="min-w-0 flex-1 text-slate-700 dark:text-slate-300" />}
          </div>
          <Headers headers={response.headers} />
          {response.bodies.length === 0 ? (
            <p className="text-sm text-slate-600 dark:text-slate-400">No body.</p>
          ) : (
            response.bodies.map((body) => (
              <div key={body.contentType} className="space-y-2">
                <p className="text-sm text-slate-600 dark:text-slate-400">
                  Body: <code className={inlineCode}>{body.contentType}</code>
                </p>
                {body.schema === undefined ? null : <SchemaView schema={body.schema} label={`${label}: ${response.status} ${body.contentType} fields`} />}
              </div>
            ))
          )}
        </li>
      ))}
    </ul>
  );
}

/** Every problem+json refusal an operation can get, by status, with each code and why it is sent. */
export function ProblemTable({ problems, label }: { problems: readonly StatusProblems[]; label: string }) {
  return (
    <TableFrame label={label} keyboardScrollable>
      <thead className="border-b border-slate-200 dark:border-slate-800">
        <tr>
          <th scope="col" className={`${th} w-20`}>
            Status
          </th>
          <th scope="col" className={th}>
            Problem codes
          </th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
        {problems.map((problem) => (
          <tr key={problem.status} data-status={problem.status}>
            <th scope="row" className={`${cell} text-left font-normal`}>
              <StatusBadge status={problem.status} />
            </th>
            <td className={`${cell} space-y-1.5`}>
              <ul className="space-y-1">
                {problem.codes.map((code) => (
                  <li key={code.code}>
                    <code className="font-mono text-xs font-semibold text-slate-900 dark:text-slate-100">{code.code}</code>
                    {code.meaning === "" ? null : (
                      <span className="text-slate-600 dark:text-slate-400">
                        {" — "}
                        <InlineText text={code.meaning} />
                      </span>
                    )}
                  </li>
                ))}
              </ul>
              <Headers headers={problem.headers} />
            </td>
          </tr>
        ))}
      </tbody>
    </TableFrame>
  );
}
