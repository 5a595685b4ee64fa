"use client";

import "./globals.css";

/**
 * The last resort, when the root layout itself fails: it replaces the whole document, so it has
 * its own html and body. Same rule as app/error.tsx: a reference, never a message or a stack.
 */
export default function GlobalError({ error, retry }: { error: unknown; retry: () => void }) {
  const digest = typeof error === "object" && error !== null && "digest" in error && typeof error.digest === "string" ? error.digest : null;
  return (
    <html lang="en">
      <body className="flex min-h-screen items-center justify-center bg-slate-50 px-4 font-sans text-slate-900 dark:bg-slate-950 dark:text-slate-100">
        <title>Something went wrong · Palisade</title>
        <main className="max-w-md space-y-4 text-center">
          <p aria-hidden="true" className="text-6xl font-bold text-indigo-600 dark:text-indigo-400">
            500
          </p>
          <h1 className="text-2xl font-semibold">Something went wrong</h1>
          <p className="text-slate-600 dark:text-slate-400">Palisade could not show this page. Try again in a moment.</p>
          {digest === null ? null : <p className="font-mono text-xs text-slate-600 dark:text-slate-400">Reference {digest}</p>}
          <button type="button" onClick={retry} className="rounded-lg bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-500">
            Try again
          </button>
        </main>
      </body>
    </html>
  );
}
