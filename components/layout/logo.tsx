import Link from "next/link";
import { cn } from "../ui/cn";
import { focusRing } from "../ui/styles";

/** The mark: a row of stakes, the palisade. Inline SVG: nothing is fetched. */
export function LogoMark({ className }: { className?: string }) {
  return (
    <svg viewBox="0 0 32 32" aria-hidden="true" className={cn("size-7", className)}>
      <rect width="32" height="32" rx="8" className="fill-indigo-600 dark:fill-indigo-500" />
      <path
        d="M8 25V11l2.5-4L13 11v14M13.5 25V9l2.5-4 2.5 4v16M19 25V11l2.5-4 2.5 4v14"
        className="fill-none stroke-white"
        strokeWidth="1.8"
        strokeLinejoin="round"
      />
      <path d="M6.5 15.5h19M6.5 21h19" className="stroke-white" strokeWidth="1.8" strokeLinecap="round" />
    </svg>
  );
}

export function Logo({ href = "/" }: { href?: string }) {
  return (
    <Link href={href} className={cn("flex items-center gap-2 rounded-md text-base font-semibold tracking-tight", focusRing)}>
      <LogoMark />
      <span>Palisade</span>
    </Link>
  );
}
