/**
 * Ratios taken within one run, and how the benchmarks print them. A-B-B-A: every round measures
 * each variant twice, in mirrored order (a b c … c b a), so a drift in the machine's load during
 * the round weighs on every variant alike; the ratio of a round is taken between the pooled
 * halves, and the report gives the median and the min–max over rounds.
 */
import type { LoadResult } from "./load";
import { median, percentile } from "./measure";

/** One variant's measurements in one round, pooled over its segments. */
export interface Sample {
  requests: number;
  seconds: number;
  latenciesMs: number[];
  cpuMicros: number;
  errors: number;
}

export function emptySample(): Sample {
  return { requests: 0, seconds: 0, latenciesMs: [], cpuMicros: 0, errors: 0 };
}

export function addSegment(sample: Sample, load: LoadResult, cpuMicros: number): void {
  sample.requests += load.requests;
  sample.seconds += load.seconds;
  sample.latenciesMs.push(...load.latenciesMs);
  sample.cpuMicros += cpuMicros;
  sample.errors += Object.values(load.unexpected).reduce((sum, n) => sum + n, 0);
}

export interface Figures {
  rps: number;
  p50: number;
  p99: number;
  cpuPerRequest: number;
}

export function figures(sample: Sample): Figures {
  return {
    rps: sample.requests / sample.seconds,
    p50: percentile(sample.latenciesMs, 50),
    p99: percentile(sample.latenciesMs, 99),
    cpuPerRequest: sample.cpuMicros / Math.max(1, sample.requests),
  };
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(values: number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/** "0.93 (0.90–0.95)". */
export function showRatio(s: Spread, digits = 2): string {
  return `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
}

/** "41 µs (32–55)". */
export function showMicros(s: Spread): string {
  return `${s.median.toFixed(0)} µs (${s.min.toFixed(0)}–${s.max.toFixed(0)})`;
}

export function mirrored<T>(items: readonly T[]): T[] {
  return [...items, ...[...items].reverse()];
}

export function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((row) => `| ${row.join(" | ")} |`)].join("\n");
}
