import type { ReactNode } from "react";
import { ResultPanel } from "../ui/result-panel";
import { Spinner } from "../ui/spinner";

/** Shown by the server and during hydration: only the browser can read the link's fragment. */
export function ReadingLink() {
  return (
    <p className="flex items-center gap-2 text-sm text-slate-600 dark:text-slate-400">
      <Spinner /> Reading the link…
    </p>
  );
}

const TITLES = {
  // No usable token in the fragment: cut short when copied, or opened from an old message.
  incomplete: "This link is incomplete or has expired.",
  // The server refused the token: expired, spent, or replaced by a newer link.
  spent: "This link has expired or was already used.",
} as const;

/** A mailed link that cannot do its job, and what to do instead. */
export function LinkUnusable({ reason, children, actions }: { reason: keyof typeof TITLES; children?: ReactNode; actions?: ReactNode }) {
  return (
    <ResultPanel tone="error" title={TITLES[reason]} actions={actions}>
      {children}
    </ResultPanel>
  );
}
