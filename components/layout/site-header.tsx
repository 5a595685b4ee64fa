import Link from "next/link";
import { ButtonLink } from "../ui/button";
import { cn } from "../ui/cn";
import { focusRing } from "../ui/styles";
import { Logo } from "./logo";

/** The header of the public pages (landing, sign-in, errors). */
export function SiteHeader({ signedIn }: { signedIn: boolean }) {
  return (
    <header className="border-b border-slate-200 bg-white/80 dark:border-slate-800 dark:bg-slate-950/80">
      <div className="mx-auto flex h-16 max-w-5xl items-center justify-between gap-4 px-4 sm:px-6">
        <Logo />
        <nav aria-label="Account" className="flex items-center gap-2">
          {signedIn ? (
            <ButtonLink href="/dashboard" size="sm">
              Open your notes
            </ButtonLink>
          ) : (
            <>
              <Link
                href="/signin"
                className={cn(
                  "rounded-md px-2.5 py-1.5 text-sm font-medium text-slate-700 hover:text-slate-950 dark:text-slate-300 dark:hover:text-white",
                  focusRing,
                )}
              >
                Sign in
              </Link>
              <ButtonLink href="/register" size="sm">
                Create account
              </ButtonLink>
            </>
          )}
        </nav>
      </div>
    </header>
  );
}

export function SiteFooter() {
  return (
    <footer className="border-t border-slate-200 dark:border-slate-800">
      <div className="mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-2 px-4 py-6 text-sm text-slate-600 sm:px-6 dark:text-slate-400">
        <p>Palisade: a secure-by-default Next.js reference app. MIT licensed.</p>
        <p>
          Start with <code className="font-mono text-xs">README.md</code> and <code className="font-mono text-xs">docs/</code> in the repository.
        </p>
      </div>
    </footer>
  );
}
