/**
 * Class lists shared by several primitives. Focus is always visible for keyboard users
 * (`focus-visible`), with a 2px ring that keeps 3:1 contrast in both colour schemes (WCAG 2.2
 * SC 2.4.7 and 2.4.13).
 */
export const focusRing = "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 dark:focus-visible:outline-indigo-400";

export const card = "rounded-xl border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900";

export const mutedText = "text-slate-600 dark:text-slate-400";

export const inputBase =
  "block w-full rounded-lg border bg-white px-3 py-2 text-base text-slate-900 shadow-xs placeholder:text-slate-400 " +
  "disabled:cursor-not-allowed disabled:opacity-60 dark:bg-slate-950 dark:text-slate-100 dark:placeholder:text-slate-500 " +
  "focus:outline-2 focus:outline-offset-0 focus:outline-indigo-600 dark:focus:outline-indigo-400 sm:text-sm";

export const inputBorder = "border-slate-300 dark:border-slate-700";
export const inputBorderInvalid = "border-red-600 dark:border-red-400";
