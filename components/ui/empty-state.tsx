import type { ReactNode } from "react";

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="flex flex-col items-center gap-3 rounded-xl border border-dashed border-slate-300 px-6 py-12 text-center dark:border-slate-700">
      <svg
        viewBox="0 0 24 24"
        aria-hidden="true"
        className="size-10 text-slate-400 dark:text-slate-500"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.5"
        strokeLinecap="round"
        strokeLinejoin="round"
      >
        <path d="M4 5h16v14H4zM4 9h16M9 13h6" />
      </svg>
      <h3 className="text-base font-semibold">{title}</h3>
      {children === undefined ? null : <div className="max-w-sm text-sm text-slate-600 dark:text-slate-400">{children}</div>}
      {action}
    </div>
  );
}
