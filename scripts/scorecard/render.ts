/**
 * docs/security-scorecard.md from the judged requirements, the suite's figures and the scan
 * record. Pure: the same inputs always render the same page.
 */
import { API_TOP10 } from "./api-top10";
import { ASVS_CHAPTERS, type Chapter } from "./asvs";
import { judge, type Check, type Inputs, type Judgement, type ScanRecord, type Verdict } from "./join";

/** A family's figure, as tests/security/support/figures.ts writes it. */
export interface Figure {
  passed: number;
  total: number;
  unit: string;
  detail?: Record<string, number | string>;
  recordedAt?: string;
}

/** The figures the scorecard reports, in order, with what each one counts. */
export const FIGURE_FAMILIES: readonly { family: string; label: string }[] = [
  { family: "jwt-attacks", label: "JWT attack corpus" },
  { family: "wycheproof", label: "Wycheproof RS256 JWS vectors" },
  { family: "csrf-matrix", label: "CSRF matrix" },
  { family: "cross-user", label: "Cross-user calls" },
  { family: "api-top10", label: "OWASP API Top 10 attacks" },
  { family: "fuzz", label: "Property-based fuzzing" },
  { family: "inventory", label: "Inventory crawl" },
  { family: "ssrf", label: "SSRF probes" },
];

export interface ScorecardMeta {
  generatedAt: string;
  /** Where the test results came from, for the header. */
  resultsSource: string;
  catalogueFound: boolean;
}

export interface JudgedRequirement {
  id: string;
  level: 1 | 2;
  text: string;
  judgement: Judgement;
}

export function judgeAll(inputs: Inputs): {
  chapters: { chapter: Chapter; requirements: JudgedRequirement[] }[];
  api: { id: string; name: string; here: string; judgement: Judgement }[];
} {
  return {
    chapters: ASVS_CHAPTERS.map((chapter) => ({
      chapter,
      requirements: chapter.requirements.map((requirement) => ({ ...requirement, judgement: judge(requirement.id, requirement.evidence, inputs) })),
    })),
    api: API_TOP10.map((category) => ({ ...category, judgement: judge(category.id, category.evidence, inputs) })),
  };
}

export type Tally = Record<Verdict, number>;

export function tally(judgements: readonly Judgement[]): Tally {
  const counts: Tally = { pass: 0, fail: 0, untested: 0, "n/a": 0 };
  for (const judgement of judgements) counts[judgement.verdict] += 1;
  return counts;
}

const escape = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");

