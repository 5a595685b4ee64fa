import type { ReactNode } from "react";
import { Logo } from "./logo";

/**
 * The frame of the 404, 403 and 500 pages. They say what happened in plain words and where to
 * go next, and nothing more: no path echoed back, no stack, no framework name. The status code
 * is decorative; the heading says it in words.
 */
export function ErrorPage({ code, title, children, actions }: { code: string; title: string; children: ReactNode; actions: ReactNode }) {
  return (
    <div className="flex min-h-screen flex-col">
      <header className="mx-auto flex h-16 w-full max-w-5xl items-center px-4 sm:px-6">
        <Logo />
      </header>
      <main id="main" tabIndex={-1} className="flex flex-1 items-center justify-center px-4 pb-24 outline-none">
        <div className="max-w-md space-y-4 text-center">
          <p aria-hidden="true" className="text-6xl font-bold tracking-tight text-indigo-600 tabular-nums dark:text-indigo-400">
            {code}
          </p>
          <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
          <div className="text-slate-600 dark:text-slate-400">{children}</div>
          <div className="flex flex-wrap justify-center gap-3 pt-2">{actions}</div>
        </div>
      </main>
    </div>
  );
}
