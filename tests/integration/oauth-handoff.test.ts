/**
 * The hand-off from the identity broker to our session model, and the protocol checks before it,
 * through the real route handlers and a real OpenID Connect provider, on PGlite and Postgres.
 *
 * - A provider sign-in ends with exactly the cookies a password sign-in sets, and next-auth's own
 *   session cookie never exists and is never honoured (docs/decisions/032-no-next-auth-session.md).
 * - `state`, PKCE and `nonce` are enforced; a tampered, missing or replayed callback is refused
 *   and audited, and leaves no session behind.
 * - The broker serves only what a sign-in needs, takes its URL from APP_URL and never from a
 *   request header, and passes nothing of the request on to the provider unchecked.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { encode, decode } from "next-auth/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseKinds } from "../support/databases";
import { call, CookieJar } from "../support/http";
import { auditOf, BROKER_SECRET, PASSWORD, registerWithPassword, startOAuthApp, stopOAuthApp, uniquePerson, whoAmI, type OAuthApp } from "../support/oidc-app";
import { APP_ORIGIN, authorize, callBroker, callback, cookieNames, signInThroughProvider, startSignIn } from "../support/oidc-flow";
import { TestOidcProvider, TEST_CLIENT_ID } from "../support/oidc-provider";

const ACCESS = "__Host-palisade-at";
const REFRESH = "__Secure-palisade-rt";
const NEXT_AUTH_SESSION = "__Secure-next-auth.session-token";
const CALLBACK_URL = `${APP_ORIGIN}/api/auth/callback/oidc`;
const FAILED = `${APP_ORIGIN}/signin?oauth=sign-in-failed`;

let idp: TestOidcProvider;
beforeAll(async () => {
  idp = await TestOidcProvider.start();
});
afterAll(async () => {
  await idp.stop();
});

/** A cookie's attributes without its value, for comparing two sign-ins' cookies. */
function attributesOf(response: Response, name: string): string | undefined {
  const header = response.headers.getSetCookie().find((cookie) => cookie.startsWith(`${name}=`));
  return header
    ?.split(";")
    .slice(1)
    .map((part) => part.trim())
    .filter((part) => !part.startsWith("Max-Age"))
    .sort()
    .join("; ");
}

