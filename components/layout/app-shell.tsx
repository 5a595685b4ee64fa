import Link from "next/link";
import type { ReactNode } from "react";
import type { Account } from "@/lib/auth/page-guards";
import { cn } from "../ui/cn";
import { focusRing } from "../ui/styles";
import { Logo } from "./logo";
import { StepUpDialog } from "../auth/step-up-dialog";
import { SessionWatcher } from "./session-watcher";
import { SignOutButton } from "./sign-out-button";
import { UnverifiedEmailBanner } from "./unverified-email-banner";

export type Section = "notes" | "sessions" | "account" | "security" | "admin";

const SECTIONS: readonly { id: Section; href: string; label: string; adminOnly?: boolean }[] = [
  { id: "notes", href: "/dashboard", label: "Notes" },
  { id: "sessions", href: "/sessions", label: "Sessions" },
  { id: "account", href: "/account", label: "Account" },
  { id: "security", href: "/account/security", label: "Security" },
  // Shown to admins only as a convenience; the admin pages check the role themselves.
  { id: "admin", href: "/admin", label: "Admin", adminOnly: true },
];

/**
 * The frame of every signed-in page. A server component: the account comes from the page's own
 * guard call (lib/auth/page-guards.ts), so the header never flashes a placeholder name. It also
 * holds the step-up dialog, so any action on any signed-in page can be confirmed in place.
 */
export function AppShell({ account, section, children }: { account: Account; section: Section; children: ReactNode }) {
  const visible = SECTIONS.filter((item) => item.adminOnly !== true || account.role === "admin");
  return (
    <div className="flex min-h-screen flex-col">
      <SessionWatcher />
      <StepUpDialog />
      <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-950">
        <div className="mx-auto flex h-16 max-w-5xl items-center justify-between gap-3 px-4 sm:px-6">
          <Logo href="/dashboard" />
          <div className="flex min-w-0 items-center gap-3">
            <p className="hidden min-w-0 truncate text-sm text-slate-600 sm:block dark:text-slate-400">
              <span className="sr-only">Signed in as </span>
              <span className="font-medium text-slate-900 dark:text-slate-100">{account.name}</span>
              {account.role === "admin" ? <span className="ml-2 text-xs uppercase tracking-wide text-indigo-700 dark:text-indigo-300">admin</span> : null}
            </p>
            <SignOutButton />
          </div>
        </div>
        <nav aria-label="Main" className="mx-auto max-w-5xl px-2 sm:px-4">
          <ul className="-mb-px flex gap-1 overflow-x-auto">
            {visible.map((item) => {
              const active = item.id === section;
              return (
                <li key={item.id}>
                  <Link
                    href={item.href}
                    aria-current={active ? "page" : undefined}
                    className={cn(
                      "block border-b-2 px-3 py-2.5 text-sm font-medium whitespace-nowrap",
                      active
                        ? "border-indigo-600 text-indigo-700 dark:border-indigo-400 dark:text-indigo-300"
                        : "border-transparent text-slate-600 hover:border-slate-300 hover:text-slate-900 dark:text-slate-400 dark:hover:border-slate-600 dark:hover:text-slate-100",
                      focusRing,
                    )}
                  >
                    {item.label}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
      </header>
      <main id="main" tabIndex={-1} className="mx-auto w-full max-w-5xl flex-1 space-y-6 px-4 py-8 outline-none sm:px-6">
        {account.emailVerified ? null : <UnverifiedEmailBanner email={account.email} />}
        {children}
      </main>
    </div>
  );
}
