import type { Metadata } from "next";
import { ErrorPage } from "@/components/layout/error-page";
import { ButtonLink } from "@/components/ui/button";

export const metadata: Metadata = { title: "Access denied" };

/** 403: signed in, but this page needs a role you do not have (lib/auth/page-guards.ts). */
export default function Forbidden() {
  return (
    <ErrorPage code="403" title="You do not have access to this page" actions={<ButtonLink href="/dashboard">Back to your notes</ButtonLink>}>
      <p>This area is for administrators. If you need access, ask an administrator to change your role.</p>
    </ErrorPage>
  );
}
