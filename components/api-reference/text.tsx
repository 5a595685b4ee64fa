import { Fragment } from "react";
import { cn } from "../ui/cn";
import { focusRing } from "../ui/styles";

export const textLink = cn(
  "rounded-sm font-medium text-indigo-700 underline underline-offset-2 hover:text-indigo-900 dark:text-indigo-300 dark:hover:text-indigo-100",
  focusRing,
);

export const inlineCode = "rounded bg-slate-100 px-1 py-0.5 font-mono text-[0.85em] text-slate-800 dark:bg-slate-800 dark:text-slate-200";

/**
 * Text with `backtick` spans set as code: the only markup the generated descriptions use. Text
 * is never parsed as HTML, so a description cannot inject markup into the page.
 */
export function InlineText({ text }: { text: string }) {
  const parts = text.split("`");
  // An unmatched backtick would turn the rest of the sentence into code; show it as written.
  if (parts.length % 2 === 0) return <>{text}</>;
  return (
    <>
      {parts.map((part, index) =>
        index % 2 === 1 ? (
          <code key={index} className={inlineCode}>
            {part}
          </code>
        ) : (
          <Fragment key={index}>{part}</Fragment>
        ),
      )}
    </>
  );
}

/** Paragraphs split on blank lines; a paragraph of `- ` lines is a list. */
export function Prose({ text, className }: { text: string; className?: string }) {
  const blocks = text.split(/\n{2,}/).filter((block) => block.trim() !== "");
  if (blocks.length === 0) return null;
  return (
    <div className={cn("space-y-2", className)}>
      {blocks.map((block, index) => {
        const lines = block.split("\n");
        if (lines.every((line) => line.startsWith("- "))) {
          return (
            <ul key={index} className="list-disc space-y-1 pl-5">
              {lines.map((line, item) => (
                <li key={item}>
                  <InlineText text={line.slice(2)} />
                </li>
              ))}
            </ul>
          );
        }
        return (
          <p key={index}>
            {lines.map((line, at) => (
              <Fragment key={at}>
                {at > 0 ? <br /> : null}
                <InlineText text={line} />
              </Fragment>
            ))}
          </p>
        );
      })}
    </div>
  );
}

/** A URL path that may wrap after a slash on a narrow screen, never inside a segment. */
export function PathText({ path }: { path: string }) {
  return (
    <>
      {path.split("/").map((segment, index) => (
        <Fragment key={index}>
          {index > 0 ? (
            <>
              /<wbr />
            </>
          ) : null}
          {segment}
        </Fragment>
      ))}
    </>
  );
}
