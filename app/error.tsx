"use client";

import { ErrorPage } from "@/components/layout/error-page";
import { Button, ButtonLink } from "@/components/ui/button";

/**
 * 500 for anything that throws while rendering a page. In a production build Next.js replaces a
 * server error's message with a generic one and a `digest`, a hash that matches the server log
 * line; only the digest is shown, so a report can be traced without the page leaking internals.
 */
export default function ErrorBoundary({ error, retry }: { error: unknown; retry: () => void }) {
  const digest = typeof error === "object" && error !== null && "digest" in error && typeof error.digest === "string" ? error.digest : null;
  return (
    <ErrorPage
      code="500"
      title="Something went wrong"
      actions={
        <>
          <Button onClick={retry}>Try again</Button>
          <ButtonLink href="/" tone="secondary">
            Home
          </ButtonLink>
        </>
      }
    >
      <p>The page could not be shown. Try again in a moment.</p>
      {digest === null ? null : <p className="mt-2 font-mono text-xs">Reference {digest}</p>}
    </ErrorPage>
  );
}
