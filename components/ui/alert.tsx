import type { ReactNode } from "react";
import { cn } from "./cn";

export type AlertTone = "error" | "success" | "info" | "warning";

const TONES: Record<AlertTone, string> = {
  error: "border-red-300 bg-red-50 text-red-900 dark:border-red-900 dark:bg-red-950/60 dark:text-red-100",
  success: "border-emerald-300 bg-emerald-50 text-emerald-900 dark:border-emerald-900 dark:bg-emerald-950/60 dark:text-emerald-100",
  info: "border-sky-300 bg-sky-50 text-sky-900 dark:border-sky-900 dark:bg-sky-950/60 dark:text-sky-100",
  warning: "border-amber-300 bg-amber-50 text-amber-950 dark:border-amber-900 dark:bg-amber-950/60 dark:text-amber-100",
};

const ICONS: Record<AlertTone, ReactNode> = {
  error: <path d="M12 8v5m0 3h.01M10.3 3.9 2.6 17.2A2 2 0 0 0 4.3 20h15.4a2 2 0 0 0 1.7-2.8L13.7 3.9a2 2 0 0 0-3.4 0Z" />,
  warning: <path d="M12 8v5m0 3h.01M10.3 3.9 2.6 17.2A2 2 0 0 0 4.3 20h15.4a2 2 0 0 0 1.7-2.8L13.7 3.9a2 2 0 0 0-3.4 0Z" />,
  success: <path d="m5 12.5 4.5 4.5L19 7.5" />,
  info: <path d="M12 16v-4m0-4h.01M21 12a9 9 0 1 1-18 0 9 9 0 0 1 18 0Z" />,
};

export interface AlertProps {
  tone: AlertTone;
  title?: string;
  children?: ReactNode;
  className?: string;
}

/**
 * A message box. It does not announce itself: put it inside a `LiveRegion`, which exists before
 * the message does, so screen readers reliably read what appears in it.
 */
export function Alert({ tone, title, children, className }: AlertProps) {
  return (
    <div className={cn("flex gap-3 rounded-lg border px-4 py-3 text-sm", TONES[tone], className)}>
      <svg
        viewBox="0 0 24 24"
        aria-hidden="true"
        className="mt-0.5 size-4 shrink-0"
        fill="none"
        stroke="currentColor"
        strokeWidth="2"
        strokeLinecap="round"
        strokeLinejoin="round"
      >
        {ICONS[tone]}
      </svg>
      <div className="min-w-0 space-y-1">
        {title === undefined ? null : <p className="font-semibold">{title}</p>}
        {children === undefined ? null : <div className="break-words">{children}</div>}
      </div>
    </div>
  );
}

/**
 * A region that is always in the document, so what is rendered into it later is announced
 * (ARIA live regions only report changes to regions that already exist). "assertive" for
 * errors the user must act on; "polite" for confirmations.
 */
export function LiveRegion({ politeness = "polite", children, className }: { politeness?: "polite" | "assertive"; children?: ReactNode; className?: string }) {
  return (
    <div aria-live={politeness} aria-atomic="true" className={className}>
      {children}
    </div>
  );
}
