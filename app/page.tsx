import Link from "next/link";
import type { ReactNode } from "react";
import { ButtonLink } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { focusRing } from "@/components/ui/styles";
import { SiteFooter, SiteHeader } from "@/components/layout/site-header";
import { currentUser } from "@/lib/auth/page-guards";

interface Layer {
  name: string;
  stops: string;
  how: string;
  /** Where to read more, as paths in the repository (the docs are not served by the app). */
  read: string[];
  icon: ReactNode;
}

const LAYERS: Layer[] = [
  {
    name: "Browser",
    stops: "Token theft through XSS, injected scripts, framing",
    how: "Tokens live in HttpOnly cookies the page cannot read; a per-request CSP nonce lets only our own scripts run.",
    read: ["lib/client/", "docs/spa.md"],
    icon: <path d="M3 5h18v14H3zM3 9h18M7 7h.01M10 7h.01" />,
  },
  {
    name: "Edge middleware",
    stops: "Floods, cross-site requests, unknown origins, requests without a token",
    how: "Request IDs, rate limits per IP, user and account, a CSRF origin check, a strict CORS allowlist and a token gate.",
    read: ["middleware.ts", "lib/edge/"],
    icon: <path d="M12 3 4 6v6c0 4.5 3.4 8.3 8 9 4.6-.7 8-4.5 8-9V6l-8-3Z" />,
  },
  {
    name: "Tokens and sessions",
    stops: "Forged, replayed and long-lived tokens",
    how: "RS256 access tokens for 15 minutes; refresh tokens rotate on every use, and a replayed one revokes its whole session.",
    read: ["lib/auth/", "docs/decisions/"],
    icon: <path d="M15 7a4 4 0 1 1-3.9 5H3v3h3v2h3v-2h2.1A4 4 0 0 1 15 7Zm1 3h.01" />,
  },
  {
    name: "Route handlers",
    stops: "Mass assignment, oversized or malformed bodies, leaked stack traces",
    how: "Strict zod schemas reject unexpected fields; bodies are size-limited; every error is an RFC 9457 problem with a request ID.",
    read: ["lib/http/", "app/api/"],
    icon: <path d="M8 6 3 12l5 6M16 6l5 6-5 6M13.5 4l-3 16" />,
  },
  {
    name: "Data",
    stops: "Reading other people's records, leaking password hashes",
    how: "Every query is scoped to its owner, every row goes through a serializer, and security events land in an audit log.",
    read: ["lib/db/", "lib/audit.ts"],
    icon: <path d="M4 6c0-1.7 3.6-3 8-3s8 1.3 8 3-3.6 3-8 3-8-1.3-8-3Zm0 0v12c0 1.7 3.6 3 8 3s8-1.3 8-3V6M4 12c0 1.7 3.6 3 8 3s8-1.3 8-3" />,
  },
];

const TRY: { title: string; text: string }[] = [
  { title: "Stay signed in, safely", text: "Your access token expires every 15 minutes and is renewed in the background, once, even with several tabs open." },
  { title: "See every session", text: "The sessions page lists each device that is signed in, with its address; end any of them, or all at once." },
  {
    title: "Watch the limits",
    text: "After five wrong passwords, signing in to that account pauses for 15 minutes, and the form counts down until you may try again.",
  },
];