/** `tests/unit/cookies.test.ts > sets the access cookie` → `unit/cookies › sets the access cookie`. */
function shortRef(label: string): string {
  return label
    .replace(/^tests\//, "")
    .replace(/\.(test|spec)\.ts/, "")
    .replace(" > ", " › ");
}

function evidenceCell(checks: readonly Check[]): string {
  const catalogued = checks.filter((check) => check.label.startsWith("["));
  const others = checks.filter((check) => !check.label.startsWith("["));
  const parts: string[] = [];
  if (catalogued.length > 0) {
    const passed = catalogued.filter((check) => check.outcome === "passed").length;
    const ids = catalogued
      .slice(0, 3)
      .map((check) => check.label)
      .join(" ");
    parts.push(`security suite ${passed}/${catalogued.length}: ${ids}${catalogued.length > 3 ? " …" : ""}`);
  }
  for (const check of others) {
    const mark = check.outcome === "passed" ? "" : check.outcome === "failed" ? " **(failed)**" : " (did not run)";
    parts.push(`${shortRef(check.label)}${mark}`);
  }
  return parts.length === 0 ? "—" : escape(parts.join("; "));
}

function resultCell(judgement: Judgement): string {
  const word = { pass: "pass", fail: "**FAIL**", untested: "untested", "n/a": "n/a" }[judgement.verdict];
  return judgement.reason === undefined ? word : `${word}: ${escape(judgement.reason)}`;
}

function figureRows(figures: ReadonlyMap<string, Figure>): string[] {
  return FIGURE_FAMILIES.map(({ family, label }) => {
    const figure = figures.get(family);
    if (figure === undefined) return `| ${label} | not run | — |`;
    const detail = Object.entries(figure.detail ?? {})
      .map(([key, value]) => `${key}: ${typeof value === "number" ? value.toLocaleString("en-US") : value}`)
      .join("; ");
    return `| ${label} | ${figure.passed.toLocaleString("en-US")} / ${figure.total.toLocaleString("en-US")} ${escape(figure.unit)} | ${escape(detail) || "—"} |`;
  });
}

function scanRows(scan: ScanRecord | null): string[] {
  if (scan === null) return ["| sqlmap | not recorded (run `npm run scan -- --record`) |", "| MDN HTTP Observatory | not recorded |"];
  const sqlmap = scan.sqlmap;
  const observatory = scan.observatory;
  return [
    sqlmap === null
      ? "| sqlmap | skipped |"
      : `| sqlmap | **${sqlmap.injectable} injectable** of ${sqlmap.parameters} parameters on ${sqlmap.endpoints} endpoints; ${sqlmap.serverErrors ?? 0} server errors |`,
    observatory === null
      ? "| MDN HTTP Observatory | skipped |"
      : `| MDN HTTP Observatory | grade **${observatory.grade}**, score ${observatory.score}, ${observatory.testsPassed}/${observatory.testsTotal} tests passed |`,
  ];
}

export function renderScorecard(inputs: Inputs, figures: ReadonlyMap<string, Figure>, meta: ScorecardMeta): string {
  const judged = judgeAll(inputs);
  const all = judged.chapters.flatMap(({ requirements }) => requirements);
  const byLevel = (level: 1 | 2) => tally(all.filter((requirement) => requirement.level === level).map((requirement) => requirement.judgement));
  const line = (label: string, t: Tally) => `| ${label} | ${t.pass} | ${t.fail} | ${t.untested} | ${t["n/a"]} |`;
  const apiTally = tally(judged.api.map((category) => category.judgement));

  const out: string[] = [
    "# Security scorecard",
    "",
    "<!-- Generated by `npm run scorecard` from the test results, the security suite's figures and",
    "     docs/security-scan-record.json. Do not edit by hand: change the mapping in scripts/scorecard/",
    "     or the tests, and regenerate. -->",
    "",
    "What the tests prove about Palisade, requirement by requirement, against the OWASP Application",
    "Security Verification Standard 5.0.0 (Levels 1 and 2) and the OWASP API Security Top 10 (2023).",
    "A requirement passes only when every piece of its evidence was found and held: a mapped test that",
    "failed makes it fail, one that did not run leaves it untested. Requirement texts are summaries; the",
    "standard is authoritative. How to read and regenerate this page: [security-scanning.md](security-scanning.md);",
    "what the verdicts leave open: [threat-model.md](threat-model.md).",
    "",
    `Generated ${meta.generatedAt} from ${meta.resultsSource}.${meta.catalogueFound ? "" : " The security suite's catalogue was not found, so no `[id]` test is joined."}`,
    "",
    "## Summary",
    "",
    "| | pass | fail | untested | n/a |",
    "|---|---|---|---|---|",
    line("ASVS Level 1", byLevel(1)),
    line("ASVS Level 2", byLevel(2)),
    line("API Top 10 (2023)", apiTally),
    "",
    "## Figures",
    "",
    "| Family | Result | Detail |",
    "|---|---|---|",
    ...figureRows(figures),
    "",
    "## Scanners",
    "",
    `Run by \`npm run scan\` against the production build (not part of \`npm test\`); last recorded ${inputs.scan?.date ?? "never"}.`,
    "",
    "| Scanner | Result |",
    "|---|---|",
    ...scanRows(inputs.scan),
    "",
    "## OWASP API Security Top 10 (2023)",
    "",
    "| Category | Here | Evidence | Result |",
    "|---|---|---|---|",
    ...judged.api.map(
      (category) =>
        `| ${category.id}: ${category.name} | ${escape(category.here)} | ${evidenceCell(category.judgement.checks)} | ${resultCell(category.judgement)} |`,
    ),
    "",
    "## OWASP ASVS 5.0.0, Levels 1 and 2",
    "",
    "Out of scope as whole chapters: V5 File handling (the app accepts, stores and serves no files) and V17 WebRTC (none).",
  ];
  for (const { chapter, requirements } of judged.chapters) {
    const t = tally(requirements.map((requirement) => requirement.judgement));
    out.push(
      "",
      `### ${chapter.id} ${chapter.title}`,
      "",
      `${t.pass} pass, ${t.fail} fail, ${t.untested} untested, ${t["n/a"]} not applicable.`,
      "",
      "| ID | L | Requirement | Evidence | Result |",
      "|---|---|---|---|---|",
      ...requirements.map(
        (requirement) =>
          `| ${requirement.id} | ${requirement.level} | ${escape(requirement.text)} | ${evidenceCell(requirement.judgement.checks)} | ${resultCell(requirement.judgement)} |`,
      ),
    );
  }
  out.push("");
  return out.join("\n");
}
