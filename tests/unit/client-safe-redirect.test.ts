import { describe, expect, it } from "vitest";
import { DEFAULT_AFTER_SIGN_IN, safeRedirect } from "@/lib/shared/safe-redirect";

describe("safeRedirect", () => {
  it.each([
    ["/dashboard", "/dashboard"],
    ["/notes/abc123?tab=edit#title", "/notes/abc123?tab=edit#title"],
    ["/dashboard?page=2&sort=title&order=asc", "/dashboard?page=2&sort=title&order=asc"],
    ["/search?q=a%20b", "/search?q=a%20b"],
    ["/a/../admin", "/admin"],
  ])("keeps the same-origin path %j", (value, expected) => {
    expect(safeRedirect(value)).toBe(expected);
  });

  // Each of these is a way an attacker has sent users to another origin through a `next` parameter.
  it.each([
    ["protocol-relative", "//evil.com"],
    ["protocol-relative with a path", "//evil.com/dashboard"],
    ["scheme without slashes", "https:evil.com"],
    ["absolute URL", "https://evil.com/"],
    ["backslash after the slash", "/\\evil.com"],
    ["backslashes only", "\\\\evil.com"],
    ["slash, backslash, slash", "/\\/evil.com"],
    ["backslash later in the path", "/dashboard\\..\\..\\evil"],
    ["encoded slashes", "/%2F%2Fevil.com"],
    ["encoded slashes, lower case", "/%2f%2fevil.com"],
    ["double-encoded slashes", "/%252F%252Fevil.com"],
    ["encoded backslash", "/%5Cevil.com"],
    ["javascript URL", "javascript:alert(document.cookie)"],
    ["javascript URL with leading space", " javascript:alert(1)"],
    ["data URL", "data:text/html,<script>alert(1)</script>"],
    ["tab that the URL parser strips", "/\t/evil.com"],
    ["newline that the URL parser strips", "/\n/evil.com"],
    ["carriage return", "/\r/evil.com"],
    ["NUL byte", "/dashboard\u0000"],
    ["DEL", "/dash\u007fboard"],
    ["C1 control", "/dash\u0085board"],
    ["encoded newline", "/%0A/evil.com"],
    ["encoded tab", "/%09/evil.com"],
    ["leading space", " /dashboard"],
    ["broken percent-encoding", "/%E0%A4%A"],
    ["relative path", "dashboard"],
    ["dot path", "./dashboard"],
    ["empty", ""],
    ["too long", `/${"a".repeat(2048)}`],
    ["the sign-in page itself (a loop)", "/signin?next=/dashboard"],
    ["the resume page (a loop)", "/resume?next=/dashboard"],
    ["the register page", "/register"],
  ])("refuses %s", (_label, value) => {
    expect(safeRedirect(value)).toBe(DEFAULT_AFTER_SIGN_IN);
  });

  it.each([undefined, null, 42, ["/dashboard"], { toString: () => "/dashboard" }])("refuses a non-string %j", (value) => {
    expect(safeRedirect(value)).toBe(DEFAULT_AFTER_SIGN_IN);
  });

  it("uses the fallback it is given", () => {
    expect(safeRedirect("//evil.com", "/")).toBe("/");
  });

  it("never returns anything a browser would resolve to another origin", () => {
    // A sweep over short strings built from the characters these attacks are made of.
    const alphabet = ["/", "\\", "%2F", "%5C", ".", ":", "e", "@", "\t", " ", "?", "#"];
    const base = new URL("https://app.example/");
    const check = (value: string) => {
      const result = safeRedirect(value, "/fallback");
      expect(new URL(result, base).origin).toBe(base.origin);
      expect(result.startsWith("//")).toBe(false);
      expect(result.includes("\\")).toBe(false);
    };
    for (const a of alphabet) for (const b of alphabet) for (const c of alphabet) check(`${a}${b}${c}evil.com`);
  });
});
