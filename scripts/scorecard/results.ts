/**
 * Test results in one shape, from vitest's JSON reporter (security, unit and integration) and,
 * when there is one, Playwright's (end to end). A skipped or pending test counts as not run.
 */
import path from "node:path";
import type { TestResult } from "./join";

interface VitestAssertion {
  ancestorTitles?: string[];
  title: string;
  status: string;
}

interface VitestReport {
  testResults?: { name: string; assertionResults?: VitestAssertion[] }[];
}

function relative(root: string, file: string): string {
  return (path.isAbsolute(file) ? path.relative(root, file) : file).split(path.sep).join("/");
}

function statusOf(status: string): TestResult["status"] {
  if (status === "passed" || status === "expected" || status === "flaky") return "passed";
  if (status === "failed" || status === "unexpected" || status === "timedOut") return "failed";
  return "skipped";
}

export function fromVitest(report: VitestReport, root: string): TestResult[] {
  return (report.testResults ?? []).flatMap((file) =>
    (file.assertionResults ?? []).map((assertion) => ({
      file: relative(root, file.name),
      name: [...(assertion.ancestorTitles ?? []), assertion.title].join(" > "),
      status: statusOf(assertion.status),
    })),
  );
}

interface PlaywrightSpec {
  title: string;
  file?: string;
  tests?: { status: string }[];
}

interface PlaywrightSuite {
  title: string;
  file?: string;
  specs?: PlaywrightSpec[];
  suites?: PlaywrightSuite[];
}

interface PlaywrightReport {
  config?: { rootDir?: string };
  suites?: PlaywrightSuite[];
}

/** Playwright nests suites per file and per describe; its file paths are relative to its test directory. */
export function fromPlaywright(report: PlaywrightReport, root: string, testDir = "tests/e2e"): TestResult[] {
  const results: TestResult[] = [];
  const walk = (suite: PlaywrightSuite, titles: string[], file: string) => {
    for (const spec of suite.specs ?? []) {
      const statuses = (spec.tests ?? []).map((test) => statusOf(test.status));
      const status = statuses.includes("failed") ? "failed" : statuses.includes("passed") ? "passed" : "skipped";
      results.push({ file, name: [...titles, spec.title].join(" > "), status });
    }
    for (const child of suite.suites ?? []) walk(child, [...titles, child.title], file);
  };
  for (const suite of report.suites ?? []) {
    const file = relative(root, path.join(root, testDir, suite.file ?? suite.title));
    walk(suite, [], file);
  }
  return results;
}
