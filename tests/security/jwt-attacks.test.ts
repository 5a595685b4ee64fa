/**
 * The JWT attack corpus (tests/security/support/jwt-corpus.ts) against the running production
 * build: every attack token, as `Authorization: Bearer` and as the access cookie, at `GET /api/me`
 * and at the admin route `GET /api/admin/users`, must be answered 401: never a 2xx (the attack
 * worked) and never a 5xx (the attack found a crash). A listener counts requests to the URLs the
 * tokens name (`jku`, `x5u`, a URL `kid` or issuer): the app must never call it.
 *
 * Every token names the suite's admin, with the real subject and a live session, and a control
 * test shows that the same claims, honestly signed, do get in: each refusal below is caused by
 * the attack alone.
 *
 * Oversized tokens: the verifier refuses anything over 4 KiB with 401 before parsing, but a 16 KiB
 * or 1 MiB token never reaches it, because Node's HTTP parser refuses request headers over 16 KiB
 * with 431 (or closes the connection). Both count as refused for that group only: what matters
 * is that the answer is neither a 2xx nor a 5xx, and that the app never parses the token.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAddress } from "./support/buckets";
import { Client, securityTarget, signInAdmin, signUp, createAdmin, type Account } from "./support/client";
import { formatCount, printSummary, recordFigure } from "./support/figures";
import { buildCorpus, genuineToken, GROUP_THREATS, type AttackGroup, type GroupId } from "./support/jwt-corpus";
import { startCountingListener, type CountingListener } from "./support/listener";

const ROUTES = ["/api/me", "/api/admin/users"] as const;
const TRANSPORTS = ["bearer", "cookie"] as const;
const target = securityTarget();
// This family's client address; the other families use other ones.
const IP = runAddress(target.run, 10);

/** The status of a request, or 0 when the server closed the connection without answering. */
async function statusOf(client: Client, path: string, token: string, via: "bearer" | "cookie"): Promise<number> {
  // A transport error is no verdict on the token: a pooled connection the server had just closed
  // (after refusing an oversized request on it) fails the next request sent on it. So one retry;
  // a server that closes the connection on this very token again is counted as status 0.
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await client.request(path, { token, via, cookies: false });
      await response.arrayBuffer();
      return response.status;
    } catch {
      if (attempt === 1) return 0;
    }
  }
}

