import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { ResumeSession } from "@/components/auth/resume-session";
import { currentUser } from "@/lib/auth/page-guards";
import { safeRedirect } from "@/lib/shared/safe-redirect";
import { single, type SearchParams } from "@/lib/client/search-params";

export const metadata: Metadata = { title: "Restoring your session", robots: { index: false } };

/** See lib/auth/page-guards.ts: where a protected page sends a visitor whose access token did not work. */
export default async function ResumePage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const next = safeRedirect(single(await searchParams, "next"));
  // The token works after all (another tab refreshed meanwhile): no refresh needed.
  if ((await currentUser()) !== null) redirect(next);
  return (
    <main id="main" tabIndex={-1} className="flex min-h-screen items-center justify-center px-4 outline-none">
      <h1 className="sr-only">Restoring your session</h1>
      <ResumeSession next={next} />
    </main>
  );
}
