import type { Metadata } from "next";
import { AuthCard } from "@/components/auth/auth-card";
import { UndoEmailChangeLink } from "@/components/auth/email-links";

export const metadata: Metadata = { title: "Undo the address change", referrer: "no-referrer" };

/** Opened from the link mailed to the previous address; its owner may have been signed out. */
export default function UndoEmailChangePage() {
  return (
    <AuthCard
      title="Undo the address change"
      lead="If you did not change your account's email address, undo it: your previous address comes back and every device is signed out."
    >
      <UndoEmailChangeLink />
    </AuthCard>
  );
}
