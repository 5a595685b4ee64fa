import type { ApiDocument } from "./document";
import { InlineText, Prose, inlineCode, textLink } from "./text";

/** Where tools fetch the same document this page is rendered from. */
export const DOCUMENT_URL = "/api/openapi.json";

/** The page's heading, the document's own description, and the link for tools. */
export function Overview({ document }: { document: ApiDocument }) {
  const [lead = "", ...rest] = (document.info.description ?? "").split(/\n{2,}/);
  return (
    <div className="space-y-4">
      <p className="text-sm font-semibold tracking-wide text-indigo-700 uppercase dark:text-indigo-300">
        {document.info.title} API · version {document.info.version}
      </p>
      <h1 className="text-3xl font-bold tracking-tight sm:text-4xl">API reference</h1>
      <p className="max-w-3xl text-lg text-pretty text-slate-600 dark:text-slate-300">
        <InlineText text={lead} />
      </p>
      <p className="max-w-3xl text-slate-600 dark:text-slate-400">
        For tools (code generators, API clients, linters), the same OpenAPI 3.1 document is served at{" "}
        <a href={DOCUMENT_URL} className={textLink}>
          <code className={inlineCode}>{DOCUMENT_URL}</code>
        </a>
        .
      </p>
      {rest.length === 0 ? null : <Prose text={rest.join("\n\n")} className="max-w-3xl text-sm text-slate-600 dark:text-slate-400" />}
    </div>
  );
}
