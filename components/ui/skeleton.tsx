import { cn } from "./cn";

/** A placeholder block with the size of what it stands for, so nothing moves when data arrives. */
export function Skeleton({ className }: { className?: string }) {
  return <div aria-hidden="true" className={cn("animate-pulse rounded-md bg-slate-200 motion-reduce:animate-none dark:bg-slate-800", className)} />;
}
