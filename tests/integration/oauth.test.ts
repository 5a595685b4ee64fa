/**
 * The OAuth 2.0 client credentials grant end to end (RFC 6749 §4.4), on PGlite and Postgres:
 * a token is issued and is exactly what the contract says, its scope is enforced, and every way
 * of getting it wrong (bad secret, unknown client, disabled client, wrong grant, two auth methods,
 * parameters in the URL or repeated) gets the right §5.2 error and issues nothing.
 */
import { decodeJwt, decodeProtectedHeader } from "jose";
import { beforeEach, describe, expect, it } from "vitest";
import { databaseKinds } from "../support/databases";
import { call } from "../support/http";
import { integrationSuite } from "../support/app";
import { basicAuth, type ClientFixture, type World } from "../support/authz-world";
import { OAuthErrorSchema, TokenResponseSchema } from "../support/response-schemas";

const TOKEN_URL = "http://localhost:3000/api/oauth/token";
const FORM = { "content-type": "application/x-www-form-urlencoded" };

describe.each(databaseKinds())("client credentials on %s", (kind) => {
  const suite = integrationSuite(kind);
  let world: World;
  let reporter: ClientFixture;

  beforeEach(async () => {
    await suite.kit.reset();
    world = await suite.kit.build();
    reporter = world.withScope;
  });

  function requestToken(body: string, headers: Record<string, string> = {}, url = TOKEN_URL) {
    return call(suite.routes.token, { method: "POST", body, headers: { ...FORM, ...headers }, url });
  }

  const basic = (client: { clientId: string; clientSecret: string }) => ({ authorization: basicAuth(client.clientId, client.clientSecret) });

  async function expectOAuthError(response: Response, status: number, error: string) {
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = OAuthErrorSchema.parse(await response.json());
    expect(body.error).toBe(error);
    if (status === 401) expect(response.headers.get("www-authenticate")).toBe('Basic realm="palisade"');
    return body;
  }

  async function issuedTokens() {
    return suite.kit.db.auditEvent.count({ where: { type: "client.token_issued" } });
  }

  describe("issuing", () => {
    it("issues a service token over HTTP Basic: role service, the granted scope, sub and sid the client id, no refresh token, never cached", async () => {
      const response = await requestToken("grant_type=client_credentials", basic(reporter));
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(response.headers.get("pragma")).toBe("no-cache");
      expect(response.headers.getSetCookie()).toEqual([]);
      const body = TokenResponseSchema.parse(await response.json());
      expect(body).toMatchObject({ token_type: "Bearer", expires_in: 900, scope: "reports:read" });
      expect(decodeProtectedHeader(body.access_token)).toMatchObject({ alg: "RS256", typ: "at+jwt" });
      const claims = decodeJwt(body.access_token);
      expect(claims).toMatchObject({ role: "service", sub: reporter.clientId, sid: reporter.clientId, scope: "reports:read", aud: "palisade-api" });
      expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(900);
      expect(await suite.kit.db.auditEvent.count({ where: { type: "client.token_issued", actorId: reporter.clientId } })).toBe(1);
    });

    it("issues the same token with client_secret_post", async () => {
      const response = await requestToken(
        `grant_type=client_credentials&client_id=${reporter.clientId}&client_secret=${reporter.clientSecret}&scope=reports%3Aread`,
      );
      expect(response.status).toBe(200);
      expect(TokenResponseSchema.parse(await response.json()).scope).toBe("reports:read");
    });

    it("ignores unknown parameters (RFC 6749 §3.2), which cannot change who the token is for or what it may do", async () => {
      const response = await requestToken("grant_type=client_credentials&role=admin&sub=someone&scope=reports%3Aread&audience=other", basic(reporter));
      const claims = decodeJwt(TokenResponseSchema.parse(await response.json()).access_token);
      expect(claims).toMatchObject({ role: "service", sub: reporter.clientId, aud: "palisade-api", scope: "reports:read" });
    });
  });

  describe("the token reaches its scope's routes and nothing else", () => {
    async function tokenFor(client: ClientFixture, scope?: string) {
      const response = await requestToken(`grant_type=client_credentials${scope === undefined ? "" : `&scope=${scope}`}`, basic(client));
      return TokenResponseSchema.parse(await response.json()).access_token;
    }

    it("reads the note report, and is refused by every person's and admin's route", async () => {
      const bearer = { authorization: `Bearer ${await tokenFor(reporter)}` };
      const report = await call(suite.routes.noteReport, { headers: bearer, url: "http://localhost:3000/api/reports/notes" });
      expect(report.status).toBe(200);
      expect(await report.json()).toMatchObject({ totalNotes: 2, usersWithNotes: 2 });
      for (const [name, handler, status] of [
        ["notes", suite.routes.listNotes, 403],
        ["admin users", suite.routes.listUsers, 403],
        ["audit", suite.routes.listAudit, 403],
        ["clients", suite.routes.listClients, 403],
        ["me", suite.routes.me, 401],
        ["sessions", suite.routes.sessions, 401],
      ] as const) {
        expect((await call(handler, { headers: bearer, url: "http://localhost:3000/api/x" })).status, name).toBe(status);
      }
    });

    it("a 403 for a missing scope says nothing about which scope was missing", async () => {
      const response = await call(suite.routes.noteReport, {
        headers: { authorization: `Bearer ${world.withoutScope.accessToken}` },
        url: "http://localhost:3000/api/reports/notes",
      });
      expect(response.status).toBe(403);
      expect(response.headers.get("www-authenticate")).toBeNull();
      expect(await response.text()).not.toMatch(/reports|scope/i);
    });

    it("a scope withdrawn from the client stops working at once, though the token still carries it", async () => {
      const bearer = { authorization: `Bearer ${await tokenFor(reporter)}` };
      await suite.kit.db.serviceClient.update({ where: { clientId: reporter.clientId }, data: { scopes: [] } });
      expect((await call(suite.routes.noteReport, { headers: bearer, url: "http://localhost:3000/api/reports/notes" })).status).toBe(403);
    });

    it("a deleted client's token is refused", async () => {
      const bearer = { authorization: `Bearer ${await tokenFor(reporter)}` };
      await suite.kit.db.serviceClient.delete({ where: { clientId: reporter.clientId } });
      expect((await call(suite.routes.noteReport, { headers: bearer, url: "http://localhost:3000/api/reports/notes" })).status).toBe(401);
    });

    it("a service token whose sid is not its client id was not minted here, and is refused", async () => {
      const { signAccessToken } = await import("@/lib/auth/tokens");
      const { token } = await signAccessToken({ sub: reporter.clientId, role: "service", sid: world.userA.sessionId, scope: "reports:read" });
      const response = await call(suite.routes.noteReport, { headers: { authorization: `Bearer ${token}` }, url: "http://localhost:3000/api/reports/notes" });
      expect(response.status).toBe(401);
    });
  });

  describe("scope", () => {
    it("omitted: every granted scope; requested: exactly that subset", async () => {
      expect(TokenResponseSchema.parse(await (await requestToken("grant_type=client_credentials", basic(reporter))).json()).scope).toBe("reports:read");
      const repeated = await requestToken("grant_type=client_credentials&scope=reports%3Aread+reports%3Aread", basic(reporter));
      expect(TokenResponseSchema.parse(await repeated.json()).scope).toBe("reports:read");
    });

    it.each([
      ["a scope the client was not granted", (world) => ["grant_type=client_credentials&scope=reports%3Aread", world.withoutScope]],
      ["an unknown scope", (world) => ["grant_type=client_credentials&scope=admin", world.withScope]],
      ["a granted scope plus another", (world) => ["grant_type=client_credentials&scope=reports%3Aread+users%3Awrite", world.withScope]],
      ["a malformed scope list", (world) => ["grant_type=client_credentials&scope=reports%3Aread++", world.withScope]],
      ["an empty scope", (world) => ["grant_type=client_credentials&scope=", world.withScope]],
      ["no scope, from a client that holds none", (world) => ["grant_type=client_credentials", world.withoutScope]],
    ] as [string, (world: World) => [string, ClientFixture]][])("refuses %s with invalid_scope and issues nothing", async (_what, make) => {
      const [body, client] = make(world);
      await expectOAuthError(await requestToken(body, basic(client)), 400, "invalid_scope");
      expect(await issuedTokens()).toBe(0);
    });
  });

  describe("client authentication", () => {
    it("refuses a bad secret, an unknown client and a disabled client with the same invalid_client answer", async () => {
      await suite.kit.db.serviceClient.update({ where: { clientId: world.withoutScope.clientId }, data: { disabledAt: new Date() } });
      const answers = [];
      for (const credentials of [
        { clientId: reporter.clientId, clientSecret: "A".repeat(43) },
        { clientId: "unknownclient000000000", clientSecret: reporter.clientSecret },
        world.withoutScope,
      ]) {
        const body = await expectOAuthError(await requestToken("grant_type=client_credentials", basic(credentials)), 401, "invalid_client");
        answers.push(body);
      }
      expect(answers[1]).toEqual(answers[0]);
      expect(answers[2]).toEqual(answers[0]);
      expect(await issuedTokens()).toBe(0);
      // The log tells the operator which it was; a guessed id that names no client is not recorded.
      const failures = await suite.kit.db.auditEvent.findMany({ where: { type: "client.auth_failed" }, orderBy: { createdAt: "asc" } });
      expect(failures.map((event) => [event.targetId, (event.details as { reason: string }).reason])).toEqual([
        [reporter.clientId, "bad_secret"],
        [null, "unknown_client"],
        [world.withoutScope.clientId, "disabled"],
      ]);
    });

    it("refuses the right secret for a different client", async () => {
      await expectOAuthError(
        await requestToken("grant_type=client_credentials", basic({ clientId: world.withoutScope.clientId, clientSecret: reporter.clientSecret })),
        401,
        "invalid_client",
      );
    });

    it("refuses a request with no client authentication, or with a bearer token instead", async () => {
      await expectOAuthError(await requestToken("grant_type=client_credentials"), 401, "invalid_client");
      await expectOAuthError(await requestToken("grant_type=client_credentials", { authorization: `Bearer ${reporter.accessToken}` }), 401, "invalid_client");
      await expectOAuthError(await requestToken(`grant_type=client_credentials&client_id=${reporter.clientId}`), 401, "invalid_client");
    });

    it("refuses two authentication methods at once (RFC 6749 §2.3), even when both are right", async () => {
      await expectOAuthError(
        await requestToken(`grant_type=client_credentials&client_secret=${reporter.clientSecret}`, basic(reporter)),
        400,
        "invalid_request",
      );
      await expectOAuthError(
        await requestToken(`grant_type=client_credentials&client_id=${world.withoutScope.clientId}`, basic(reporter)),
        400,
        "invalid_request",
      );
      expect(await issuedTokens()).toBe(0);
    });

    it("refuses malformed Basic credentials", async () => {
      for (const authorization of ["Basic !!!", "Basic " + Buffer.from("no-colon").toString("base64"), "Basic " + Buffer.from("a:%zz").toString("base64")]) {
        await expectOAuthError(await requestToken("grant_type=client_credentials", { authorization }), 401, "invalid_client");
      }
    });
  });

  describe("grant type and request shape", () => {
    it.each([
      ["password", "unsupported_grant_type"],
      ["authorization_code", "unsupported_grant_type"],
      ["refresh_token", "unsupported_grant_type"],
      ["", "invalid_request"],
    ])("grant_type=%s → %s", async (grantType, error) => {
      await expectOAuthError(await requestToken(`grant_type=${grantType}`, basic(reporter)), 400, error);
      expect(await issuedTokens()).toBe(0);
    });

    it("a missing grant_type is invalid_request", async () => {
      await expectOAuthError(await requestToken("scope=reports%3Aread", basic(reporter)), 400, "invalid_request");
    });

    it.each([
      ["a repeated parameter (parameter pollution)", "grant_type=client_credentials&grant_type=password", FORM],
      ["a repeated scope", "grant_type=client_credentials&scope=reports%3Aread&scope=admin", FORM],
      ["a __proto__ parameter", "grant_type=client_credentials&__proto__=x", FORM],
      ["a constructor parameter", "grant_type=client_credentials&constructor=x", FORM],
      ["a JSON body", '{"grant_type":"client_credentials"}', { "content-type": "application/json" }],
      ["a body over 8 KiB", `grant_type=client_credentials&pad=${"x".repeat(9000)}`, FORM],
    ])("refuses %s with invalid_request, and issues nothing", async (_what, body, headers) => {
      const response = await call(suite.routes.token, { method: "POST", body, headers: { ...headers, ...basic(reporter) }, url: TOKEN_URL });
      await expectOAuthError(response, 400, "invalid_request");
      expect(await issuedTokens()).toBe(0);
    });

    it("refuses credentials in the URL: a secret there ends up in logs", async () => {
      const response = await requestToken(
        "grant_type=client_credentials",
        {},
        `${TOKEN_URL}?client_id=${reporter.clientId}&client_secret=${reporter.clientSecret}`,
      );
      await expectOAuthError(response, 400, "invalid_request");
    });
  });

  it("never writes a secret or a token to the audit log", async () => {
    const issued = TokenResponseSchema.parse(await (await requestToken("grant_type=client_credentials", basic(reporter))).json());
    await requestToken("grant_type=client_credentials", basic({ clientId: reporter.clientId, clientSecret: "B".repeat(43) }));
    const log = JSON.stringify(await suite.kit.db.auditEvent.findMany());
    expect(log).not.toContain(reporter.clientSecret);
    expect(log).not.toContain("B".repeat(43));
    expect(log).not.toContain(issued.access_token);
    expect(log).not.toContain(issued.access_token.split(".")[2]);
  });
});
