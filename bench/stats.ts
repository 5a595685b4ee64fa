/**
 * Ratios taken within one run, and how the benchmarks print them. A-B-B-A: every round measures
 * each variant twice, in mirrored order (a b c … c b a), so a drift in the machine's load during
 * the round weighs on every variant alike; the ratio of a round is taken between the pooled
 * halves, and the report gives the median and the min–max over rounds.
 */
import type { LoadResult } from "./load";
import { cpuMicrosOfCalls, median, percentile } from "./measure";

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

export interface CpuPlan {
  rounds: number;
  /** Calls in each segment; a variant runs two segments a round. */
  perSegment: number;
  /** Calls of each variant before the first round: JIT, connection pools, caches. */
  warmup: number;
}

/**
 * In-process A-B-B-A: CPU microseconds per call of each variant, one value per round. Every round
 * runs each variant twice in mirrored order, and the next round starts from the other end
 * (a b b a, then b a a b), so no variant always follows a pause or another's garbage; a
 * variant's two segments are pooled within their round.
 */
export async function cpuPerCallByRound<K extends string>(variants: Readonly<Record<K, () => Promise<unknown>>>, plan: CpuPlan): Promise<Record<K, number[]>> {
  const names = Object.keys(variants) as K[];
  for (const name of names) for (let i = 0; i < plan.warmup; i++) await variants[name]();
  const perRound = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < plan.rounds; round++) {
    const used = new Map<K, number>();
    for (const name of mirrored(round % 2 === 0 ? names : [...names].reverse())) {
      used.set(name, (used.get(name) ?? 0) + (await cpuMicrosOfCalls(variants[name], plan.perSegment)));
    }
    for (const name of names) perRound[name].push((used.get(name) ?? 0) / (2 * plan.perSegment));
  }
  return perRound;
}

export function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((row) => `| ${row.join(" | ")} |`)].join("\n");
}
