import { cn } from "../ui/cn";
import { focusRing } from "../ui/styles";
import { MethodBadge } from "./badges";
import { AUTHENTICATION_ID } from "./introduction";
import { SCHEMAS_ID } from "./schemas";
import type { OperationGroup } from "./operations";
import { PathText } from "./text";

const item = cn(
  "block rounded-md px-2 py-1 text-slate-700 hover:bg-slate-100 hover:text-slate-950 dark:text-slate-300 dark:hover:bg-slate-800 dark:hover:text-white",
  focusRing,
);

/**
 * The table of contents: plain in-page links, so it works without JavaScript. Beside the content
 * on wide screens, where it stays in view; above it on narrow ones.
 */
export function Contents({ groups, schemas }: { groups: readonly OperationGroup[]; schemas: boolean }) {
  return (
    <nav
      aria-labelledby="contents"
      className="mb-10 rounded-xl border border-slate-200 bg-white p-4 text-sm shadow-sm lg:sticky lg:top-6 lg:mb-0 lg:max-h-[calc(100vh-3rem)] lg:self-start lg:overflow-y-auto lg:border-0 lg:bg-transparent lg:p-0 lg:shadow-none dark:border-slate-800 dark:bg-slate-900 lg:dark:bg-transparent"
    >
      <h2 id="contents" className="px-2 text-xs font-semibold tracking-wide text-slate-600 uppercase dark:text-slate-400">
        Contents
      </h2>
      <a href={`#${AUTHENTICATION_ID}`} className={cn(item, "mt-2 font-medium")}>
        Authentication
      </a>
      <ul className="mt-3 grid gap-x-6 gap-y-3 sm:grid-cols-2 lg:grid-cols-1">
        {groups.map((group) => (
          <li key={group.id}>
            <a href={`#${group.id}`} className={cn(item, "font-mono text-xs font-semibold text-slate-900 dark:text-slate-100")}>
              {group.title}
            </a>
            <ul className="mt-0.5 space-y-0.5">
              {group.operations.map(({ method, path, operation }) => (
                <li key={operation.operationId}>
                  <a href={`#${operation.operationId}`} className={cn(item, "flex items-start gap-1.5 font-mono text-[0.7rem]")}>
                    <MethodBadge method={method} className="min-w-11 px-1 py-0 text-[0.625rem]" />{" "}
                    <span className="min-w-0 pt-px">
                      <PathText path={path} />
                    </span>
                  </a>
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
      {schemas ? (
        <a href={`#${SCHEMAS_ID}`} className={cn(item, "mt-3 font-medium")}>
          Schemas
        </a>
      ) : null}
    </nav>
  );
}
