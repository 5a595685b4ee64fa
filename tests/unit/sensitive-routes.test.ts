/**
 * Which routes ask for a fresh second factor (`sensitive: true`, lib/http/contract.ts; ADR 047).
 * The endpoint wrapper enforces the flag, and the integration tests prove it on a few routes; this
 * keeps the flag itself from being dropped from one of the others, or forgotten on a new admin write.
 */
import { describe, expect, it } from "vitest";
import { isAdminOnly } from "@/lib/authz/admin-actions";
import { routeOperations } from "@/lib/http/discover-routes";
import { allowedProblems } from "@/lib/http/contract";

const OPERATIONS = await routeOperations();
const keyOf = (operation: { method: string; path: string }) => `${operation.method} ${operation.path}`;

describe("the actions that would let a thief keep the account", () => {
  it("are exactly these, each asking for a fresh second factor", () => {
    const sensitive = OPERATIONS.filter((operation) => operation.contract.sensitive === true)
      .map(keyOf)
      .sort();
    expect(sensitive).toEqual(
      [
        "PATCH /api/admin/clients/{id}",
        "POST /api/admin/clients",
        "PATCH /api/admin/users/{id}",
        "POST /api/admin/users",
        "POST /api/auth/email",
        "POST /api/auth/mfa/recovery-codes",
        "POST /api/auth/mfa/totp/confirm",
        "POST /api/auth/mfa/totp",
        "DELETE /api/auth/mfa/totp",
        "DELETE /api/auth/oauth/accounts/{provider}",
        "POST /api/auth/oauth/password",
        "DELETE /api/auth/passkeys/{id}",
        "POST /api/auth/passkeys/registration/options",
        "POST /api/auth/passkeys/registration",
        "POST /api/auth/password",
        "DELETE /api/me",
      ].sort(),
    );
  });

  it("include every admin write, so a new one cannot forget the flag", () => {
    const unflagged = OPERATIONS.filter(
      (operation) => operation.method !== "GET" && "permission" in operation.contract.access && isAdminOnly(operation.contract.access.permission),
    )
      .filter((operation) => operation.contract.sensitive !== true)
      .map(keyOf);
    expect(unflagged).toEqual([]);
  });

  it("document the step-up challenge in their contracts, so the OpenAPI document lists it", () => {
    const undocumented = OPERATIONS.filter(
      (operation) => operation.contract.sensitive === true && !allowedProblems(operation.contract).has("ERR_STEP_UP_REQUIRED"),
    );
    expect(undocumented.map(keyOf)).toEqual([]);
  });
});
