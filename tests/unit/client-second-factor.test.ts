/**
 * What the browser accepts as a second factor before sending it, and the links of the two-step
 * sign-in (lib/client/second-factor.ts, lib/client/sign-in-reasons.ts; ADR 047).
 */
import { describe, expect, it } from "vitest";
import { ApiError, toProblem } from "@/lib/client/problem";
import { compactKey, keyGroups, readRecoveryCode, readTotpCode, recoveryCodesText, secondFactorBody, totpInput } from "@/lib/client/second-factor";
import { readSignInReason, SIGN_IN_MESSAGES, secondFactorHref, signInHref } from "@/lib/client/sign-in-reasons";
import { rateLimitMessage } from "@/components/forms/rate-limit-message";

describe("reading a code as typed", () => {
  it("keeps digits only in the TOTP field, so a pasted '123 456' is a code and letters never are", () => {
    expect(totpInput("123 456")).toBe("123456");
    expect(totpInput("12a3-45\n6789")).toBe("123456");
    expect(readTotpCode("123456")).toBe("123456");
    expect(readTotpCode("12345")).toBeNull();
    expect(readTotpCode("１２３４５６")).toBeNull();
  });

  it("accepts a recovery code with dashes, spaces or lower case, and refuses one of the wrong length", () => {
    const code = "7KQ2M-XW4PD-0H1JN-B8RTV-9C3EF";
    expect(readRecoveryCode(code)).toBe(code);
    expect(readRecoveryCode(" 7kq2m xw4pd 0h1jn b8rtv 9c3ef ")).toBe("7kq2m xw4pd 0h1jn b8rtv 9c3ef");
    expect(readRecoveryCode("7KQ2M-XW4PD-0H1JN-B8RTV")).toBeNull();
    expect(readRecoveryCode("7KQ2M-XW4PD-0H1JN-B8RTV-9C3E!")).toBeNull();
  });

  it("builds the body the API takes, or the message for the field: never a request for input that cannot be a code", () => {
    expect(secondFactorBody("totp", "123456")).toEqual({ ok: true, body: { code: "123456" } });
    expect(secondFactorBody("totp", "")).toMatchObject({ ok: false });
    expect(secondFactorBody("recovery-code", "7KQ2M-XW4PD-0H1JN-B8RTV-9C3EF")).toEqual({ ok: true, body: { recoveryCode: "7KQ2M-XW4PD-0H1JN-B8RTV-9C3EF" } });
    expect(secondFactorBody("recovery-code", "123456")).toMatchObject({ ok: false });
  });

  it("shows the setup key in groups of four and copies it without spaces", () => {
    expect(keyGroups("ABCD EFGH IJKL MNOP QRST UVWX YZ23 4567")).toEqual(["ABCD", "EFGH", "IJKL", "MNOP", "QRST", "UVWX", "YZ23", "4567"]);
    expect(keyGroups("ABCDEFGHIJ")).toEqual(["ABCD", "EFGH", "IJ"]);
    expect(compactKey("ABCD EFGH\nIJ")).toBe("ABCDEFGHIJ");
  });

  it("writes every recovery code into the downloaded file, one a line", () => {
    const text = recoveryCodesText(["AAAAA-BBBBB", "CCCCC-DDDDD"], "ada@example.com", new Date("2026-12-07T10:00:00Z"));
    expect(text.split("\n")).toEqual(expect.arrayContaining(["AAAAA-BBBBB", "CCCCC-DDDDD", "Account: ada@example.com"]));
  });
});

describe("the two-step sign-in's links and messages", () => {
  it("carries a safe `next` to the second step, and the re-authentication reason only", () => {
    expect(secondFactorHref("/notes/n1?x=1")).toBe("/signin/second-factor?next=%2Fnotes%2Fn1%3Fx%3D1");
    expect(secondFactorHref("/account", "reauth-required")).toBe("/signin/second-factor?reason=reauth-required&next=%2Faccount");
    expect(secondFactorHref("/account", "session-ended")).toBe("/signin/second-factor?next=%2Faccount");
    expect(secondFactorHref("//evil.example/x")).toBe("/signin/second-factor");
    expect(secondFactorHref("/signin/second-factor")).toBe("/signin/second-factor");
  });

  it("sends an expired second step back to sign-in with a fixed message", () => {
    expect(readSignInReason("second-factor-expired")).toBe("second-factor-expired");
    expect(SIGN_IN_MESSAGES["second-factor-expired"]).toMatch(/sign in again/i);
    expect(signInHref("second-factor-expired", "/account")).toBe("/signin?reason=second-factor-expired&next=%2Faccount");
  });

  it("says 'too many wrong codes' when the second-factor tier refused, whatever the form", () => {
    const refusal = new ApiError(toProblem({ status: 429, title: "Too many requests", "violated-policies": ["second-factor"] }, 429), {
      retryAfterSeconds: 600,
    });
    for (const action of ["sign-in", "link"] as const) {
      expect(rateLimitMessage(refusal, action)).toMatchObject({ title: "Too many wrong codes", detail: expect.stringContaining("about 10 minutes") });
    }
  });
});
