import { Button } from "./button";

export interface PaginationProps {
  page: number;
  limit: number;
  total: number;
  /** What is being paged, for the screen-reader label: "Notes pages". */
  label: string;
  onPage: (page: number) => void;
  disabled?: boolean;
}

export function pageCount(total: number, limit: number): number {
  return Math.max(1, Math.ceil(total / limit));
}

/** Previous / next with "21–30 of 42". The server owns paging; this only asks for a page. */
export function Pagination({ page, limit, total, label, onPage, disabled = false }: PaginationProps) {
  const pages = pageCount(total, limit);
  const first = total === 0 ? 0 : (page - 1) * limit + 1;
  const last = Math.min(total, page * limit);
  return (
    <nav aria-label={label} className="flex flex-wrap items-center justify-between gap-3 text-sm">
      <p className="text-slate-600 tabular-nums dark:text-slate-400">{total === 0 ? "No results" : `${first}–${last} of ${total}`}</p>
      <div className="flex items-center gap-2">
        <Button tone="secondary" size="sm" onClick={() => onPage(page - 1)} disabled={disabled || page <= 1}>
          <span aria-hidden="true">←</span> Previous
        </Button>
        <span className="px-1 text-slate-600 tabular-nums dark:text-slate-400">
          Page {page} of {pages}
        </span>
        <Button tone="secondary" size="sm" onClick={() => onPage(page + 1)} disabled={disabled || page >= pages}>
          Next <span aria-hidden="true">→</span>
        </Button>
      </div>
    </nav>
  );
}
