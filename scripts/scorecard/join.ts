/**
 * The scorecard's verdicts: each requirement joined with the evidence that proves it, and a
 * result that can only be "pass" when every piece of that evidence was found and held. A mapped
 * test that failed makes the requirement fail; a mapped test that did not run (or a missing doc,
 * or a scan that was never recorded) makes it untested. Pure functions, so the rules are tested
 * with fixtures (tests/unit/scorecard-join.test.ts).
 */

export type Verdict = "pass" | "fail" | "untested" | "n/a";

/**
 * How a requirement is met. Test references read `<file> > <part of the test's full name>`, or
 * just `<file>` for every test in it; files are relative to the repository root.
 */
export interface Evidence {
  tests?: readonly string[];
  /** Files whose existence (and content, reviewed by people) is the evidence: documentation requirements. */
  docs?: readonly string[];
  /** Source checks: the pattern must not occur in any file under the directories. */
  absent?: readonly AbsenceCheck[];
  scanners?: readonly ScannerName[];
  /** Not applicable to this app, and why. */
  na?: string;
  /** Known not to be met, and why: always a fail, whatever else passes. */
  gap?: string;
  /** Cannot be verified from this repository (the operator's platform decides), and why. */
  unverified?: string;
}

export interface AbsenceCheck {
  what: string;
  pattern: RegExp;
  dirs: readonly string[];
}

export type ScannerName = "sqlmap" | "observatory";

export interface TestResult {
  /** Repository-relative path with forward slashes. */
  file: string;
  /** Describe blocks and title joined with " > ". */
  name: string;
  status: "passed" | "failed" | "skipped";
}

export interface CatalogueEntry {
  description: string;
  /** ASVS 5.0 requirement IDs; API Top 10 categories (`API1` … `API10`) may be listed here too. */
  asvs: readonly string[];
  /** API Top 10 categories, where the catalogue keeps them apart. */
  api?: readonly string[];
}

export type Catalogue = Readonly<Record<string, CatalogueEntry>>;

/** Where `npm run scan -- --record` keeps the last scan, committed so the scorecard can cite it. */
export const SCAN_RECORD_PATH = "docs/security-scan-record.json";

export interface ScanRecord {
  date: string;
  sqlmap: { endpoints: number; parameters: number; injectable: number; serverErrors?: number } | null;
  observatory: { grade: string; score: number; testsPassed: number; testsTotal: number } | null;
}

export interface Inputs {
  results: readonly TestResult[];
  catalogue: Catalogue;
  scan: ScanRecord | null;
  /** Whether a repository file exists (docs evidence). */
  fileExists(file: string): boolean;
  /** Occurrences of a pattern under directories, as `file:line` (absence checks). */
  findPattern(check: AbsenceCheck): string[];
}

export type CheckOutcome = "passed" | "failed" | "missing";

export interface Check {
  label: string;
  outcome: CheckOutcome;
  detail?: string;
}

export interface Judgement {
  verdict: Verdict;
  checks: Check[];
  reason?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function stringList(value: unknown): string[] | null {
  if (typeof value === "string") return [value];
  return Array.isArray(value) && value.every((item) => typeof item === "string") ? (value as string[]) : null;
}

/** One catalogue entry from either shape: `{ description | proves, asvs, api | apiTop10 }`. */
function entryFrom(value: unknown): CatalogueEntry | null {
  if (!isRecord(value)) return null;
  const description = typeof value.description === "string" ? value.description : typeof value.proves === "string" ? value.proves : null;
  const asvs = stringList(value.asvs);
  if (description === null || asvs === null) return null;
  const api = stringList(value.api ?? value.apiTop10 ?? []) ?? [];
  return { description, asvs, ...(api.length > 0 ? { api } : {}) };
}

/**
 * The security suite's catalogue, in whichever shape its module exports it: a map from test ID
 * to entry, or a list of entries that carry their own `id`. Null when the value is neither.
 */
export function catalogueFrom(value: unknown): Catalogue | null {
  const pairs: [string, unknown][] | null = Array.isArray(value)
    ? value.every((item) => isRecord(item) && typeof item.id === "string")
      ? value.map((item) => [(item as { id: string }).id, item])
      : null
    : isRecord(value)
      ? Object.entries(value)
      : null;
  if (pairs === null || pairs.length === 0) return null;
  const catalogue: Record<string, CatalogueEntry> = {};
  for (const [id, item] of pairs) {
    const entry = entryFrom(item);
    if (entry === null) return null;
    catalogue[id] = entry;
  }
  return catalogue;
}

/** `V9.1.1`, `9.1.1` and `v5.0.0-9.1.1` all name requirement 9.1.1; `API1:2023` is `API1`. */
export function normaliseAsvsId(id: string): string {
  return id
    .trim()
    .replace(/^v5\.0\.0-/i, "")
    .replace(/^V(?=\d)/i, "")
    .replace(/:2023$/, "")
    .toUpperCase();
}

/** A security test's catalogue ID: its title starts with `[id]`. */
export function catalogueIdOf(name: string): string | null {
  const title = name.split(" > ").pop() ?? "";
  const match = /^\[([^\]]+)\]/.exec(title.trim());
  return match === null ? null : (match[1] as string);
}

