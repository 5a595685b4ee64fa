/**
 * The suite's figures, one JSON file per family in test-results/security/figures/, for the
 * scorecard to read: how many attacks, vectors or requests a family ran and how many were
 * handled as they must be. A family writes its figure once, after its tests ran.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

export const FIGURES_DIR = path.resolve(import.meta.dirname, "../../../test-results/security/figures");

export interface Figure {
  passed: number;
  total: number;
  unit: string;
  detail?: Record<string, number | string>;
}

export function recordFigure(family: string, figure: Figure): void {
  mkdirSync(FIGURES_DIR, { recursive: true });
  const body = { family, ...figure, recordedAt: new Date().toISOString() };
  writeFileSync(path.join(FIGURES_DIR, `${family}.json`), `${JSON.stringify(body, null, 2)}\n`);
}

/** A family's one summary line in the test output (console.* is reserved for failures). */
export function printSummary(line: string): void {
  process.stdout.write(`\n${line}\n`);
}

/** 1200 → "1,200": summary lines are read by people. */
export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}
