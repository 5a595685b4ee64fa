/** Small timing helpers for the benchmarks: batches, medians, and a machine description. */
import { execFileSync } from "node:child_process";
import { cpus, totalmem } from "node:os";

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** Microseconds per operation: the median over `batches` batches of `perBatch` calls, after a warm-up batch. */
export async function microsPerOp(operation: () => unknown, perBatch: number, batches = 7): Promise<{ median: number; min: number; max: number }> {
  const samples: number[] = [];
  for (let batch = -1; batch < batches; batch++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < perBatch; i++) await operation();
    const micros = Number(process.hrtime.bigint() - start) / 1000 / perBatch;
    if (batch >= 0) samples.push(micros);
  }
  return { median: median(samples), min: Math.min(...samples), max: Math.max(...samples) };
}

export function machine(): string {
  const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
  let kernel = "";
  try {
    kernel = execFileSync("uname", ["-sr"], { encoding: "utf8" }).trim();
  } catch {
    kernel = process.platform;
  }
  return `${cpus().length} cores (${cpu}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${kernel}`;
}

export const fmt = (micros: number) => (micros >= 1000 ? `${(micros / 1000).toFixed(2)} ms` : `${micros.toFixed(1)} µs`);
