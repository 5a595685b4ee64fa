import type { ReactNode } from "react";
import { Logo } from "@/components/layout/logo";

/** Sign-in and sign-up: a single centred card, nothing else to look at. */
export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <div className="flex min-h-screen flex-col">
      <header className="mx-auto flex h-16 w-full max-w-5xl items-center px-4 sm:px-6">
        <Logo />
      </header>
      <main id="main" tabIndex={-1} className="flex flex-1 items-start justify-center px-4 pt-6 pb-16 outline-none sm:pt-12">
        {children}
      </main>
    </div>
  );
}
