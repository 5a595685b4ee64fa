import type { ReactNode } from "react";
import { card } from "../ui/styles";
import { cn } from "../ui/cn";
import { operationText } from "./access";
import { MethodBadge } from "./badges";
import type { ApiDocument } from "./document";
import type { OperationEntry } from "./operations";
import { ParametersTable } from "./parameters-table";
import { ProblemTable, ResponseList } from "./responses";
import { responsesView } from "./responses-model";
import { SchemaView, schemaAnchor } from "./schema-view";
import { SecurityRequirements } from "./security";
import { InlineText, PathText, Prose, inlineCode, textLink } from "./text";

/** The schema every problem+json body follows (lib/http/openapi.ts). */
const PROBLEM_SCHEMA = "Problem";

function Part({ title, children }: { title: ReactNode; children: ReactNode }) {
  return (
    <section className="space-y-2">
      <h4 className="text-sm font-semibold text-slate-900 dark:text-slate-100">{title}</h4>
      {children}
    </section>
  );
}

/** The body a legitimate caller sends, as it goes on the wire: JSON, or a URL-encoded form. */
function RequestExample({ contentType, example, label }: { contentType: string; example: Readonly<Record<string, unknown>>; label: string }) {
  const text =
    contentType === "application/x-www-form-urlencoded"
      ? new URLSearchParams(Object.entries(example).map(([key, value]) => [key, String(value)])).toString()
      : JSON.stringify(example, null, 2);
  return (
    <figure className="space-y-1">
      <figcaption className="text-xs font-medium text-slate-600 dark:text-slate-400">Example</figcaption>
      <pre aria-label={label} className="overflow-x-auto rounded-md bg-slate-100 p-3 font-mono text-xs text-slate-800 dark:bg-slate-900 dark:text-slate-200">
        <code>{text}</code>
      </pre>
    </figure>
  );
}

/** One operation: what it does, who may call it, what it takes and everything it can answer. */
export function Operation({ entry, document }: { entry: OperationEntry; document: ApiDocument }) {
  const { method, path, operation } = entry;
  const id = operation.operationId;
  const name = `${method} ${path}`;
  const text = operationText(operation);
  const { responses, problems } = responsesView(operation.responses);
  const bodies = Object.entries(operation.requestBody?.content ?? {});

  return (
    <article id={id} aria-labelledby={`${id}-title`} className={cn(card, "scroll-mt-6 space-y-5 p-5 sm:p-6")}>
      <header className="space-y-2">
        <h3 id={`${id}-title`} className="flex flex-wrap items-center gap-x-3 gap-y-1">
          <MethodBadge method={method} />{" "}
          <code className="min-w-0 font-mono text-base font-semibold">
            <PathText path={path} />
          </code>
        </h3>
        <p className="font-medium text-slate-800 dark:text-slate-200">
          <InlineText text={operation.summary} />
        </p>
        {text.paragraphs.length === 0 ? null : <Prose text={text.paragraphs.join("\n\n")} className="text-sm text-slate-600 dark:text-slate-400" />}
      </header>

      <dl className="grid gap-x-4 gap-y-2 text-sm sm:grid-cols-[9.5rem_minmax(0,1fr)]">
        <dt className="font-semibold text-slate-900 dark:text-slate-100">Who may call</dt>
        <dd className="text-slate-700 dark:text-slate-300">
          {text.access.kind === "public" ? (
            <>
              Public — <InlineText text={text.access.reason} />
            </>
          ) : (
            <>
              Permission <code className={inlineCode}>{text.access.permission}</code>
              {text.access.detail === undefined ? null : (
                <>
                  {" "}
                  <InlineText text={text.access.detail} />
                </>
              )}
            </>
          )}
        </dd>
        <dt className="font-semibold text-slate-900 dark:text-slate-100">Authenticate with</dt>
        <dd className="text-slate-700 dark:text-slate-300">
          <SecurityRequirements operation={operation} document={document} />
        </dd>
      </dl>

      {operation.parameters === undefined || operation.parameters.length === 0 ? null : (
        <Part title="Parameters">
          <ParametersTable parameters={operation.parameters} label={`${name} parameters`} />
        </Part>
      )}

      {bodies.length === 0 ? null : (
        <Part title="Request body">
          {bodies.map(([contentType, content]) => (
            <div key={contentType} className="space-y-2">
              <p className="text-sm text-slate-600 dark:text-slate-400">
                <code className={inlineCode}>{contentType}</code>
              </p>
              {content.schema === undefined ? null : <SchemaView schema={content.schema} label={`${name} request body fields`} />}
              {content.example === undefined ? null : <RequestExample contentType={contentType} example={content.example} label={`${name} request example`} />}
            </div>
          ))}
        </Part>
      )}

      {responses.length === 0 ? null : (
        <Part title="Responses">
          <ResponseList responses={responses} label={name} />
        </Part>
      )}

      {problems.length === 0 ? null : (
        <Part title="Problem responses">
          <p className="text-sm text-slate-600 dark:text-slate-400">
            <code className={inlineCode}>application/problem+json</code>
            {document.components.schemas[PROBLEM_SCHEMA] === undefined ? null : (
              <>
                , shaped as{" "}
                <a href={`#${schemaAnchor(PROBLEM_SCHEMA)}`} className={textLink}>
                  {PROBLEM_SCHEMA}
                </a>
              </>
            )}
            .
          </p>
          <ProblemTable problems={problems} label={`${name} problem responses`} />
        </Part>
      )}
    </article>
  );
}
