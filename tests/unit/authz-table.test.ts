import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { renderAuthorizationDoc } from "../support/authz-doc";

describe("docs/authorization.md", () => {
  it("is exactly what the generator makes from the policy and the matrix (run `npm run authz:table` after changing either)", () => {
    const committed = readFileSync(path.resolve(import.meta.dirname, "../../docs/authorization.md"), "utf8");
    expect(committed).toBe(renderAuthorizationDoc());
  });
});
