import { Badge } from "../ui/badge";
import { ChangeEmailForm } from "./change-email-form";

/** The account's address, whether its owner has proved it, and the way to move to another. */
export function EmailAddress({ email, verified }: { email: string; verified: boolean }) {
  return (
    <section aria-labelledby="email-heading" className="space-y-4">
      <div className="space-y-1">
        <h2 id="email-heading" className="text-base font-semibold">
          Email address
        </h2>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Where password resets and security notices go. A new address takes over once you open the link we send to it.
        </p>
      </div>
      <p className="flex flex-wrap items-center gap-2 text-sm">
        <span className="font-medium break-all">{email}</span>
        <Badge tone={verified ? "success" : "warning"}>{verified ? "Confirmed" : "Not confirmed"}</Badge>
      </p>
      <ChangeEmailForm />
    </section>
  );
}
