import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { routeOperations } from "@/lib/http/discover-routes";
import { renderAuthorizationDoc } from "../support/authz-doc";

describe("docs/authorization.md", () => {
  it("is exactly what the generator makes from the policy, the contracts and the matrix (run `npm run authz:table` after changing any)", async () => {
    const committed = readFileSync(path.resolve(import.meta.dirname, "../../docs/authorization.md"), "utf8");
    expect(committed).toBe(renderAuthorizationDoc(await routeOperations()));
  });
});
