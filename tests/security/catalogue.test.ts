/**
 * The catalogue (tests/security/support/catalogue.ts) and the suite stay in step: every test ID a
 * test title starts with is catalogued, and every catalogued ID belongs to a test, so the
 * scorecard never shows evidence that does not exist or misses evidence that does.
 */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { fuzzSlug, SECURITY_TEST_CATALOGUE } from "./support/catalogue";
import { ENDPOINTS } from "./support/endpoints";
import { GROUP_THREATS } from "./support/jwt-corpus";

/** The IDs the suite's titles carry: literal `[family.name]` prefixes, plus the generated ones. */
function suiteIds(): string[] {
  const dir = import.meta.dirname;
  const literal = readdirSync(dir)
    .filter((file) => file.endsWith(".test.ts") && file !== "catalogue.test.ts")
    .flatMap((file) => [...readFileSync(path.join(dir, file), "utf8").matchAll(/["'`(]\[([a-z0-9]+\.[a-z0-9-]+)\]/g)].map((match) => match[1] as string));
  const check = [...readFileSync(path.join(dir, "api-top10.test.ts"), "utf8").matchAll(/check\(\s*"API\d+",\s*"([a-z0-9.-]+)"/g)].map(
    (match) => match[1] as string,
  );
  const jwtGroups = Object.keys(GROUP_THREATS).map((id) => `jwt.${id}`);
  const fuzz = ENDPOINTS.map((endpoint) => `fuzz.${fuzzSlug(endpoint.method, endpoint.path)}`);
  return [...new Set([...literal, ...check, ...jwtGroups, ...fuzz])].sort();
}

describe("the security test catalogue", () => {
  it("[catalogue.in-step] lists exactly the IDs the suite's tests carry, each with ASVS requirements", () => {
    const catalogued = SECURITY_TEST_CATALOGUE.map((entry) => entry.id);
    expect(new Set(catalogued).size).toBe(catalogued.length);
    expect([...catalogued].sort()).toEqual(suiteIds().filter((id) => id !== "catalogue.in-step"));
    for (const entry of SECURITY_TEST_CATALOGUE) expect(entry.asvs.length, entry.id).toBeGreaterThan(0);
  });
});
