import { focusRing } from "../ui/styles";
import { cn } from "../ui/cn";

/** The first tab stop on every page: jump past the navigation (WCAG 2.2 SC 2.4.1). */
export function SkipLink() {
  return (
    <a
      href="#main"
      className={cn(
        "sr-only rounded-md bg-white px-3 py-2 text-sm font-medium text-slate-900 shadow focus:not-sr-only focus:fixed focus:top-3 focus:left-3 focus:z-50 dark:bg-slate-900 dark:text-slate-100",
        focusRing,
      )}
    >
      Skip to content
    </a>
  );
}
