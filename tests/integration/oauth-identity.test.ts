/**
 * What the broker believes about a provider's answer (lib/auth/oauth/identity.ts), the provider
 * configuration it runs with (lib/auth/oauth/providers.ts, configured.ts), and the configuration
 * rules for both (lib/env.ts). No database: these are the inputs to the linking rules.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseEnv } from "@/lib/env";
import { providersFor } from "@/lib/auth/oauth/configured";
import { githubVerifiedPrimary, identityFrom } from "@/lib/auth/oauth/identity";

describe("provider quirks", () => {
  describe("GitHub: the email list decides, not the public profile", () => {
    it("takes the primary address when GitHub marks it verified", () => {
      expect(
        githubVerifiedPrimary([
          { email: "old@example.com", primary: false, verified: true },
          { email: "Me@Example.com", primary: true, verified: true },
        ]),
      ).toEqual({ email: "Me@Example.com", verified: true });
    });

    it("reports an unverified primary address as unverified, without substituting another verified one", () => {
      expect(
        githubVerifiedPrimary([
          { email: "victim@example.com", primary: true, verified: false },
          { email: "other@example.com", primary: false, verified: true },
        ]),
      ).toEqual({ email: "victim@example.com", verified: false });
    });

    it("has no address when the list is empty, unavailable or not what GitHub sends", () => {
      for (const emails of [[], null, { message: "Requires authentication" }, [{ email: "x@example.com", primary: "yes", verified: true }]]) {
        expect(githubVerifiedPrimary(emails)).toEqual({ email: null, verified: false });
      }
    });

    it("uses GitHub's numeric id as the subject", () => {
      expect(identityFrom("github", { sub: 583231, email: "octo@example.com", email_verified: true, name: "The Octocat" })).toMatchObject({
        providerAccountId: "583231",
        emailVerified: true,
      });
    });
  });

  describe("OIDC providers (Google, the generic one): email_verified, strictly", () => {
    const google = (claims: Record<string, unknown>) => identityFrom("google", { sub: "1234567890", ...claims });

    it("trusts an address only with email_verified: true", () => {
      expect(google({ email: "ann@gmail.com", email_verified: true })).toMatchObject({ email: "ann@gmail.com", emailVerified: true });
      for (const value of [false, "true", 1, null, undefined, {}]) {
        expect(google({ email: "ann@gmail.com", email_verified: value })?.emailVerified).toBe(false);
      }
    });

    it("normalises the address as a registration does, and refuses what is not an address", () => {
      expect(google({ email: "  Ann.Lee@Example.COM ", email_verified: true })).toMatchObject({ email: "ann.lee@example.com", emailVerified: true });
      expect(google({ email: "not an address", email_verified: true })).toMatchObject({ email: null, emailVerified: false });
      expect(google({ email_verified: true })).toMatchObject({ email: null, emailVerified: false });
    });

    it("makes a clean display name: no control characters, at most 100 characters, never empty", () => {
      expect(google({ email: "ann@example.com", name: "Ann\u0000\nLee\u202e" })?.name).toBe("Ann Lee");
      expect(google({ email: "ann@example.com", name: "x".repeat(300) })?.name).toHaveLength(100);
      expect(google({ email: "ann@example.com", name: "   " })?.name).toBe("ann");
      expect(google({})?.name).toBe("Palisade user");
    });

    it("refuses a profile without a usable subject", () => {
      expect(identityFrom("google", { email: "ann@example.com" })).toBeNull();
      expect(identityFrom("google", { sub: "" })).toBeNull();
      expect(identityFrom("google", "not an object")).toBeNull();
    });

    it("requires the generic provider's ID token to come from the configured issuer", () => {
      const claims = { sub: "abc", email: "ann@example.com", email_verified: true };
      expect(identityFrom("oidc", { ...claims, iss: "https://idp.example.com" }, { oidcIssuer: "https://idp.example.com/" })).not.toBeNull();
      expect(identityFrom("oidc", { ...claims, iss: "https://evil.example.com" }, { oidcIssuer: "https://idp.example.com" })).toBeNull();
      expect(identityFrom("oidc", claims, { oidcIssuer: "https://idp.example.com" })).toBeNull();
      expect(identityFrom("oidc", { ...claims, iss: "https://idp.example.com" })).toBeNull();
    });
  });
});

describe("configured providers", () => {
  it("offers no provider when none is configured", () => {
    expect(providersFor({})).toEqual([]);
  });

  it("lists each configured provider once, in a fixed order, with ids and display names only", () => {
    expect(
      providersFor({ AUTH_OIDC_ISSUER: "https://idp.example.com", AUTH_OIDC_ID: "id", AUTH_GOOGLE_ID: "g", AUTH_GITHUB_ID: "gh", AUTH_OIDC_NAME: "Okta" }),
    ).toEqual([
      { id: "github", name: "GitHub" },
      { id: "google", name: "Google" },
      { id: "oidc", name: "Okta" },
    ]);
    expect(providersFor({ AUTH_OIDC_ISSUER: "https://idp.example.com", AUTH_OIDC_ID: "id" })).toEqual([{ id: "oidc", name: "OpenID Connect" }]);
  });

  describe("protocol checks per provider", () => {
    afterEach(() => {
      vi.unstubAllEnvs();
      vi.resetModules();
    });

    it("turns on state and PKCE everywhere, and nonce with ID-token verification for the OpenID Connect providers", async () => {
      vi.resetModules();
      for (const [name, value] of Object.entries({
        AUTH_GITHUB_ID: "gh-id",
        AUTH_GITHUB_SECRET: "gh-secret",
        AUTH_GOOGLE_ID: "g-id",
        AUTH_GOOGLE_SECRET: "g-secret",
        AUTH_OIDC_ISSUER: "https://idp.example.com",
        AUTH_OIDC_ID: "o-id",
        AUTH_OIDC_SECRET: "o-secret",
      })) {
        vi.stubEnv(name, value);
      }
      const { brokerProviders } = await import("@/lib/auth/oauth/providers");
      const summary = brokerProviders().map(({ id, checks, idToken, wellKnown }) => ({ id, checks, idToken: idToken ?? false, wellKnown }));
      expect(summary).toEqual([
        { id: "github", checks: ["pkce", "state"], idToken: false, wellKnown: undefined },
        { id: "google", checks: ["pkce", "state", "nonce"], idToken: true, wellKnown: "https://accounts.google.com/.well-known/openid-configuration" },
        { id: "oidc", checks: ["pkce", "state", "nonce"], idToken: true, wellKnown: "https://idp.example.com/.well-known/openid-configuration" },
      ]);
    });
  });
});

describe("broker configuration rules", () => {
  const deployed = {
    NODE_ENV: "production",
    APP_URL: "https://app.example.com",
    DATABASE_URL: "postgres://db.example.com/app?sslmode=require",
    TRUSTED_PROXY: "2",
    JWT_PRIVATE_KEY: "present",
    RATE_LIMIT_ALLOW_MEMORY_STORE: "single-instance",
    SMTP_URL: "smtps://smtp.example.com",
    MAIL_FROM: "no-reply@example.com",
    MFA_ENCRYPTION_KEY: "k".repeat(43),
  };
  const problems = (source: Record<string, string>) => {
    const result = parseEnv(source);
    return result.ok ? [] : result.problems;
  };

  it("refuses a deployment with a provider but no NEXTAUTH_SECRET", () => {
    expect(problems({ ...deployed, AUTH_GITHUB_ID: "id", AUTH_GITHUB_SECRET: "secret" })).toEqual([expect.stringContaining("NEXTAUTH_SECRET")]);
    expect(problems({ ...deployed, AUTH_GITHUB_ID: "id", AUTH_GITHUB_SECRET: "secret", NEXTAUTH_SECRET: "s".repeat(32) })).toEqual([]);
  });

  it("refuses a short NEXTAUTH_SECRET anywhere", () => {
    expect(problems({ NEXTAUTH_SECRET: "too-short" })).toEqual([expect.stringContaining("NEXTAUTH_SECRET")]);
  });

  it("refuses a plain-http issuer in a deployment, and an issuer with a query anywhere", () => {
    const oidc = { AUTH_OIDC_ID: "id", AUTH_OIDC_SECRET: "secret", NEXTAUTH_SECRET: "s".repeat(32) };
    expect(problems({ ...deployed, ...oidc, AUTH_OIDC_ISSUER: "http://idp.example.com" })).toEqual([expect.stringContaining("AUTH_OIDC_ISSUER")]);
    expect(problems({ ...oidc, AUTH_OIDC_ISSUER: "https://idp.example.com/?tenant=x" })).toEqual([expect.stringContaining("AUTH_OIDC_ISSUER")]);
    expect(problems({ ...oidc, AUTH_OIDC_ISSUER: "http://127.0.0.1:3590" })).toEqual([]);
  });
});
