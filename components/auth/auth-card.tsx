import type { ReactNode } from "react";
import { card } from "../ui/styles";
import { cn } from "../ui/cn";

export function AuthCard({ title, lead, children }: { title: string; lead?: ReactNode; children: ReactNode }) {
  return (
    <div className={cn(card, "w-full max-w-md space-y-6 p-6 sm:p-8")}>
      <div className="space-y-1.5">
        <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
        {lead === undefined ? null : <p className="text-sm text-slate-600 dark:text-slate-400">{lead}</p>}
      </div>
      {children}
    </div>
  );
}