export default async function HomePage() {
  const signedIn = (await currentUser()) !== null;
  return (
    <div className="flex min-h-screen flex-col">
      <SiteHeader signedIn={signedIn} />
      <main id="main" tabIndex={-1} className="flex-1 outline-none">
        <section className="mx-auto max-w-5xl px-4 pt-16 pb-12 sm:px-6 sm:pt-24">
          <p className="text-sm font-semibold tracking-wide text-indigo-700 uppercase dark:text-indigo-300">Defence in depth, ready to clone</p>
          <h1 className="mt-3 max-w-3xl text-4xl font-bold tracking-tight text-balance sm:text-5xl">Palisade</h1>
          <p className="mt-5 max-w-2xl text-lg text-pretty text-slate-600 dark:text-slate-300">
            A secure-by-default Next.js starter: an auth service and a single-page app, where every layer assumes the layer below it has failed. Sign up, write
            a note, and see each defence at work from the user&apos;s side.
          </p>
          <div className="mt-8 flex flex-wrap gap-3">
            {signedIn ? (
              <ButtonLink href="/dashboard">Open your notes</ButtonLink>
            ) : (
              <>
                <ButtonLink href="/register">Create an account</ButtonLink>
                <ButtonLink href="/signin" tone="secondary">
                  Sign in
                </ButtonLink>
              </>
            )}
          </div>
        </section>

        <section aria-labelledby="tour" className="mx-auto max-w-5xl px-4 pb-16 sm:px-6">
          <h2 id="tour" className="text-2xl font-semibold tracking-tight">
            A request&apos;s path, layer by layer
          </h2>
          <p className="mt-2 max-w-2xl text-slate-600 dark:text-slate-400">
            Each layer stops something on its own, and none trusts the one before it: the route handlers check the token again even though the edge already did.
            The paths under each layer are in the repository.
          </p>
          <ol className="mt-8 grid gap-4 md:grid-cols-5">
            {LAYERS.map((layer, index) => (
              <li
                key={layer.name}
                className="relative flex flex-col rounded-xl border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900"
              >
                <div className="flex items-center gap-3">
                  <span className="flex size-9 shrink-0 items-center justify-center rounded-lg bg-indigo-50 text-indigo-700 dark:bg-indigo-950 dark:text-indigo-300">
                    <svg
                      viewBox="0 0 24 24"
                      aria-hidden="true"
                      className="size-5"
                      fill="none"
                      stroke="currentColor"
                      strokeWidth="1.7"
                      strokeLinecap="round"
                      strokeLinejoin="round"
                    >
                      {layer.icon}
                    </svg>
                  </span>
                  <span className="text-xs font-semibold text-slate-500 tabular-nums dark:text-slate-400">{`0${index + 1}`}</span>
                </div>
                <h3 className="mt-3 font-semibold">{layer.name}</h3>
                <p className="mt-1 text-sm font-medium text-slate-800 dark:text-slate-200">
                  <span className="sr-only">Stops: </span>
                  {layer.stops}
                </p>
                <p className="mt-2 flex-1 text-sm text-slate-600 dark:text-slate-400">{layer.how}</p>
                <p className="mt-3 flex flex-wrap gap-1.5">
                  <span className="sr-only">Read: </span>
                  {layer.read.map((path) => (
                    <code key={path} className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs text-slate-700 dark:bg-slate-800 dark:text-slate-300">
                      {path}
                    </code>
                  ))}
                </p>
                {index < LAYERS.length - 1 ? (
                  <svg
                    viewBox="0 0 16 16"
                    aria-hidden="true"
                    className="absolute -right-3.5 top-1/2 z-10 hidden size-4 -translate-y-1/2 text-slate-400 md:block"
                    fill="currentColor"
                  >
                    <path d="M5 3l6 5-6 5V3Z" />
                  </svg>
                ) : null}
              </li>
            ))}
          </ol>
        </section>

        <section aria-labelledby="try" className="border-t border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900/40">
          <div className="mx-auto max-w-5xl px-4 py-14 sm:px-6">
            <h2 id="try" className="text-2xl font-semibold tracking-tight">
              Things to try
            </h2>
            <ul className="mt-6 grid gap-6 sm:grid-cols-3">
              {TRY.map((item) => (
                <li key={item.title}>
                  <h3 className="font-semibold">{item.title}</h3>
                  <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{item.text}</p>
                </li>
              ))}
            </ul>
            <p className="mt-8 text-sm text-slate-600 dark:text-slate-400">
              How the browser side works, silent refresh included, is written up in <code className="font-mono text-xs">docs/spa.md</code>; the decisions behind
              each layer are in <code className="font-mono text-xs">docs/decisions/</code>. Writing a client? The{" "}
              <Link
                href="/api-reference"
                className={cn(
                  "rounded-sm font-medium text-indigo-700 underline underline-offset-2 hover:text-indigo-900 dark:text-indigo-300 dark:hover:text-indigo-100",
                  focusRing,
                )}
              >
                API reference
              </Link>{" "}
              lists every endpoint, who may call it and every error it can send.
            </p>
          </div>
        </section>
      </main>
      <SiteFooter />
    </div>
  );
}
