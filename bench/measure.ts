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

export interface OpStats {
  median: number;
  min: number;
  max: number;
}

/**
 * Microseconds per operation: the median over `batches` batches of `perBatch` calls, after a
 * warm-up batch. With `inFlight` > 1, that many calls run concurrently (each starting the next
 * when it finishes). `clock: "cpu"` counts this process's CPU time (every thread, so work done
 * on Node's worker pool counts) instead of elapsed time: what a call costs a busy server, free
 * of the waits and of other tenants' load that elapsed time includes on a shared machine.
 */
export async function microsPerOp(operation: () => unknown, perBatch: number, batches = 7, inFlight = 1, clock: "wall" | "cpu" = "wall"): Promise<OpStats> {
  const samples: number[] = [];
  for (let batch = -1; batch < batches; batch++) {
    let started = 0;
    const worker = async () => {
      while (started < perBatch) {
        started++;
        await operation();
      }
    };
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    await Promise.all(Array.from({ length: inFlight }, worker));
    const cpu = process.cpuUsage(cpuStart);
    const micros = clock === "cpu" ? (cpu.user + cpu.system) / perBatch : Number(process.hrtime.bigint() - start) / 1000 / perBatch;
    if (batch >= 0) samples.push(micros);
  }
  return { median: median(samples), min: Math.min(...samples), max: Math.max(...samples) };
}

/**
 * CPU microseconds that `count` calls of `operation`, one after another, cost this process: user
 * and system time of every thread, so work Node hands to its worker pool (argon2, Web Crypto)
 * counts, and time spent waiting for a database server does not.
 */
export async function cpuMicrosOfCalls(operation: () => Promise<unknown>, count: number): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < count; i++) await operation();
  const used = process.cpuUsage(before);
  return used.user + used.system;
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
