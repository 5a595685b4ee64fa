/**
 * No open redirect at the end of a provider sign-in (lib/shared/safe-redirect.ts): a corpus of
 * hostile destinations, first against the check itself, then through a whole sign-in on PGlite
 * and Postgres, entering every way a destination can (the sign-in form, the cookie that carries
 * it, a query parameter on the callback).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redirectPolicy, safeRedirect, safeRedirectUrl } from "@/lib/shared/safe-redirect";
import { databaseKinds } from "../support/databases";
import { startOAuthApp, stopOAuthApp, uniquePerson, type OAuthApp } from "../support/oidc-app";
import { APP_ORIGIN, authorize, callback, CookieJar, signInThroughProvider, startSignIn } from "../support/oidc-flow";
import { TestOidcProvider } from "../support/oidc-provider";

/** Hostile values for a deployment at https://app.example.com; every one must be refused. */
const HOSTILE = [
  "//evil.com",
  "///evil.com",
  "////evil.com",
  "https:evil.com",
  "https:/evil.com",
  "http:\\\\evil.com",
  "/\\evil.com",
  "\\\\evil.com",
  "\\/evil.com",
  "/%5Cevil.com",
  "/%5cevil.com",
  "%2F%2Fevil.com",
  "/%2F%2Fevil.com",
  "/%2f%2fevil.com",
  "/%252F%252Fevil.com",
  "%5C%5Cevil.com",
  "/%09/evil.com",
  "/%0a/evil.com",
  "/\t/evil.com",
  "/\n/evil.com",
  "/\r\n/evil.com",
  "\t//evil.com",
  " //evil.com",
  "//evil.com\t",
  "/.//evil.com",
  "/x/..//evil.com",
  "/%2e//evil.com",
  "/a/../%2F/evil.com",
  "https://evil.com",
  "HTTPS://EVIL.COM/",
  "https://app.example.com.evil.com",
  "https://app.example.com.evil.com/dashboard",
  "https://app.example.com@evil.com",
  "https://evil.com@app.example.com",
  "https://user:pass@app.example.com/dashboard",
  "https://app.example.com:8443/dashboard",
  "http://app.example.com/dashboard",
  "https://evil.com/https://app.example.com",
  "https://app.example.com\t.evil.com",
  "https://app.example.com%2F@evil.com",
  "javascript:alert(1)",
  "JaVaScRiPt:alert(1)",
  "java\tscript:alert(1)",
  "javascript%3Aalert(1)",
  "data:text/html,<script>alert(1)</script>",
  "vbscript:msgbox(1)",
  "evil.com",
  "",
  "/" + "a".repeat(3000),
  "/%E0%A4%A",
];

/** Destinations that must survive, and where they lead. */
const ALLOWED: [string, string][] = [
  ["/dashboard", "https://app.example.com/dashboard"],
  ["/notes?page=2&sort=title#top", "https://app.example.com/notes?page=2&sort=title#top"],
  ["/notes/a%20b", "https://app.example.com/notes/a%20b"],
  ["https://app.example.com/settings", "https://app.example.com/settings"],
  ["https://APP.example.com:443/settings", "https://app.example.com/settings"],
  ["https://admin.example.com/users", "https://admin.example.com/users"],
];

const POLICY = redirectPolicy("https://app.example.com", ["https://admin.example.com"]);

describe("the redirect check", () => {
  const label = (value: string) => JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  it.each(HOSTILE.map((value) => [label(value), value]))("refuses %s", (_label, value) => {
    expect(safeRedirectUrl(value, POLICY)).toBeNull();
  });

  it.each(ALLOWED)("keeps %s", (value, expected) => {
    expect(safeRedirectUrl(value, POLICY)).toBe(expected);
  });

  it("refuses values that are not strings", () => {
    for (const value of [undefined, null, 42, ["/dashboard"], { url: "/dashboard" }]) expect(safeRedirectUrl(value, POLICY)).toBeNull();
  });

  it("the shared path check refuses dot segments that the parser turns into a protocol-relative path", () => {
    for (const value of ["/.//evil.com", "/x/..//evil.com", "/%2e//evil.com", "/%2E%2E//evil.com", "/a/../%2F/evil.com"]) {
      expect(safeRedirect(value, "FALLBACK")).toBe("FALLBACK");
    }
  });
});