function outcomeOf(matches: readonly TestResult[]): CheckOutcome {
  if (matches.some((result) => result.status === "failed")) return "failed";
  return matches.some((result) => result.status === "passed") ? "passed" : "missing";
}

export function testCheck(ref: string, results: readonly TestResult[]): Check {
  const [file, title] = ref.split(" > ", 2) as [string, string | undefined];
  const matches = results.filter((result) => result.file === file && (title === undefined || result.name.includes(title)));
  const outcome = outcomeOf(matches);
  const counted = matches.filter((result) => result.status !== "skipped").length;
  return { label: ref, outcome, detail: outcome === "missing" ? "no such test ran" : `${counted} test${counted === 1 ? "" : "s"}` };
}

/** The catalogue's tests for one requirement, each checked against the results by its `[id]`. */
export function catalogueChecks(requirementId: string, catalogue: Catalogue, results: readonly TestResult[]): Check[] {
  const wanted = normaliseAsvsId(requirementId);
  return Object.entries(catalogue)
    .filter(([, entry]) => [...entry.asvs, ...(entry.api ?? [])].some((id) => normaliseAsvsId(id) === wanted))
    .map(([id]) => {
      const matches = results.filter((result) => catalogueIdOf(result.name) === id);
      const outcome = outcomeOf(matches);
      return { label: `[${id}]`, outcome, ...(outcome === "missing" ? { detail: "catalogued but did not run" } : {}) };
    });
}

export function scannerCheck(name: ScannerName, scan: ScanRecord | null): Check {
  if (scan === null) return { label: name, outcome: "missing", detail: "no scan recorded" };
  if (name === "sqlmap") {
    const s = scan.sqlmap;
    if (s === null || s.endpoints === 0) return { label: "sqlmap", outcome: "missing", detail: "sqlmap did not run" };
    const clean = s.injectable === 0 && (s.serverErrors ?? 0) === 0;
    return { label: "sqlmap", outcome: clean ? "passed" : "failed", detail: `${s.injectable} injectable of ${s.parameters} parameters, ${scan.date}` };
  }
  const o = scan.observatory;
  if (o === null) return { label: "observatory", outcome: "missing", detail: "the Observatory did not run" };
  const clean = o.grade === "A+" && o.testsPassed === o.testsTotal;
  return { label: "observatory", outcome: clean ? "passed" : "failed", detail: `${o.grade}, ${o.score}, ${o.testsPassed}/${o.testsTotal} tests, ${scan.date}` };
}

export function judge(requirementId: string, evidence: Evidence, inputs: Inputs): Judgement {
  if (evidence.na !== undefined) return { verdict: "n/a", checks: [], reason: evidence.na };
  const checks: Check[] = [
    ...catalogueChecks(requirementId, inputs.catalogue, inputs.results),
    ...(evidence.tests ?? []).map((ref) => testCheck(ref, inputs.results)),
    ...(evidence.docs ?? []).map((file): Check => ({ label: file, outcome: inputs.fileExists(file) ? "passed" : "missing", detail: "document" })),
    ...(evidence.absent ?? []).map((check): Check => {
      const hits = inputs.findPattern(check);
      return {
        label: `no ${check.what}`,
        outcome: hits.length === 0 ? "passed" : "failed",
        ...(hits.length > 0 ? { detail: hits.slice(0, 3).join(", ") } : {}),
      };
    }),
    ...(evidence.scanners ?? []).map((name) => scannerCheck(name, inputs.scan)),
  ];
  if (evidence.gap !== undefined) return { verdict: "fail", checks, reason: evidence.gap };
  if (checks.some((check) => check.outcome === "failed")) return { verdict: "fail", checks };
  // What the repository cannot show stays untested, however much of it the tests do show.
  if (evidence.unverified !== undefined) return { verdict: "untested", checks, reason: evidence.unverified };
  if (checks.length === 0) return { verdict: "untested", checks, reason: "no test is mapped to it yet" };
  if (checks.some((check) => check.outcome === "missing")) return { verdict: "untested", checks };
  return { verdict: "pass", checks };
}