describe("JWT attack corpus", () => {
  let listener: CountingListener;
  let admin: Account;
  let groups: AttackGroup[];
  const tally = { tokens: 0, refused: 0, requests: 0 };

  beforeAll(async () => {
    listener = await startCountingListener();
    admin = await signInAdmin(new Client(IP));
    groups = await buildCorpus({
      privateKeyPem: target.privateKeyPem,
      admin: { iss: target.url, sub: admin.id, sid: admin.sessionId, role: "admin" },
      refreshToken: admin.client.refreshToken,
      listenerUrl: listener.url,
    });
  });

  afterAll(async () => {
    await listener.close();
    recordFigure("jwt-attacks", {
      passed: tally.refused,
      total: tally.tokens,
      unit: "attack tokens rejected",
      detail: { requests: tally.requests, routes: ROUTES.join(" "), transports: TRANSPORTS.join(" "), outboundHits: listener.hits.length },
    });
    printSummary(
      `JWT attacks: ${formatCount(tally.refused)}/${formatCount(tally.tokens)} rejected (${formatCount(tally.requests)} requests, ${listener.hits.length} outbound fetches)`,
    );
  });

  /** Sends `token` every way to every route; returns the combinations that were not refused. */
  async function attempt(token: string, refusedWith: readonly number[]): Promise<string[]> {
    const wrong: string[] = [];
    for (const route of ROUTES) {
      for (const via of TRANSPORTS) {
        const status = await statusOf(admin.client, route, token, via);
        tally.requests++;
        if (!refusedWith.includes(status)) wrong.push(`${via} ${route} → ${status}`);
      }
    }
    return wrong;
  }

  it("[jwt.control] an honestly signed token with the same claims is accepted on both routes, both ways", async () => {
    const token = await genuineToken(target.privateKeyPem, { iss: target.url, sub: admin.id, sid: admin.sessionId, role: "admin" });
    for (const route of ROUTES) {
      for (const via of TRANSPORTS) expect(await statusOf(admin.client, route, token, via), `${via} ${route}`).toBe(200);
    }
  });

  // The corpus is built in beforeAll (it needs the admin's live session), so the tests are
  // declared from its static list of groups, and one test checks the two agree.
  const GROUP_IDS = Object.keys(GROUP_THREATS) as GroupId[];

  it("[jwt.corpus-complete] the corpus holds exactly the groups this file runs", () => {
    expect(groups.map((group) => group.id)).toEqual(GROUP_IDS);
  });

  for (const id of GROUP_IDS) {
    const group = () => groups.find((candidate) => candidate.id === id) as AttackGroup;
    it(`[jwt.${id}] ${GROUP_THREATS[id]}`, async () => {
      const failures: string[] = [];
      for (const { name, token } of group().tokens) {
        const wrong = await attempt(token, [401, ...(group().alsoRefusedWith ?? [])]);
        tally.tokens++;
        if (wrong.length === 0) tally.refused++;
        else failures.push(`${name}: ${wrong.join(", ")}`);
      }
      expect(failures, group().threat).toEqual([]);
    });
  }

  it("[jwt.no-outbound-fetch] no token made the app fetch a URL it carried (jku, x5u, kid, iss)", async () => {
    expect(await listener.settle()).toEqual([]);
  });

  it("[jwt.query-string] a valid token in the query string is ignored (401), whatever the parameter name", async () => {
    const anonymous = new Client(IP);
    const token = admin.client.accessToken;
    const failures: string[] = [];
    for (const name of ["access_token", "token", "jwt", "authorization", "__Host-palisade-at", "id_token"]) {
      for (const route of ROUTES) {
        const value = name === "authorization" ? `Bearer ${token}` : token;
        const response = await anonymous.request(`${route}?${name}=${encodeURIComponent(value)}`);
        tally.tokens++;
        tally.requests++;
        if (response.status === 401) tally.refused++;
        else failures.push(`${route}?${name}= → ${response.status}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("[jwt.bearer-no-fallback] a bad Bearer token is refused even when a valid access cookie comes with it", async () => {
    for (const authorization of ["Bearer not.a.token", "Bearer", "Basic YWRtaW46YWRtaW4=", `bearer ${admin.client.accessToken}`]) {
      const response = await admin.client.request("/api/me", { headers: { authorization } });
      tally.tokens++;
      tally.requests++;
      if (response.status === 401) tally.refused++;
      expect(response.status, authorization.slice(0, 20)).toBe(401);
    }
  });

  describe("a validly signed, unexpired token whose session is gone", () => {
    /** The token, then the statuses of `path` before and after `end` ran. */
    async function beforeAndAfter(account: Account, path: string, end: () => Promise<void>): Promise<[number, number]> {
      const token = account.client.accessToken;
      const before = await statusOf(account.client, path, token, "bearer");
      await end();
      const after = await statusOf(account.client, path, token, "bearer");
      const cookieAfter = await statusOf(account.client, path, token, "cookie");
      tally.tokens++;
      tally.requests += 3;
      if (after === 401 && cookieAfter === 401) tally.refused++;
      expect(cookieAfter).toBe(after);
      return [before, after];
    }

    it("[jwt.deleted-user] is refused once the user deleted the account", async () => {
      const user = await signUp(new Client(IP), "deleted");
      const statuses = await beforeAndAfter(user, "/api/me", async () => {
        const deleted = await user.client.request("/api/me", {
          method: "DELETE",
          body: { password: user.password },
          cookies: false,
          token: user.client.accessToken,
        });
        expect(deleted.status).toBe(204);
      });
      expect(statuses).toEqual([200, 401]);
    });

    it("[jwt.disabled-user] is refused once an admin disabled the account", async () => {
      const user = await signUp(new Client(IP), "disabled");
      const statuses = await beforeAndAfter(user, "/api/me", async () => {
        expect((await admin.client.request(`/api/admin/users/${user.id}`, { method: "PATCH", body: { disabled: true } })).status).toBe(200);
      });
      expect(statuses).toEqual([200, 401]);
    });

    it("[jwt.disabled-admin] an admin's token is refused at the admin route once the account is disabled", async () => {
      const second = await createAdmin(admin, new Client(IP));
      const statuses = await beforeAndAfter(second, "/api/admin/users", async () => {
        expect((await admin.client.request(`/api/admin/users/${second.id}`, { method: "PATCH", body: { disabled: true } })).status).toBe(200);
      });
      expect(statuses).toEqual([200, 401]);
    });

    it("[jwt.logged-out] is refused once its session signed out", async () => {
      const user = await signUp(new Client(IP), "logout");
      const statuses = await beforeAndAfter(user, "/api/me", async () => {
        expect((await user.client.request("/api/auth/logout", { method: "POST" })).status).toBe(204);
      });
      expect(statuses).toEqual([200, 401]);
    });
  });
});