let idp: TestOidcProvider;
beforeAll(async () => {
  idp = await TestOidcProvider.start();
});
afterAll(async () => {
  await idp.stop();
});

describe.each(databaseKinds())("destinations through a whole sign-in on %s", (kind) => {
  const OTHER_ORIGIN = "http://localhost:3001";
  const DEFAULT = `${APP_ORIGIN}/dashboard`;
  const FAILED = `${APP_ORIGIN}/signin?oauth=sign-in-failed`;
  // The corpus, adapted to this app's origin (http://localhost:3000). The https-to-http downgrade
  // case does not translate: plain http is this test app's real scheme.
  const hostile = HOSTILE.filter((value) => !value.startsWith("http://app.example.com")).map((value) =>
    value.replaceAll("https://app.example.com", APP_ORIGIN).replaceAll("app.example.com", "localhost:3000"),
  );
  let app: OAuthApp;

  beforeAll(async () => {
    app = await startOAuthApp(kind, idp, { CORS_ORIGINS: OTHER_ORIGIN });
  });
  afterAll(async () => {
    await stopOAuthApp(app);
  });

  /** A sign-in as a returning person, so every run ends in a session and a redirect. */
  const person = uniquePerson();
  beforeAll(() => idp.signInAs({ ...person, emailVerified: true }));

  it("sends every hostile destination from the sign-in form to the default page instead", async () => {
    const landed = new Set<string>();
    for (const value of hostile) {
      const response = await signInThroughProvider(app.broker, new CookieJar(), { callbackUrl: value });
      landed.add(response.headers.get("location") ?? "(none)");
    }
    expect([...landed]).toEqual([DEFAULT]);
  });

  it("re-checks the destination read back from next-auth's cookie, so a planted cookie cannot redirect", async () => {
    for (const value of hostile) {
      const jar = new CookieJar();
      const returned = await authorize(await startSignIn(app.broker, jar, { callbackUrl: "/notes" }));
      jar.cookies.set("__Host-next-auth.callback-url", encodeURIComponent(value));
      const location = (await callback(app.broker, returned, jar)).headers.get("location");
      // A value next-auth cannot even parse fails the sign-in; either way the browser stays here.
      expect([DEFAULT, FAILED], JSON.stringify(value)).toContain(location);
    }
  });

  it("ignores a destination in the callback's query string", async () => {
    const jar = new CookieJar();
    const returned = await authorize(await startSignIn(app.broker, jar, { callbackUrl: "/notes" }));
    returned.searchParams.set("callbackUrl", "https://evil.com");
    expect((await callback(app.broker, returned, jar)).headers.get("location")).toBe(`${APP_ORIGIN}/notes`);
  });

  it.each([
    ["/notes?page=2#top", `${APP_ORIGIN}/notes?page=2#top`],
    [`${APP_ORIGIN}/settings`, `${APP_ORIGIN}/settings`],
    [`${OTHER_ORIGIN}/welcome`, `${OTHER_ORIGIN}/welcome`],
  ])("keeps the allowed destination %s", async (value, expected) => {
    const response = await signInThroughProvider(app.broker, new CookieJar(), { callbackUrl: value });
    expect(response.headers.get("location")).toBe(expected);
  });

  it("sends refusals to this app's own sign-in page, whatever destination was asked for", async () => {
    idp.signInAs({ ...uniquePerson(), emailVerified: false });
    const response = await signInThroughProvider(app.broker, new CookieJar(), { callbackUrl: "https://evil.com" });
    expect(response.headers.get("location")).toBe(`${APP_ORIGIN}/signin?oauth=email-unverified`);
    idp.signInAs({ ...person, emailVerified: true });
  });
});
