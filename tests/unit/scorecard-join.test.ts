/**
 * The scorecard's verdict rules (scripts/scorecard/join.ts): a requirement passes only when every
 * piece of its evidence was found and held. These fixtures are the ways a scorecard could lie:
 * a failed test hidden behind a passing one, a catalogued test that never ran, a skipped test
 * read as a pass, a scan that was never recorded.
 */
import { describe, expect, it } from "vitest";
import { catalogueFrom, catalogueIdOf, judge, normaliseAsvsId, type Catalogue, type Inputs, type ScanRecord, type TestResult } from "@/scripts/scorecard/join";
import { renderScorecard } from "@/scripts/scorecard/render";
import { fromPlaywright, fromVitest } from "@/scripts/scorecard/results";

const result = (file: string, name: string, status: TestResult["status"] = "passed"): TestResult => ({ file, name, status });

const CATALOGUE: Catalogue = {
  "JWT-01": { description: "alg none is refused", asvs: ["V9.1.2"] },
  "JWT-02": { description: "HS256 with our public key is refused", asvs: ["9.1.2", "v5.0.0-9.1.1"] },
  "SSRF-01": { description: "no endpoint fetches a user URL", asvs: ["V1.3.6"], api: ["API7:2023"] },
};

const CLEAN_SCAN: ScanRecord = {
  date: "2026-11-28T22:00:00.000Z",
  sqlmap: { endpoints: 24, parameters: 60, injectable: 0, serverErrors: 0 },
  observatory: { grade: "A+", score: 125, testsPassed: 10, testsTotal: 10 },
};

function inputs(results: TestResult[], overrides: Partial<Inputs> = {}): Inputs {
  return { results, catalogue: CATALOGUE, scan: CLEAN_SCAN, fileExists: () => true, findPattern: () => [], ...overrides };
}

const SECURITY = "tests/security/jwt-attacks.test.ts";
const TOKENS = "tests/unit/tokens.test.ts";

