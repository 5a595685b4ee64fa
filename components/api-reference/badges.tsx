import { cn } from "../ui/cn";

const chip = "inline-flex shrink-0 items-center justify-center rounded-md px-1.5 py-0.5 font-mono text-xs font-semibold ring-1 ring-inset";

const GREEN = "bg-emerald-50 text-emerald-800 ring-emerald-200 dark:bg-emerald-950 dark:text-emerald-200 dark:ring-emerald-800";
const INDIGO = "bg-indigo-50 text-indigo-800 ring-indigo-200 dark:bg-indigo-950 dark:text-indigo-200 dark:ring-indigo-800";
const AMBER = "bg-amber-50 text-amber-900 ring-amber-200 dark:bg-amber-950 dark:text-amber-200 dark:ring-amber-800";
const RED = "bg-red-50 text-red-800 ring-red-200 dark:bg-red-950 dark:text-red-200 dark:ring-red-800";
const SLATE = "bg-slate-100 text-slate-700 ring-slate-300 dark:bg-slate-800 dark:text-slate-200 dark:ring-slate-700";

const METHOD_TONES: Readonly<Record<string, string>> = { GET: GREEN, POST: INDIGO, PUT: AMBER, PATCH: AMBER, DELETE: RED };

export function MethodBadge({ method, className }: { method: string; className?: string }) {
  return <span className={cn(chip, "min-w-14", METHOD_TONES[method] ?? SLATE, className)}>{method}</span>;
}

function statusTone(status: string): string {
  if (status.startsWith("2")) return GREEN;
  if (status.startsWith("4")) return AMBER;
  if (status.startsWith("5")) return RED;
  return SLATE;
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={cn(chip, statusTone(status))}>{status}</span>;
}
