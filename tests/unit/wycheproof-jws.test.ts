/**
 * Wycheproof's JSON Web Signature vectors against the signature layer of our verifier
 * (tests/support/wycheproof-jws.ts runs them). RS256 groups: exactly the valid vectors verify.
 * Every other group: every vector is refused, valid or not, because only compact RS256 is accepted.
 */
import { describe, expect, it } from "vitest";
import { runWycheproofJws, wycheproofJwsGroups } from "../support/wycheproof-jws";

const groups = wycheproofJwsGroups();

describe("Wycheproof JSON Web Signature vectors", () => {
  it("accepts exactly the valid RS256 vectors, rejects every invalid one, and every vector of every other algorithm and key type", async () => {
    const { rs256, others } = await runWycheproofJws(groups);
    expect(rs256.wrong).toEqual([]);
    expect(rs256.checked).toBeGreaterThan(200);
    expect(others.accepted).toEqual([]);
  });
});
