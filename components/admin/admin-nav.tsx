import Link from "next/link";
import { cn } from "../ui/cn";
import { focusRing } from "../ui/styles";

export type AdminTab = "users" | "audit" | "clients";

const TABS: readonly { id: AdminTab; href: string; label: string }[] = [
  { id: "users", href: "/admin", label: "Users" },
  { id: "audit", href: "/admin/audit", label: "Audit log" },
  { id: "clients", href: "/admin/clients", label: "Service clients" },
];

export function AdminNav({ current }: { current: AdminTab }) {
  return (
    <nav aria-label="Administration" className="flex flex-wrap gap-2">
      {TABS.map((tab) => (
        <Link
          key={tab.id}
          href={tab.href}
          aria-current={tab.id === current ? "page" : undefined}
          className={cn(
            "rounded-full px-3 py-1.5 text-sm font-medium",
            tab.id === current
              ? "bg-indigo-600 text-white dark:bg-indigo-400 dark:text-slate-950"
              : "bg-white text-slate-700 ring-1 ring-slate-200 ring-inset hover:bg-slate-50 dark:bg-slate-900 dark:text-slate-300 dark:ring-slate-800 dark:hover:bg-slate-800",
            focusRing,
          )}
        >
          {tab.label}
        </Link>
      ))}
    </nav>
  );
}
