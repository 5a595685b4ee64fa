"use client";

import { useEffect, useRef, type ReactNode } from "react";
import { cn } from "./cn";

export type ResultTone = "success" | "error" | "info";

const BADGES: Record<ResultTone, string> = {
  success: "bg-emerald-100 text-emerald-700 dark:bg-emerald-950 dark:text-emerald-300",
  error: "bg-red-100 text-red-700 dark:bg-red-950 dark:text-red-300",
  info: "bg-indigo-100 text-indigo-700 dark:bg-indigo-950 dark:text-indigo-300",
};

const ICONS: Record<ResultTone, ReactNode> = {
  success: <path d="m5 12.5 4.5 4.5L19 7.5" />,
  error: <path d="M12 8v5m0 3h.01M10.3 3.9 2.6 17.2A2 2 0 0 0 4.3 20h15.4a2 2 0 0 0 1.7-2.8L13.7 3.9a2 2 0 0 0-3.4 0Z" />,
  // An envelope: every "info" outcome here is "look in your mailbox".
  info: <path d="M3 6.5h18v11H3zM3.5 7l8.5 6.5L20.5 7" />,
};

/**
 * What stands in place of a form that has done its job, or can no longer do it: a heading, a few
 * words and where to go next. Focus moves to the heading, because the control that had it is gone
 * and focus would otherwise fall back to the top of the page; a screen reader then reads the
 * outcome. The heading is an h2 under the page's h1.
 */
export function ResultPanel({ tone, title, children, actions }: { tone: ResultTone; title: string; children?: ReactNode; actions?: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
  }, []);

  return (
    <div className="space-y-5">
      <div className="flex gap-3">
        <span className={cn("flex size-9 shrink-0 items-center justify-center rounded-full", BADGES[tone])}>
          <svg
            viewBox="0 0 24 24"
            aria-hidden="true"
            className="size-5"
            fill="none"
            stroke="currentColor"
            strokeWidth="2"
            strokeLinecap="round"
            strokeLinejoin="round"
          >
            {ICONS[tone]}
          </svg>
        </span>
        <div className="min-w-0 space-y-1.5">
          <h2 ref={heading} tabIndex={-1} className="text-lg font-semibold break-words outline-none">
            {title}
          </h2>
          {children === undefined || children === null ? null : (
            <div className="space-y-2 text-sm break-words text-slate-600 dark:text-slate-400">{children}</div>
          )}
        </div>
      </div>
      {actions === undefined ? null : <div className="flex flex-wrap gap-2">{actions}</div>}
    </div>
  );
}
