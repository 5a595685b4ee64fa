/**
 * Wycheproof's RS256 JSON Web Signature vectors against the app's verifier, counted for the
 * scorecard. The vectors carry their own keys, which the running app does not hold, so they run
 * in process against the same function the app's verifier uses (lib/auth/tokens.ts); the unit
 * suite runs the same check (tests/unit/wycheproof-jws.test.ts).
 */
import { afterAll, describe, expect, it } from "vitest";
import { runWycheproofJws, wycheproofJwsGroups, WYCHEPROOF_JWS_FILE, type WycheproofVerdicts } from "../support/wycheproof-jws";
import { formatCount, printSummary, recordFigure } from "./support/figures";

describe("Wycheproof JSON Web Signature vectors", () => {
  let verdicts: WycheproofVerdicts | undefined;

  afterAll(() => {
    if (verdicts === undefined) return;
    const { rs256, others } = verdicts;
    const rs256Right = rs256.checked - rs256.wrong.length;
    recordFigure("wycheproof", {
      passed: rs256Right,
      total: rs256.checked,
      unit: "vectors",
      detail: {
        rs256Valid: rs256.valid,
        rs256Invalid: rs256.checked - rs256.valid,
        otherAlgorithmsRefused: others.checked - others.accepted.length,
        otherAlgorithms: others.checked,
      },
    });
    printSummary(
      `Wycheproof RS256 vectors: ${formatCount(rs256Right)}/${formatCount(rs256.checked)} (other algorithms: ${formatCount(others.checked - others.accepted.length)}/${formatCount(others.checked)} refused)`,
    );
  });

  it("[wycheproof.rs256] the verifier accepts exactly the valid RS256 vectors and refuses every other vector", async () => {
    const groups = wycheproofJwsGroups();
    expect(groups.length, `the vectors are expected at ${WYCHEPROOF_JWS_FILE}`).toBeGreaterThan(0);
    verdicts = await runWycheproofJws(groups);
    expect(verdicts.rs256.wrong).toEqual([]);
    expect(verdicts.others.accepted).toEqual([]);
    expect(verdicts.rs256.checked).toBeGreaterThan(200);
  });
});