describe("joining a requirement with its evidence", () => {
  it("passes when every catalogued and mapped test ran and passed", () => {
    const judgement = judge(
      "9.1.2",
      { tests: [`${TOKENS} > rejects alg none`] },
      inputs([
        result(SECURITY, "JWT attacks > [JWT-01] alg none"),
        result(SECURITY, "JWT attacks > [JWT-02] HS256 with the public key"),
        result(TOKENS, "what a token cannot choose > rejects alg none"),
      ]),
    );
    expect(judgement.verdict).toBe("pass");
    expect(judgement.checks.map((check) => check.label)).toEqual(["[JWT-01]", "[JWT-02]", `${TOKENS} > rejects alg none`]);
  });

  it("fails when one catalogued test failed, however many others passed", () => {
    const judgement = judge(
      "9.1.2",
      { tests: [`${TOKENS} > rejects alg none`] },
      inputs([
        result(SECURITY, "JWT attacks > [JWT-01] alg none", "failed"),
        result(SECURITY, "JWT attacks > [JWT-02] HS256 with the public key"),
        result(TOKENS, "what a token cannot choose > rejects alg none"),
      ]),
    );
    expect(judgement.verdict).toBe("fail");
  });

  it("fails when a mapped test matched several tests and one of them failed", () => {
    const judgement = judge(
      "9.2.1",
      { tests: [`${TOKENS} > expiry`] },
      inputs([
        result(TOKENS, "expiry and clock skew > accepts a token expired by less than the tolerance"),
        result(TOKENS, "expiry and clock skew > rejects a token issued in the future", "failed"),
      ]),
    );
    expect(judgement.verdict).toBe("fail");
  });

  it("is untested, never a pass, when a catalogued test did not run", () => {
    const judgement = judge("9.1.1", {}, inputs([]));
    expect(judgement.verdict).toBe("untested");
    expect(judgement.checks).toEqual([{ label: "[JWT-02]", outcome: "missing", detail: "catalogued but did not run" }]);
  });

  it("is untested when the mapped test was skipped (a service was unreachable)", () => {
    const judgement = judge(
      "7.3.1",
      { tests: ["tests/integration/token-service.test.ts > idle"] },
      inputs([result("tests/integration/token-service.test.ts", "session lifetime > ends a session idle for more than 7 days", "skipped")]),
    );
    expect(judgement.verdict).toBe("untested");
  });

  it("is untested when a mapped title matches nothing (a renamed test cannot pass silently)", () => {
    const judgement = judge(
      "6.2.1",
      { tests: ["tests/unit/password-policy.test.ts > a title that no longer exists"] },
      inputs([result("tests/unit/password-policy.test.ts", "password policy > refuses 14 characters and accepts 15")]),
    );
    expect(judgement.verdict).toBe("untested");
  });

  it("is untested when nothing at all is mapped", () => {
    expect(judge("6.2.7", {}, inputs([]))).toEqual({ verdict: "untested", checks: [], reason: "no test is mapped to it yet" });
  });

  it("matches a test reference by its exact file, not by a file that merely ends the same way", () => {
    const judgement = judge("6.2.1", { tests: ["tests/unit/policy.test.ts"] }, inputs([result("tests/unit/password-policy.test.ts", "anything")]));
    expect(judgement.verdict).toBe("untested");
  });

  it("keeps a known gap a fail even when its tests pass", () => {
    const judgement = judge("6.3.3", { tests: [TOKENS], gap: "no second factor" }, inputs([result(TOKENS, "anything")]));
    expect(judgement).toMatchObject({ verdict: "fail", reason: "no second factor" });
  });

  it("marks a requirement that does not apply as n/a, with its reason, and checks nothing", () => {
    expect(judge("4.3.1", { na: "no GraphQL" }, inputs([]))).toEqual({ verdict: "n/a", checks: [], reason: "no GraphQL" });
  });

  it("leaves what the repository cannot show untested, even when its tests pass", () => {
    const judgement = judge("4.2.1", { tests: [TOKENS], unverified: "the proxy's framing is the platform's" }, inputs([result(TOKENS, "x")]));
    expect(judgement).toMatchObject({ verdict: "untested", reason: "the proxy's framing is the platform's" });
  });

  it("needs the documents to exist", () => {
    const missing = judge("8.1.1", { docs: ["docs/authorization.md"] }, inputs([], { fileExists: () => false }));
    expect(missing.verdict).toBe("untested");
    expect(judge("8.1.1", { docs: ["docs/authorization.md"] }, inputs([])).verdict).toBe("pass");
  });

  it("fails an absence check that finds its pattern, naming where", () => {
    const judgement = judge("1.3.2", { absent: [{ what: "eval", pattern: /\beval\(/, dirs: ["lib"] }] }, inputs([], { findPattern: () => ["lib/x.ts:3"] }));
    expect(judgement.verdict).toBe("fail");
    expect(judgement.checks[0]).toMatchObject({ outcome: "failed", detail: "lib/x.ts:3" });
  });
});

describe("the scanners' part", () => {
  it("passes sqlmap only with zero injectable parameters and zero server errors", () => {
    expect(judge("1.2.4", { scanners: ["sqlmap"] }, inputs([])).verdict).toBe("pass");
    const injectable = { ...CLEAN_SCAN, sqlmap: { endpoints: 24, parameters: 60, injectable: 1 } };
    expect(judge("1.2.4", { scanners: ["sqlmap"] }, inputs([], { scan: injectable })).verdict).toBe("fail");
    const crashed = { ...CLEAN_SCAN, sqlmap: { endpoints: 24, parameters: 60, injectable: 0, serverErrors: 3 } };
    expect(judge("1.2.4", { scanners: ["sqlmap"] }, inputs([], { scan: crashed })).verdict).toBe("fail");
  });

  it("passes the Observatory only at A+ with every test passing", () => {
    const a = { ...CLEAN_SCAN, observatory: { grade: "A", score: 95, testsPassed: 10, testsTotal: 10 } };
    expect(judge("3.4.1", { scanners: ["observatory"] }, inputs([], { scan: a })).verdict).toBe("fail");
    const oneFailed = { ...CLEAN_SCAN, observatory: { grade: "A+", score: 105, testsPassed: 9, testsTotal: 10 } };
    expect(judge("3.4.1", { scanners: ["observatory"] }, inputs([], { scan: oneFailed })).verdict).toBe("fail");
  });

  it("is untested when no scan was recorded, or the scanner was skipped", () => {
    expect(judge("1.2.4", { scanners: ["sqlmap"] }, inputs([], { scan: null })).verdict).toBe("untested");
    expect(judge("1.2.4", { scanners: ["sqlmap"] }, inputs([], { scan: { ...CLEAN_SCAN, sqlmap: null } })).verdict).toBe("untested");
  });
});

describe("identifiers", () => {
  it("reads every spelling of an ASVS ID and an API Top 10 category as the same requirement", () => {
    expect(["V9.1.1", "9.1.1", "v5.0.0-9.1.1", " v9.1.1 "].map(normaliseAsvsId)).toEqual(["9.1.1", "9.1.1", "9.1.1", "9.1.1"]);
    expect(["API7:2023", "API7", "api7"].map(normaliseAsvsId)).toEqual(["API7", "API7", "API7"]);
  });

  it("joins API Top 10 categories through the catalogue's api list", () => {
    const judgement = judge("API7", {}, inputs([result("tests/security/ssrf.test.ts", "ssrf > [SSRF-01] no endpoint fetches a user URL")]));
    expect(judgement.verdict).toBe("pass");
  });

  it("reads the catalogue as a list of entries with their own IDs, or as a map from ID to entry", () => {
    const list = [
      { id: "jwt.alg-none", family: "jwt-attacks", proves: "alg none is refused", asvs: ["9.1.2"], apiTop10: "API2" },
      { id: "csrf.cross-site", family: "csrf-matrix", proves: "cross-site requests are refused", asvs: ["3.5.1"] },
    ];
    expect(catalogueFrom(list)).toEqual({
      "jwt.alg-none": { description: "alg none is refused", asvs: ["9.1.2"], api: ["API2"] },
      "csrf.cross-site": { description: "cross-site requests are refused", asvs: ["3.5.1"] },
    });
    expect(catalogueFrom(CATALOGUE)).toEqual(CATALOGUE);
  });

  it("refuses a catalogue with an entry it cannot read, rather than dropping the entry", () => {
    expect(
      catalogueFrom([
        { id: "x", proves: "p", asvs: ["1.1.1"] },
        { id: "y", proves: "no asvs" },
      ]),
    ).toBeNull();
    expect(catalogueFrom([])).toBeNull();
    expect(catalogueFrom("not a catalogue")).toBeNull();
  });

  it("takes a security test's catalogue ID from the start of its own title only", () => {
    expect(catalogueIdOf("JWT attacks > [JWT-01] alg none")).toBe("JWT-01");
    expect(catalogueIdOf("[JWT-01] family > a test that mentions [JWT-02] later")).toBeNull();
  });
});

describe("reading the reports", () => {
  it("turns vitest's JSON into repository-relative files, full names and three statuses", () => {
    const report = {
      testResults: [
        {
          name: "/repo/tests/unit/tokens.test.ts",
          assertionResults: [
            { ancestorTitles: ["what a token cannot choose"], title: "rejects alg none", status: "passed" },
            { ancestorTitles: [], title: "todo", status: "todo" },
            { ancestorTitles: ["a"], title: "b", status: "failed" },
          ],
        },
      ],
    };
    expect(fromVitest(report, "/repo")).toEqual([
      result(TOKENS, "what a token cannot choose > rejects alg none"),
      result(TOKENS, "todo", "skipped"),
      result(TOKENS, "a > b", "failed"),
    ]);
  });

  it("turns Playwright's nested suites into the same shape", () => {
    const report = {
      suites: [
        {
          title: "auth.spec.ts",
          file: "auth.spec.ts",
          specs: [{ title: "signs in", tests: [{ status: "expected" }] }],
          suites: [{ title: "forms", specs: [{ title: "masks passwords", tests: [{ status: "unexpected" }] }] }],
        },
      ],
    };
    expect(fromPlaywright(report, "/repo")).toEqual([
      result("tests/e2e/auth.spec.ts", "signs in"),
      result("tests/e2e/auth.spec.ts", "forms > masks passwords", "failed"),
    ]);
  });
});

describe("the rendered page", () => {
  it("says it is generated, and shows a missing figure and an unrecorded scan as such", () => {
    const page = renderScorecard(inputs([], { scan: null }), new Map(), { generatedAt: "2026-11-28", resultsSource: "fixtures", catalogueFound: true });
    expect(page).toContain("Generated by `npm run scorecard`");
    expect(page).toContain("Do not edit by hand");
    expect(page).toContain("| JWT attack corpus | not run |");
    expect(page).toContain("not recorded (run `npm run scan -- --record`)");
  });

  it("shows a figure as passed out of total in its unit", () => {
    const figures = new Map([["jwt-attacks", { passed: 74, total: 74, unit: "tokens rejected", detail: { header: 40, cookie: 34 } }]]);
    const page = renderScorecard(inputs([]), figures, { generatedAt: "2026-11-28", resultsSource: "fixtures", catalogueFound: true });
    expect(page).toContain("| 74 / 74 tokens rejected | header: 40; cookie: 34 |");
  });
});
