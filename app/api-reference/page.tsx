import type { Metadata } from "next";
import { Authentication } from "@/components/api-reference/introduction";
import { apiDocument } from "@/components/api-reference/document";
import { Contents } from "@/components/api-reference/contents";
import { OperationGroup } from "@/components/api-reference/operation-group";
import { groupOperations, operationsOf } from "@/components/api-reference/operations";
import { Overview } from "@/components/api-reference/overview";
import { Schemas } from "@/components/api-reference/schemas";
import { SiteFooter, SiteHeader } from "@/components/layout/site-header";
import { currentUser } from "@/lib/auth/page-guards";

export const metadata: Metadata = {
  title: "API reference",
  description: "Every operation of the Palisade API: who may call it, what it takes, and every response and problem code it can send.",
};

/**
 * The API reference, rendered on the server from the committed docs/openapi.json (the document
 * /api/openapi.json serves). Plain HTML and in-page links: no renderer runs in the browser, so
 * the page needs nothing the nonce CSP would have to allow.
 */
export default async function ApiReferencePage() {
  const signedIn = (await currentUser()) !== null;
  const entries = operationsOf(apiDocument);
  const groups = groupOperations(entries);
  return (
    <div className="flex min-h-screen flex-col">
      <SiteHeader signedIn={signedIn} />
      <main id="main" tabIndex={-1} className="mx-auto w-full max-w-5xl flex-1 px-4 pt-10 pb-16 outline-none sm:px-6 sm:pt-14">
        <Overview document={apiDocument} />
        <div className="mt-10 lg:grid lg:grid-cols-[15rem_minmax(0,1fr)] lg:gap-10">
          <Contents groups={groups} schemas={Object.keys(apiDocument.components.schemas).length > 0} />
          <div className="min-w-0 space-y-12">
            <Authentication document={apiDocument} entries={entries} />
            {groups.map((group) => (
              <OperationGroup key={group.id} group={group} document={apiDocument} />
            ))}
            <Schemas document={apiDocument} />
          </div>
        </div>
      </main>
      <SiteFooter />
    </div>
  );
}
