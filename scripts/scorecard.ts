/**
 * `npm run scorecard`: regenerate docs/security-scorecard.md.
 *
 *   npm run scorecard                      run the security, unit and integration tests, then write the page
 *   npm run scorecard -- --from-existing   use the results of an earlier run (test-results/security/results*.json)
 *
 * End-to-end evidence is joined when test-results/security/e2e-results.json exists (every
 * `npm run test:e2e` writes it: the JSON reporter in playwright.config.ts); without it,
 * requirements proven only in a browser stay untested.
 * The figures come from test-results/security/figures/*.json (written by the security suite) and
 * the scanners' results from docs/security-scan-record.json (written by `npm run scan -- --record`).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { catalogueFrom, SCAN_RECORD_PATH, type AbsenceCheck, type Catalogue, type Inputs, type ScanRecord, type TestResult } from "./scorecard/join";
import { renderScorecard, type Figure, judgeAll, tally } from "./scorecard/render";
import { fromPlaywright, fromVitest } from "./scorecard/results";

const ROOT = path.resolve(import.meta.dirname, "..");
const OUT_DIR = path.join(ROOT, "test-results/security");
const RESULTS = path.join(OUT_DIR, "results.json");
const E2E_RESULTS = path.join(OUT_DIR, "e2e-results.json");
const FIGURES = path.join(OUT_DIR, "figures");
const CATALOGUE = path.join(ROOT, "tests/security/support/catalogue.ts");
const SCAN_RECORD = path.join(ROOT, SCAN_RECORD_PATH);
const SCORECARD = path.join(ROOT, "docs/security-scorecard.md");

const print = (line: string) => process.stdout.write(`${line}\n`);

/** Where each project's results go; the security suite's are the `results.json` the suite documents. */
const PROJECT_RESULTS = {
  security: RESULTS,
  unit: path.join(OUT_DIR, "results-unit.json"),
  integration: path.join(OUT_DIR, "results-integration.json"),
} as const;

function runTests(): void {
  mkdirSync(OUT_DIR, { recursive: true });
  // One project at a time: vitest refuses to run projects with different worker limits together,
  // and on a small machine they would only slow each other down.
  for (const [project, file] of Object.entries(PROJECT_RESULTS)) {
    print(`running the ${project} tests…`);
    rmSync(file, { force: true });
    const run = spawnSync(
      process.execPath,
      [path.join(ROOT, "node_modules/vitest/vitest.mjs"), "run", "--project", project, "--reporter=json", `--outputFile=${file}`],
      {
        cwd: ROOT,
        stdio: ["ignore", "ignore", "inherit"],
      },
    );
    // Failing tests are what the scorecard is for: they become failed requirements, not a crash.
    if (!existsSync(file)) throw new Error(`the ${project} tests wrote no results (exit ${run.status})`);
  }
}

function readJson<T>(file: string): T | null {
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as T) : null;
}

/** The catalogue is whichever export holds the test IDs and their requirements; its name is the suite's choice. */
async function loadCatalogue(): Promise<Catalogue | null> {
  if (!existsSync(CATALOGUE)) return null;
  const exported = (await import(pathToFileURL(CATALOGUE).href)) as Record<string, unknown>;
  for (const value of Object.values(exported)) {
    const catalogue = catalogueFrom(value);
    if (catalogue !== null) return catalogue;
  }
  throw new Error("tests/security/support/catalogue.ts exports no list or map of test IDs with their ASVS requirements");
}

function loadFigures(): Map<string, Figure> {
  const figures = new Map<string, Figure>();
  if (!existsSync(FIGURES)) return figures;
  for (const name of readdirSync(FIGURES).filter((file) => file.endsWith(".json"))) {
    figures.set(name.replace(/\.json$/, ""), JSON.parse(readFileSync(path.join(FIGURES, name), "utf8")) as Figure);
  }
  return figures;
}

const SOURCE_FILE = /\.(ts|tsx|js|mjs|cjs)$/;
const SKIP_DIRS = new Set(["node_modules", "generated"]);

function sourceFiles(entry: string): string[] {
  const full = path.join(ROOT, entry);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return SOURCE_FILE.test(entry) ? [entry] : [];
  return readdirSync(full).flatMap((child) => (SKIP_DIRS.has(child) ? [] : sourceFiles(path.join(entry, child))));
}

function findPattern(check: AbsenceCheck): string[] {
  return check.dirs.flatMap(sourceFiles).flatMap((file) =>
    readFileSync(path.join(ROOT, file), "utf8")
      .split("\n")
      .flatMap((line, index) => (check.pattern.test(line) ? [`${file}:${index + 1}`] : [])),
  );
}

async function main(): Promise<void> {
  const fromExisting = process.argv.includes("--from-existing");
  if (!fromExisting) runTests();
  const reports = Object.values(PROJECT_RESULTS).flatMap((file) => {
    const report = readJson<Parameters<typeof fromVitest>[0]>(file);
    return report === null ? [] : [report];
  });
  const e2e = readJson<Parameters<typeof fromPlaywright>[0]>(E2E_RESULTS);
  const results: TestResult[] = [...reports.flatMap((report) => fromVitest(report, ROOT)), ...(e2e === null ? [] : fromPlaywright(e2e, ROOT))];
  // No results at all means the runner failed before any test (a configuration error), not that nothing is proven.
  if (results.length === 0) throw new Error(`no test results in ${path.relative(ROOT, OUT_DIR)}; run without --from-existing, and check the test run's output`);
  const catalogue = await loadCatalogue();
  const inputs: Inputs = {
    results,
    catalogue: catalogue ?? {},
    scan: readJson<ScanRecord>(SCAN_RECORD),
    fileExists: (file) => existsSync(path.join(ROOT, file)),
    findPattern,
  };
  const ran = results.filter((result) => result.status !== "skipped").length;
  const source = `${ran.toLocaleString("en-US")} tests that ran (${reports.length} vitest report${reports.length === 1 ? "" : "s"}${e2e === null ? "" : " and the end-to-end report"})`;
  writeFileSync(
    SCORECARD,
    renderScorecard(inputs, loadFigures(), { generatedAt: new Date().toISOString().slice(0, 10), resultsSource: source, catalogueFound: catalogue !== null }),
  );

  const judged = judgeAll(inputs);
  const asvs = tally(judged.chapters.flatMap(({ requirements }) => requirements.map((requirement) => requirement.judgement)));
  const api = tally(judged.api.map((category) => category.judgement));
  print(`wrote ${path.relative(ROOT, SCORECARD)}`);
  print(`ASVS L1+L2: ${asvs.pass} pass, ${asvs.fail} fail, ${asvs.untested} untested, ${asvs["n/a"]} not applicable`);
  print(`API Top 10: ${api.pass} pass, ${api.fail} fail, ${api.untested} untested`);
}

main().catch((error: unknown) => {
  process.stderr.write(`scorecard failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