describe.each(databaseKinds())("identity broker hand-off on %s", (kind) => {
  let app: OAuthApp;

  beforeAll(async () => {
    app = await startOAuthApp(kind, idp);
  });
  afterAll(async () => {
    await stopOAuthApp(app);
  });

  /** The number of users and sessions, to prove a refused callback created neither. */
  async function counts() {
    return { users: await app.db.user.count(), sessions: await app.db.session.count() };
  }

  async function lastRefusal() {
    const event = await app.db.auditEvent.findFirst({ where: { type: "oauth.sign_in_refused" }, orderBy: { createdAt: "desc" }, select: { details: true } });
    return event?.details;
  }

  describe("ending in our token pair", () => {
    it("sets the same two cookies as a password sign-in, with the same attributes", async () => {
      const person = uniquePerson();
      idp.signInAs({ ...person, emailVerified: true });
      const viaProvider = await signInThroughProvider(app.broker, new CookieJar());

      const { email } = uniquePerson();
      await registerWithPassword(app, email);
      const viaPassword = await call(app.login, { body: { email, password: PASSWORD } });
      expect(viaPassword.status).toBe(200);

      for (const name of [ACCESS, REFRESH]) {
        expect(attributesOf(viaProvider, name)).toBeDefined();
        expect(attributesOf(viaProvider, name)).toBe(attributesOf(viaPassword, name));
      }
      expect(viaProvider.headers.get("cache-control")).toBe("no-store");
    });

    it("never sets next-auth's session cookie at any step of a sign-in", async () => {
      idp.signInAs({ ...uniquePerson(), emailVerified: true });
      const jar = new CookieJar();
      const seen: string[] = [];
      const csrf = await callBroker(app.broker, "/api/auth/csrf", { jar });
      seen.push(...cookieNames(csrf).set);
      const { csrfToken } = (await csrf.json()) as { csrfToken: string };
      const started = await callBroker(app.broker, "/api/auth/signin/oidc", { form: { csrfToken, json: "true" }, jar });
      seen.push(...cookieNames(started).set);
      const finished = await callback(app.broker, await authorize(((await started.json()) as { url: string }).url), jar);
      seen.push(...cookieNames(finished).set);

      expect(seen).toEqual(expect.arrayContaining([ACCESS, REFRESH]));
      expect(seen.filter((name) => name.includes("session-token"))).toEqual([]);
    });

    it("does not accept a genuine next-auth session token as authorization anywhere", async () => {
      const person = uniquePerson();
      idp.signInAs({ ...person, emailVerified: true });
      const jar = new CookieJar();
      await signInThroughProvider(app.broker, jar);
      const userId = (await whoAmI(app, jar))!;

      // What next-auth would have issued for this user, made with the broker's own secret.
      const token = await encode({ token: { sub: userId, email: person.email, name: person.name }, secret: BROKER_SECRET });
      expect((await decode({ token, secret: BROKER_SECRET }))?.sub).toBe(userId);
      const attacker = new CookieJar();
      attacker.cookies.set(NEXT_AUTH_SESSION, token);
      attacker.cookies.set("next-auth.session-token", token);

      expect((await call(app.me, { jar: attacker })).status).toBe(401);
      expect((await call(app.me, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
      expect((await callBroker(app.broker, "/api/auth/session", { jar: attacker })).status).toBe(404);
      expect((await call(app.addPassword, { body: { newPassword: "a brand new long passphrase" }, jar: attacker })).status).toBe(401);
    });

    it("expires a next-auth session cookie that a browser presents at the callback", async () => {
      idp.signInAs({ ...uniquePerson(), emailVerified: true });
      const jar = new CookieJar();
      jar.cookies.set(NEXT_AUTH_SESSION, "left-over");
      const response = await signInThroughProvider(app.broker, jar);
      expect(cookieNames(response).cleared).toContain(NEXT_AUTH_SESSION);
      expect(jar.cookies.has(NEXT_AUTH_SESSION)).toBe(false);
    });
  });

  describe("protocol checks before the hand-off", () => {
    it("refuses a callback whose state was tampered with, and opens no session", async () => {
      idp.signInAs({ ...uniquePerson(), emailVerified: true });
      const before = await counts();
      idp.onNextAuthorizeRedirect((url) => url.searchParams.set("state", "attacker-chosen-state"));
      const response = await signInThroughProvider(app.broker, new CookieJar());
      expect(response.headers.get("location")).toBe(FAILED);
      expect(cookieNames(response).set).toEqual([]);
      expect(await counts()).toEqual(before);
      expect(await lastRefusal()).toEqual({ provider: "oidc", reason: "callback_rejected" });
    });

    it("refuses a callback without a state parameter", async () => {
      idp.signInAs({ ...uniquePerson(), emailVerified: true });
      const before = await counts();
      idp.onNextAuthorizeRedirect((url) => url.searchParams.delete("state"));
      const response = await signInThroughProvider(app.broker, new CookieJar());
      expect(response.headers.get("location")).toBe(FAILED);
      expect(cookieNames(response).set).toEqual([]);
      expect(await counts()).toEqual(before);
    });

    it("refuses a callback in a browser that did not start the sign-in (login CSRF, code injection)", async () => {
      idp.signInAs({ ...uniquePerson(), emailVerified: true });
      const before = await counts();
      // The attacker starts a sign-in with their own account and sends the callback link to a victim.
      const attackerCallback = await authorize(await startSignIn(app.broker, new CookieJar()));
      const victim = new CookieJar();
      const response = await callback(app.broker, attackerCallback, victim);
      expect(response.headers.get("location")).toBe(FAILED);
      expect(victim.cookies.has(ACCESS)).toBe(false);
      expect(await counts()).toEqual(before);
    });

    it("refuses an authorization code used a second time", async () => {
      idp.signInAs({ ...uniquePerson(), emailVerified: true });
      const jar = new CookieJar();
      const returned = await authorize(await startSignIn(app.broker, jar));
      const replay = jar.clone();
      expect((await callback(app.broker, returned, jar)).headers.get("location")).toBe(`${APP_ORIGIN}/dashboard`);
      const again = await callback(app.broker, returned, replay);
      expect(again.headers.get("location")).toBe(FAILED);
      expect(cookieNames(again).set).toEqual([]);
    });

    it.each([
      ["a nonce from another sign-in", (claims: Record<string, unknown>) => void (claims.nonce = "nonce-from-another-flow")],
      ["no nonce", (claims: Record<string, unknown>) => void delete claims.nonce],
      ["another issuer", (claims: Record<string, unknown>) => void (claims.iss = "https://evil.example")],
      ["another client as audience", (claims: Record<string, unknown>) => void (claims.aud = "someone-elses-client")],
      ["an expiry in the past", (claims: Record<string, unknown>) => void (claims.exp = Math.floor(Date.now() / 1000) - 3600)],
    ])("refuses an ID token with %s", async (_label, tamper) => {
      idp.signInAs({ ...uniquePerson(), emailVerified: true });
      const before = await counts();
      idp.onNextIdToken(tamper);
      const response = await signInThroughProvider(app.broker, new CookieJar());
      expect(response.headers.get("location")).toBe(FAILED);
      expect(cookieNames(response).set).toEqual([]);
      expect(await counts()).toEqual(before);
    });

    it("refuses a provider whose discovery document names an issuer other than AUTH_OIDC_ISSUER (mix-up)", async () => {
      idp.signInAs({ ...uniquePerson(), emailVerified: true });
      const before = await counts();
      idp.announceIssuer(`http://localhost:${new URL(idp.issuer).port}`);
      try {
        const response = await signInThroughProvider(app.broker, new CookieJar());
        expect(response.headers.get("location")).toBe(FAILED);
        expect(cookieNames(response).set).toEqual([]);
      } finally {
        idp.announceIssuer(null);
      }
      expect(await counts()).toEqual(before);
      expect(await lastRefusal()).toEqual({ provider: "oidc", reason: "issuer_mismatch" });
    });

    it("reports a sign-in cancelled at the provider, and audits it", async () => {
      idp.onNextAuthorizeRedirect((url) => {
        url.searchParams.delete("code");
        url.searchParams.set("error", "access_denied");
      });
      const response = await signInThroughProvider(app.broker, new CookieJar());
      expect(response.headers.get("location")).toBe(`${APP_ORIGIN}/signin?oauth=provider-denied`);
      expect(await lastRefusal()).toEqual({ provider: "oidc", reason: "provider_error" });
    });
  });

  describe("starting a sign-in", () => {
    it("starts from a link on our own page with no script, and the flow completes", async () => {
      idp.signInAs({ ...uniquePerson(), emailVerified: true });
      const jar = new CookieJar();
      const started = await callBroker(app.broker, "/api/auth/signin/oidc?next=%2Fnotes", { jar, headers: { "sec-fetch-site": "same-origin" } });
      expect(started.status).toBe(302);
      const authorization = new URL(started.headers.get("location")!);
      expect(authorization.origin).toBe(new URL(idp.issuer).origin);
      expect(authorization.searchParams.get("redirect_uri")).toBe(CALLBACK_URL);
      // The flow's own cookies only: the CSRF pair made for the internal call stays internal.
      expect(cookieNames(started).set.sort()).toEqual([
        "__Host-next-auth.callback-url",
        "__Host-next-auth.nonce",
        "__Host-next-auth.pkce.code_verifier",
        "__Host-next-auth.state",
      ]);
      const finished = await callback(app.broker, await authorize(authorization.toString()), jar);
      expect(finished.headers.get("location")).toBe(`${APP_ORIGIN}/notes`);
      expect(cookieNames(finished).set).toEqual(expect.arrayContaining([ACCESS, REFRESH]));
    });

    it("refuses to start from another site's link or a sibling subdomain's (Fetch Metadata), and sets no cookie", async () => {
      const refused: Record<string, string>[] = [
        { "sec-fetch-site": "cross-site" },
        { "sec-fetch-site": "same-site" },
        {},
        { referer: "https://evil.example/page" },
        { referer: `${APP_ORIGIN}.evil.example/` },
      ];
      for (const headers of refused) {
        const response = await callBroker(app.broker, "/api/auth/signin/oidc", { headers });
        expect({ headers, status: response.status, cookies: cookieNames(response).set }).toEqual({ headers, status: 403, cookies: [] });
      }
      // A typed or bookmarked address (`none`), and an older browser that sends our own Referer.
      const accepted: Record<string, string>[] = [{ "sec-fetch-site": "none" }, { referer: `${APP_ORIGIN}/signin` }];
      for (const headers of accepted) {
        expect((await callBroker(app.broker, "/api/auth/signin/oidc", { headers })).status).toBe(302);
      }
    });

    it("accepts nothing but `next` when starting from a link", async () => {
      const response = await callBroker(app.broker, "/api/auth/signin/oidc?next=%2Fnotes&prompt=none", { headers: { "sec-fetch-site": "same-origin" } });
      expect(response.status).toBe(400);
      expect(cookieNames(response).set).toEqual([]);
    });

    it("refuses to start without next-auth's CSRF token, or with one that is not this browser's", async () => {
      const jar = new CookieJar();
      const csrf = await callBroker(app.broker, "/api/auth/csrf", { jar });
      const { csrfToken } = (await csrf.json()) as { csrfToken: string };
      const otherBrowser = new CookieJar();
      const { csrfToken: attackersToken } = (await (await callBroker(app.broker, "/api/auth/csrf", { jar: otherBrowser })).json()) as { csrfToken: string };

      const forms: Record<string, string>[] = [{ json: "true" }, { csrfToken: attackersToken, json: "true" }, { csrfToken: `${csrfToken}x`, json: "true" }];
      for (const form of forms) {
        const response = await callBroker(app.broker, "/api/auth/signin/oidc", { form, jar: jar.clone() });
        expect(response.status).toBe(403);
        expect(cookieNames(response).set.filter((name) => name.includes("state"))).toEqual([]);
      }
    });

    it("passes no query parameter and no extra field on to the provider's authorization request", async () => {
      const jar = new CookieJar();
      const { csrfToken } = (await (await callBroker(app.broker, "/api/auth/csrf", { jar })).json()) as { csrfToken: string };
      const started = await callBroker(app.broker, "/api/auth/signin/oidc?redirect_uri=https://evil.example/cb&prompt=none&scope=admin", {
        form: { csrfToken, json: "true" },
        jar,
      });
      const url = new URL(((await started.json()) as { url: string }).url);
      expect(url.searchParams.get("redirect_uri")).toBe(CALLBACK_URL);
      expect(url.searchParams.get("prompt")).toBeNull();
      expect(url.searchParams.get("scope")).toBe("openid email profile");
      expect(url.searchParams.get("client_id")).toBe(TEST_CLIENT_ID);
      expect(url.searchParams.get("code_challenge_method")).toBe("S256");
      expect(url.searchParams.get("state")).toMatch(/^[A-Za-z0-9_-]{40,}$/);
      expect(url.searchParams.get("nonce")).toMatch(/^[A-Za-z0-9_-]{40,}$/);

      const extra = await callBroker(app.broker, "/api/auth/signin/oidc", { form: { csrfToken, json: "true", redirect_uri: "https://evil.example" }, jar });
      expect(extra.status).toBe(400);
    });

    it("takes its callback URL from APP_URL, never from the Host or X-Forwarded-Host header", async () => {
      const jar = new CookieJar();
      const headers = { host: "evil.example", "x-forwarded-host": "evil.example", "x-forwarded-proto": "https" };
      const { csrfToken } = (await (await callBroker(app.broker, "/api/auth/csrf", { jar, headers })).json()) as { csrfToken: string };
      const started = await callBroker(app.broker, "/api/auth/signin/oidc", { form: { csrfToken, json: "true" }, jar, headers });
      expect(new URL(((await started.json()) as { url: string }).url).searchParams.get("redirect_uri")).toBe(CALLBACK_URL);
    });

    it("serves only the endpoints a sign-in needs", async () => {
      for (const [method, path] of [
        ["GET", "/api/auth/session"],
        ["POST", "/api/auth/session"],
        ["GET", "/api/auth/providers"],
        ["GET", "/api/auth/signout"],
        ["POST", "/api/auth/signout"],
        ["GET", "/api/auth/verify-request"],
        ["POST", "/api/auth/_log"],
        ["POST", "/api/auth/callback/oidc"],
        ["GET", "/api/auth/callback/github"],
        ["POST", "/api/auth/signin/github"],
        ["POST", "/api/auth/signin/credentials"],
        ["GET", "/api/auth/callback/oidc/extra"],
      ] as const) {
        const handler = method === "GET" ? app.broker : app.brokerPost;
        const response = await callBroker(handler, path, { method });
        expect({ method, path, status: response.status }).toEqual({ method, path, status: 404 });
      }
      const page = await callBroker(app.broker, "/api/auth/signin");
      expect({ status: page.status, location: page.headers.get("location") }).toEqual({ status: 302, location: `${APP_ORIGIN}/signin` });
      const error = await callBroker(app.broker, "/api/auth/error?error=Configuration");
      expect(error.headers.get("location")).toBe(FAILED);
    });
  });

  it("audits a provider sign-in with the session it opened", async () => {
    idp.signInAs({ ...uniquePerson(), emailVerified: true });
    const jar = new CookieJar();
    await signInThroughProvider(app.broker, jar);
    const userId = (await whoAmI(app, jar))!;
    const [signedIn] = await auditOf(app, { type: "oauth.signed_in", userId });
    const session = await app.db.session.findFirst({ where: { userId }, select: { id: true } });
    expect(signedIn).toMatchObject({ actorId: userId, targetId: session!.id });
  });
});

describe("where next-auth may be used", () => {
  it("no module outside lib/auth/oauth imports next-auth, so nothing else can read its session", () => {
    const root = path.resolve(import.meta.dirname, "../..");
    const offenders: string[] = [];
    const visit = (dir: string) => {
      for (const entry of readdirSync(dir)) {
        const full = path.join(dir, entry);
        if (statSync(full).isDirectory()) {
          if (!["node_modules", "generated"].includes(entry) && !entry.startsWith(".")) visit(full);
        } else if (/\.(ts|tsx|mts)$/.test(entry) && /from\s+["']next-auth|require\(["']next-auth/.test(readFileSync(full, "utf8"))) {
          offenders.push(path.relative(root, full));
        }
      }
    };
    for (const dir of ["app", "lib", "components"]) visit(path.join(root, dir));
    for (const file of ["middleware.ts", "proxy.ts"]) {
      const full = path.join(root, file);
      if (statSync(full, { throwIfNoEntry: false })?.isFile() && /next-auth/.test(readFileSync(full, "utf8"))) offenders.push(file);
    }
    expect(offenders.filter((file) => !file.startsWith(path.join("lib", "auth", "oauth") + path.sep))).toEqual([]);
  });
});
