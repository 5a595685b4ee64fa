/**
 * The browser side of passkeys (lib/client/passkeys.ts, lib/client/second-factor.ts; ADR 047
 * decisions 10 to 13): which ceremony failures are a person's choice and which are faults, the
 * name a new passkey starts with, and the methods the second step's page is told about.
 */
import { WebAuthnError } from "@simplewebauthn/browser";
import { describe, expect, it } from "vitest";
import { ceremonyFailure, CreationOptionsSchema, passkeyStorage, RequestOptionsSchema, suggestedPasskeyName } from "@/lib/client/passkeys";
import { ApiError } from "@/lib/client/problem";
import { readMethods, withMethods } from "@/lib/client/second-factor";

function domError(name: string): Error {
  return new DOMException("The operation either timed out or was not allowed.", name);
}

describe("a ceremony that ends without a credential", () => {
  it("reads a closed prompt, a timeout or no passkey chosen (one NotAllowedError, by design) as cancelled, not as a fault", () => {
    expect(ceremonyFailure(domError("NotAllowedError"))).toBe("cancelled");
    expect(ceremonyFailure(new WebAuthnError({ message: "x", code: "ERROR_PASSTHROUGH_SEE_CAUSE_PROPERTY", cause: domError("NotAllowedError") }))).toBe(
      "cancelled",
    );
    expect(ceremonyFailure(new WebAuthnError({ message: "x", code: "ERROR_CEREMONY_ABORTED", cause: domError("AbortError") }))).toBe("cancelled");
  });

  it("tells an authenticator that already holds the account's passkey, and a browser without WebAuthn, apart from other failures", () => {
    expect(ceremonyFailure(new WebAuthnError({ message: "x", code: "ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED", cause: domError("InvalidStateError") }))).toBe(
      "already-registered",
    );
    expect(ceremonyFailure(new Error("WebAuthn is not supported in this browser"))).toBe("unsupported");
    expect(ceremonyFailure(new WebAuthnError({ message: "x", code: "ERROR_INVALID_RP_ID", cause: domError("SecurityError") }))).toBe("failed");
  });

  it("leaves the server's answers to the caller: an API error is never mistaken for a cancelled prompt", () => {
    expect(ceremonyFailure(new ApiError({ type: "/problems/second-factor-invalid", title: "That code is not correct", status: 401 }))).toBeNull();
    expect(ceremonyFailure("NotAllowedError")).toBeNull();
    expect(ceremonyFailure(new TypeError("x is undefined"))).toBeNull();
  });
});

describe("the options handed to the browser", () => {
  it("refuses an answer the browser library would dereference and crash on, and passes a well-formed one on untouched", () => {
    const creation = {
      challenge: "abc",
      rp: { name: "Palisade", id: "localhost" },
      user: { id: "dXNlcg", name: "a@b.c", displayName: "A" },
      pubKeyCredParams: [],
    };
    expect(CreationOptionsSchema.safeParse(creation).data).toBe(creation);
    expect(CreationOptionsSchema.safeParse({ ...creation, user: null }).success).toBe(false);
    expect(RequestOptionsSchema.safeParse({ challenge: "abc", allowCredentials: [] }).success).toBe(true);
    expect(RequestOptionsSchema.safeParse({ challenge: 1 }).success).toBe(false);
    expect(RequestOptionsSchema.safeParse({ challenge: "abc", allowCredentials: "all" }).success).toBe(false);
  });
});

describe("words about a passkey", () => {
  it("suggests the browser and system as a new passkey's name, and something neutral when the user agent says neither", () => {
    expect(suggestedPasskeyName("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")).toBe(
      "Chrome on macOS",
    );
    expect(
      suggestedPasskeyName("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0"),
    ).toBe("Edge on Windows");
    expect(
      suggestedPasskeyName(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
      ),
    ).toBe("Safari on iOS");
    expect(suggestedPasskeyName("Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0")).toBe("Firefox on Android");
    expect(suggestedPasskeyName("curl/8.0")).toBe("My passkey");
  });

  it("says synced for a multi-device passkey and device-bound for any other", () => {
    expect(passkeyStorage("multiDevice").label).toBe("Synced");
    expect(passkeyStorage("singleDevice").label).toBe("This device only");
    expect(passkeyStorage("something new").label).toBe("This device only");
  });
});

describe("the methods the second step's page is told about", () => {
  it("carries the login's methods in the page's order, keeping the path and the other parameters", () => {
    expect(withMethods("/signin/second-factor?next=%2Fsessions", ["totp", "passkey", "recovery-code"])).toBe(
      "/signin/second-factor?next=%2Fsessions&methods=passkey%2Ctotp%2Crecovery-code",
    );
    expect(withMethods("/signin/second-factor", ["sms"])).toBe("/signin/second-factor");
  });

  it("reads only known methods, so a crafted link can reorder the controls but never invent one", () => {
    expect(readMethods("recovery-code,passkey")).toEqual(["passkey", "recovery-code"]);
    expect(readMethods("passkey,<script>")).toEqual(["passkey"]);
    expect(readMethods("sms")).toBeNull();
    expect(readMethods(undefined)).toBeNull();
  });
});
