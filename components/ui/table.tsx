import type { ReactNode } from "react";
import { cn } from "./cn";
import { focusRing } from "./styles";

/**
 * A table that scrolls sideways inside its card on narrow screens instead of widening the page.
 * `keyboardScrollable`: for tables of read-only text, whose overflow no focusable cell lets a
 * keyboard reach, the frame itself takes focus so the arrow keys can scroll it (WCAG 2.1.1).
 */
export function TableFrame({
  label,
  children,
  busy = false,
  keyboardScrollable = false,
}: {
  label: string;
  children: ReactNode;
  busy?: boolean;
  keyboardScrollable?: boolean;
}) {
  return (
    <div
      className={cn(
        "overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900",
        keyboardScrollable && focusRing,
      )}
      aria-busy={busy}
      {...(keyboardScrollable ? { tabIndex: 0, role: "region", "aria-label": label } : {})}
    >
      <table className={cn("w-full text-left text-sm transition-opacity", busy && "opacity-60")}>
        <caption className="sr-only">{label}</caption>
        {children}
      </table>
    </div>
  );
}

export const th = "px-4 py-3 text-xs font-semibold tracking-wide text-slate-600 uppercase dark:text-slate-400";
export const td = "px-4 py-3 align-top";

/**
 * A column header that sorts. The button carries the action; `aria-sort` on the header tells
 * assistive technology which column the rows are sorted by now, and which way.
 */
export function SortableHeader<S extends string>({
  label,
  sort,
  current,
  order,
  onSort,
}: {
  label: string;
  sort: S;
  current: S;
  order: "asc" | "desc";
  onSort: (sort: S) => void;
}) {
  const active = sort === current;
  return (
    <th scope="col" className={th} aria-sort={active ? (order === "asc" ? "ascending" : "descending") : undefined}>
      <button
        type="button"
        onClick={() => onSort(sort)}
        className={cn("inline-flex items-center gap-1 rounded-sm uppercase hover:text-slate-900 dark:hover:text-white", focusRing)}
      >
        {label}
        <span aria-hidden="true" className={cn("text-[0.65rem]", !active && "opacity-30")}>
          {active && order === "asc" ? "▲" : "▼"}
        </span>
      </button>
    </th>
  );
}
