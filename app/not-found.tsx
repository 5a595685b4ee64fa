import type { Metadata } from "next";
import { ErrorPage } from "@/components/layout/error-page";
import { ButtonLink } from "@/components/ui/button";

export const metadata: Metadata = { title: "Page not found" };

/**
 * 404: unknown pages, and notes that are not yours. The two look the same on purpose: the page
 * must not reveal whether someone else's note exists.
 */
export default function NotFound() {
  return (
    <ErrorPage
      code="404"
      title="Page not found"
      actions={
        <>
          <ButtonLink href="/dashboard">Go to your notes</ButtonLink>
          <ButtonLink href="/" tone="secondary">
            Home
          </ButtonLink>
        </>
      }
    >
      <p>There is nothing here, or it is not yours to see. Check the address, or start again from your notes.</p>
    </ErrorPage>
  );
}
