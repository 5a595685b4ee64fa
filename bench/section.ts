/**
 * What each benchmark module hands back to the orchestrator (bench/run.ts), which writes it into
 * bench/RESULTS.md: a titled markdown section, and every target it checked with the value it
 * measured. `met: null` means the target could not be judged in this run (a service missing).
 */
export interface BenchTarget {
  /** Short name of the target, for example "token check (rung e − d), CPU per request". */
  name: string;
  /** The target as the issue states it, for example "≤ 100 µs". */
  target: string;
  /** What this run measured, with its unit and spread, for example "41 µs (32–55)". */
  measured: string;
  met: boolean | null;
}

export interface BenchSection {
  title: string;
  /** The section body (tables, notes). The orchestrator adds the heading and the targets table. */
  markdown: string;
  targets: BenchTarget[];
}
