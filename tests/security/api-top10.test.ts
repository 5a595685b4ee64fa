/**
 * The OWASP API Security Top 10 (2023), one or more black-box tests per category, against the
 * running production build. API7 (SSRF) and API9 (inventory) have files of their own
 * (ssrf.test.ts, inventory.test.ts); their static guards are counted here as well.
 * https://owasp.org/API-Security/editions/2023/en/0x11-t10/
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeJwt } from "jose";
import { identityFrom, githubVerifiedPrimary } from "@/lib/auth/oauth/identity";
import { assertExactShape } from "../support/response-schemas";
import { runAddress, runAddress6 } from "./support/buckets";
import { Client, newEmail, newPassword, securityTarget, signIn, signInAdmin, signUp, type Account } from "./support/client";
import { formatCount, printSummary, recordFigure } from "./support/figures";
import { AUTH_FAILURES_ALLOWED } from "./support/global-setup";
import { genuineToken } from "./support/jwt-corpus";
import { outboundCallSites, ALLOWED_OUTBOUND_CALLS } from "./support/outbound";
import { manifestIsCurrent } from "./support/manifest";
import { waitForOutboxMessage } from "../support/outbox-reader";

const target = securityTarget();
const IP = runAddress(target.run, 30);

const CATEGORIES = {
  API1: "Broken Object Level Authorization",
  API2: "Broken Authentication",
  API3: "Broken Object Property Level Authorization",
  API4: "Unrestricted Resource Consumption",
  API5: "Broken Function Level Authorization",
  API6: "Unrestricted Access to Sensitive Business Flows",
  API7: "Server Side Request Forgery",
  API8: "Security Misconfiguration",
  API9: "Improper Inventory Management",
  API10: "Unsafe Consumption of APIs",
} as const;
type Category = keyof typeof CATEGORIES;

const passed = new Map<Category, number>();
const crossUser = { denied: 0, total: 0 };

/** A test in `category`; it counts toward the category's figure only when it ran to the end. */
function check(category: Category, id: string, title: string, body: () => Promise<void> | void): void {
  it(`[${id}] ${category}: ${title}`, async () => {
    await body();
    passed.set(category, (passed.get(category) ?? 0) + 1);
  });
}

/** Every key anywhere in a JSON value. */
function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => [key, ...keysOf(inner)]);
}

const SECRET_FIELD = /hash|secret|password|salt|token|disabledAt|ownerId/i;

describe("OWASP API Security Top 10 (2023)", () => {
  let admin: Account;
  let alice: Account;
  let bob: Account;
  let aliceNote: { id: string; title: string };

  beforeAll(async () => {
    admin = await signInAdmin(new Client(IP));
    alice = await signUp(new Client(IP), "alice");
    bob = await signUp(new Client(IP), "bob");
    const created = await alice.client.request("/api/notes", { body: { title: "alice's secret", body: "for alice only" } });
    aliceNote = (await created.json()) as { id: string; title: string };
  });

  afterAll(() => {
    const total = [...passed.values()].reduce((sum, n) => sum + n, 0);
    recordFigure("api-top10", {
      passed: passed.size,
      total: Object.keys(CATEGORIES).length,
      unit: "categories covered",
      detail: { tests: total, ...Object.fromEntries([...passed].map(([category, n]) => [category, n])) },
    });
    recordFigure("cross-user", { passed: crossUser.denied, total: crossUser.total, unit: "cross-user calls denied" });
    printSummary(`API Top 10: ${passed.size} categories, ${formatCount(total)} tests passed; cross-user calls denied: ${crossUser.denied}/${crossUser.total}`);
  });

  describe("API1 object level", () => {
    /** Each call an attacker makes on an object that is not theirs: a 404 each, as if it did not exist. */
    async function expectDenied(attacker: Account, calls: [string, string, unknown?][]): Promise<void> {
      for (const [method, path, body] of calls) {
        const response = await attacker.client.request(path, { method, ...(body === undefined ? {} : { body }) });
        crossUser.total++;
        if (response.status === 404) crossUser.denied++;
        expect(response.status, `${method} ${path}`).toBe(404);
        await assertExactShape(`${method} /api/notes/{id}`, response);
      }
    }

    check("API1", "api1.note-bola", "user B cannot read, change or delete user A's note (404, as if it did not exist)", async () => {
      await expectDenied(bob, [
        ["GET", `/api/notes/${aliceNote.id}`],
        ["PATCH", `/api/notes/${aliceNote.id}`, { title: "owned by bob" }],
        ["DELETE", `/api/notes/${aliceNote.id}`],
      ]);
      const list = (await (await bob.client.request("/api/notes")).json()) as { items: { id: string }[] };
      expect(list.items.map((note) => note.id)).not.toContain(aliceNote.id);
      const still = (await (await alice.client.request(`/api/notes/${aliceNote.id}`)).json()) as { title: string };
      expect(still.title).toBe("alice's secret");
    });

    check("API1", "api1.admin-cannot-read-notes", "an admin cannot read, change or delete a user's note either", async () => {
      await expectDenied(admin, [
        ["GET", `/api/notes/${aliceNote.id}`],
        ["PATCH", `/api/notes/${aliceNote.id}`, { title: "owned by admin" }],
        ["DELETE", `/api/notes/${aliceNote.id}`],
      ]);
    });

    check("API1", "api1.session-bola", "user B cannot end user A's session, and a missing note looks the same as someone else's", async () => {
      const response = await bob.client.request(`/api/auth/sessions/${alice.sessionId}`, { method: "DELETE" });
      crossUser.total++;
      if (response.status === 404) crossUser.denied++;
      expect(response.status).toBe(404);
      expect((await alice.client.request("/api/me")).status).toBe(200);
      const missing = await bob.client.request(`/api/notes/${"c".repeat(25)}`);
      const theirs = await bob.client.request(`/api/notes/${aliceNote.id}`);
      const strip = (body: Record<string, unknown>) => ({ ...body, requestId: undefined });
      expect(strip((await missing.json()) as Record<string, unknown>)).toEqual(strip((await theirs.json()) as Record<string, unknown>));
    });
  });

  describe("API2 authentication", () => {
    check("API2", "api2.refresh-reuse", "replaying a retired refresh token revokes the whole session", async () => {
      const victim = await signUp(new Client(IP), "replay");
      const stolen = victim.client.refreshToken;
      // Two rotations, so the stolen token is older than the grace window's immediate predecessor.
      for (let i = 0; i < 2; i++) expect((await victim.client.request("/api/auth/refresh", { method: "POST" })).status).toBe(200);
      const thief = new Client(IP);
      const replay = await thief.request("/api/auth/refresh", { method: "POST", headers: { cookie: `__Secure-palisade-rt=${stolen}` } });
      expect(replay.status).toBe(401);
      expect((await victim.client.request("/api/auth/refresh", { method: "POST" })).status).toBe(401);
      expect((await victim.client.request("/api/me")).status).toBe(401);
    });

    check("API2", "api2.cookie-attributes", "session cookies are HttpOnly, Secure, SameSite and host- or path-scoped", async () => {
      const client = new Client(IP);
      const response = await client.request("/api/auth/login", { body: { email: alice.email, password: alice.password } });
      expect(response.status).toBe(200);
      const cookies = response.headers.getSetCookie();
      const access = cookies.find((cookie) => cookie.startsWith("__Host-palisade-at=")) ?? "";
      const refresh = cookies.find((cookie) => cookie.startsWith("__Secure-palisade-rt=")) ?? "";
      for (const attribute of [/; HttpOnly/i, /; Secure/i, /; SameSite=Lax/i, /; Path=\/(;|$)/i, /; Max-Age=900/i]) expect(access).toMatch(attribute);
      for (const attribute of [/; HttpOnly/i, /; Secure/i, /; SameSite=Strict/i, /; Path=\/api\/auth/i]) expect(refresh).toMatch(attribute);
      for (const cookie of [access, refresh]) expect(cookie).not.toMatch(/; Domain=/i);
      const claims = decodeJwt(client.accessToken);
      expect((claims.exp as number) - (claims.iat as number)).toBeLessThanOrEqual(900);
    });

    check("API2", "api2.logout-all", "signing out everywhere kills every other session's access and refresh tokens at once", async () => {
      const laptop = await signUp(new Client(IP), "everywhere");
      const phone = await signIn(new Client(IP), laptop.email, laptop.password);
      expect((await laptop.client.request("/api/auth/logout-all", { method: "POST" })).status).toBe(204);
      expect((await phone.client.request("/api/me")).status).toBe(401);
      expect((await phone.client.request("/api/auth/refresh", { method: "POST" })).status).toBe(401);
    });
  });

  describe("API3 object properties", () => {
    check("API3", "api3.mass-assignment", "role, ownerId, id and other unexpected fields are refused (400), never applied", async () => {
      const email = newEmail("escalate");
      const password = newPassword();
      const register = await new Client(IP).request("/api/auth/register", { body: { email, name: "Mallory", password, role: "admin" } });
      expect(register.status).toBe(400);
      expect((await new Client(IP).request("/api/auth/login", { body: { email, password } })).status).toBe(401);
      const attempts: [string, string, unknown][] = [
        ["POST", "/api/notes", { title: "planted", ownerId: alice.id }],
        ["POST", "/api/notes", { title: "planted", id: "c".repeat(25) }],
        ["PATCH", `/api/notes/${aliceNote.id}`, { ownerId: bob.id }],
        ["PATCH", `/api/notes/${aliceNote.id}`, { createdAt: "2000-01-01T00:00:00Z" }],
      ];
      for (const [method, path, body] of attempts)
        expect((await alice.client.request(path, { method, body })).status, `${method} ${JSON.stringify(body)}`).toBe(400);
      for (const body of [{ passwordHash: "x" }, { email: "takeover@security.test" }, { role: "service" }, { role: "admin", id: admin.id }]) {
        expect((await admin.client.request(`/api/admin/users/${bob.id}`, { method: "PATCH", body })).status, JSON.stringify(body)).toBe(400);
      }
      const me = (await (await bob.client.request("/api/me")).json()) as { role: string };
      expect(me.role).toBe("user");
    });

    check(
      "API3",
      "api3.no-sensitive-fields",
      "no response carries a hash, secret, password, owner id or internal flag, and each matches its exact schema",
      async () => {
        const reads: [Account, string][] = [
          [alice, "/api/me"],
          [alice, "/api/notes"],
          [alice, `/api/notes/${aliceNote.id}`],
          [alice, "/api/auth/sessions"],
          [admin, "/api/admin/users"],
          [admin, "/api/admin/audit"],
          [admin, "/api/admin/clients"],
        ];
        for (const [account, path] of reads) {
          const response = await account.client.request(path);
          expect(response.status, path).toBe(200);
          const key = `GET ${path.replace(aliceNote.id, "{id}")}`;
          await assertExactShape(key, response);
          const leaked = keysOf(await response.json()).filter((name) => SECRET_FIELD.test(name));
          expect(leaked, path).toEqual([]);
        }
      },
    );
  });

  describe("API4 resource consumption", () => {
    check("API4", "api4.body-size", "a body over 64 KiB is refused with 413, declared or streamed", async () => {
      const big = JSON.stringify({ title: "big", body: "x".repeat(70 * 1024) });
      expect((await alice.client.request("/api/notes", { body: big, headers: { "content-type": "application/json" } })).status).toBe(413);
      const streamed = await fetch(`${target.url}/api/notes`, {
        method: "POST",
        headers: { "x-forwarded-for": IP, "content-type": "application/json", authorization: `Bearer ${alice.client.accessToken}` },
        body: new ReadableStream({
          start(controller) {
            for (let i = 0; i < 80; i++) controller.enqueue(new TextEncoder().encode(i === 0 ? '{"title":"' : "x".repeat(1024)));
            controller.close();
          },
        }),
        duplex: "half",
      } as RequestInit);
      expect(streamed.status).toBe(413);
    });

    check("API4", "api4.login-throttle", `the ${AUTH_FAILURES_ALLOWED + 1}th failed sign-in from one address is answered 429 with Retry-After`, async () => {
      const attacker = new Client(runAddress(target.run, 31));
      const statuses: number[] = [];
      let limited: Response | undefined;
      for (let i = 0; i <= AUTH_FAILURES_ALLOWED; i++) {
        const response = await attacker.request("/api/auth/login", { body: { email: newEmail("guess"), password: "wrong password, attempt" } });
        statuses.push(response.status);
        limited = response;
      }
      expect(statuses).toEqual([...Array<number>(AUTH_FAILURES_ALLOWED).fill(401), 429]);
      expect(Number(limited?.headers.get("retry-after"))).toBeGreaterThan(0);
    });

    check("API4", "api4.bounded-queries", "page sizes over 100, deep JSON and repeated query keys are refused with 400", async () => {
      expect((await admin.client.request("/api/admin/users?limit=100000")).status).toBe(400);
      expect((await admin.client.request("/api/admin/users?limit=10&limit=20")).status).toBe(400);
      const deep = `${'{"a":'.repeat(100)}1${"}".repeat(100)}`;
      expect((await alice.client.request("/api/notes", { body: deep, headers: { "content-type": "application/json" } })).status).toBe(400);
    });
  });

  describe("API5 function level", () => {
    const ADMIN_CALLS: [string, string, unknown?][] = [
      ["GET", "/api/admin/users"],
      ["POST", "/api/admin/users", { email: "x@security.test", name: "x", password: "a long enough password here", role: "admin" }],
      ["PATCH", "/api/admin/users/{self}", { role: "admin" }],
      ["GET", "/api/admin/audit"],
      ["GET", "/api/admin/clients"],
      ["POST", "/api/admin/clients", { name: "backdoor", scopes: ["reports:read"] }],
      ["PATCH", `/api/admin/clients/${"c".repeat(25)}`, { disabled: true }],
    ];

    check("API5", "api5.user-to-admin", "a user gets 403 from every admin route", async () => {
      for (const [method, path, body] of ADMIN_CALLS) {
        const response = await bob.client.request(path.replace("{self}", bob.id), { method, ...(body === undefined ? {} : { body }) });
        expect(response.status, `${method} ${path}`).toBe(403);
      }
    });

    check(
      "API5",
      "api5.forged-role-claim",
      "a validly signed token claiming role admin for a user still gets 403: the role comes from the database",
      async () => {
        const forged = await genuineToken(target.privateKeyPem, { iss: target.url, sub: bob.id, sid: bob.sessionId, role: "admin" });
        expect((await new Client(IP).request("/api/me", { token: forged })).status).toBe(200);
        expect((await new Client(IP).request("/api/admin/users", { token: forged })).status).toBe(403);
      },
    );

    check("API5", "api5.service-token", "a service client's token cannot reach people's routes or admin routes", async () => {
      const created = await admin.client.request("/api/admin/clients", { body: { name: `reports-${target.run}`, scopes: ["reports:read"] } });
      expect(created.status).toBe(201);
      const { client, clientSecret } = (await created.json()) as { client: { clientId: string }; clientSecret: string };
      const form = new URLSearchParams({ grant_type: "client_credentials", client_id: client.clientId, client_secret: clientSecret, scope: "reports:read" });
      const issued = await new Client(IP).request("/api/oauth/token", {
        body: form.toString(),
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
      expect(issued.status).toBe(200);
      const { access_token: token } = (await issued.json()) as { access_token: string };
      const service = new Client(IP);
      expect((await service.request("/api/reports/notes", { token })).status).toBe(200);
      for (const path of ["/api/notes", "/api/admin/users", "/api/admin/clients"]) expect((await service.request(path, { token })).status, path).toBe(403);
      expect((await service.request("/api/me", { token })).status).toBe(401);
    });

    check("API5", "api5.method-override", "method-override headers are ignored: a GET stays a GET", async () => {
      for (const header of ["x-http-method-override", "x-method-override", "x-http-method"]) {
        const response = await bob.client.request(`/api/notes/${aliceNote.id}`, { headers: { [header]: "DELETE" } });
        expect(response.status).toBe(404);
      }
      expect((await alice.client.request(`/api/notes/${aliceNote.id}`)).status).toBe(200);
    });

    check(
      "API4",
      "api4.mail-flood",
      "a fourth mailed link to one address in the window is refused, whichever addresses ask, known account or not",
      async () => {
        const victim = newEmail("flooded");
        const statuses: number[] = [];
        for (let i = 0; i < 4; i++) {
          const response = await new Client(runAddress6(target.run, 300 + i)).request("/api/auth/password/forgot", { body: { email: victim } });
          statuses.push(response.status);
          if (response.status === 429) expect(((await response.json()) as { "violated-policies": string[] })["violated-policies"]).toEqual(["mail-address"]);
        }
        expect(statuses).toEqual([202, 202, 202, 429]);
      },
    );
  });

  describe("API6 sensitive business flows", () => {
    check("API6", "api6.login-enumeration", "an unknown email and a wrong password get the same answer", async () => {
      const unknown = await new Client(runAddress6(target.run, 1)).request("/api/auth/login", {
        body: { email: newEmail("nobody"), password: "some wrong password" },
      });
      const wrong = await new Client(runAddress6(target.run, 2)).request("/api/auth/login", { body: { email: alice.email, password: "some wrong password" } });
      expect(unknown.status).toBe(401);
      expect(wrong.status).toBe(401);
      const body = async (response: Response) => ({ ...((await response.json()) as Record<string, unknown>), requestId: undefined });
      expect(await body(unknown)).toEqual(await body(wrong));
    });

    /** A 202 answer with its request ID and the echoed address taken out, and whether it set a cookie. */
    const accepted = async (response: Response) => ({
      status: response.status,
      cookie: response.headers.has("set-cookie"),
      body: Object.keys((await response.json()) as Record<string, unknown>),
    });

    check("API6", "api6.signup-enumeration", "sign-up answers a taken and a new address alike, and mails the difference after the answer", async () => {
      const fresh = newEmail("fresh");
      const password = newPassword();
      const taken = await new Client(runAddress6(target.run, 3)).request("/api/auth/register", { body: { email: alice.email, name: "Again", password } });
      const created = await new Client(runAddress6(target.run, 4)).request("/api/auth/register", { body: { email: fresh, name: "Fresh", password } });
      const answers = [await accepted(taken), await accepted(created)];
      expect(answers).toEqual([answers[1], { status: 202, cookie: false, body: ["email"] }]);
      // The production build runs the deferred work after answering: each address gets its one message.
      await waitForOutboxMessage(target.url, alice.email, /^You already have a Palisade account$/);
      await waitForOutboxMessage(target.url, fresh, /^Confirm your email address/);
    });

    check("API6", "api6.reset-enumeration", "forgot password answers a known and an unknown address alike, and mails each its own message", async () => {
      const unknown = newEmail("nobody");
      const known = await new Client(runAddress6(target.run, 6)).request("/api/auth/password/forgot", { body: { email: alice.email } });
      const stranger = await new Client(runAddress6(target.run, 7)).request("/api/auth/password/forgot", { body: { email: unknown } });
      const answers = [await accepted(known), await accepted(stranger)];
      expect(answers).toEqual([answers[1], { status: 202, cookie: false, body: ["email"] }]);
      const link = await waitForOutboxMessage(target.url, alice.email, /^Reset your Palisade password$/);
      expect(link.text).toMatch(new RegExp(`${target.url}/reset-password#token=[A-Za-z0-9_-]{43}`));
      await waitForOutboxMessage(target.url, unknown, /^Palisade password reset$/);
    });

    check("API6", "api6.password-spraying", "failed sign-ins to one account from many addresses are throttled per account", async () => {
      const victim = await signUp(new Client(IP), "sprayed");
      const statuses: number[] = [];
      for (let i = 0; i <= AUTH_FAILURES_ALLOWED; i++) {
        const response = await new Client(runAddress6(target.run, 100 + i)).request("/api/auth/login", {
          body: { email: victim.email, password: `guess number ${i} for this account` },
        });
        statuses.push(response.status);
      }
      expect(statuses).toEqual([...Array<number>(AUTH_FAILURES_ALLOWED).fill(401), 429]);
      // The right password from yet another new address is refused too while the account is under attack.
      const blocked = await new Client(runAddress6(target.run, 200)).request("/api/auth/login", { body: { email: victim.email, password: victim.password } });
      expect(blocked.status).toBe(429);
    });
  });

  describe("API7 server-side request forgery", () => {
    check("API7", "api7.outbound-allow-list", "server code calls fetch() only where the allow-list says (see ssrf.test.ts for the black-box proof)", () => {
      expect(outboundCallSites()).toEqual(ALLOWED_OUTBOUND_CALLS);
    });
  });

  describe("API8 misconfiguration", () => {
    check("API8", "api8.security-headers", "API responses and pages carry the security headers; no X-Powered-By", async () => {
      for (const path of ["/api/health", "/", "/signin", "/no-such-page"]) {
        const response = await new Client(IP).request(path);
        const csp = response.headers.get("content-security-policy") ?? "";
        expect(csp, path).toMatch(/frame-ancestors 'none'/);
        expect(csp, path).toMatch(path.startsWith("/api") ? /default-src 'none'/ : /script-src 'self' 'nonce-[A-Za-z0-9+/=_-]+' 'strict-dynamic'/);
        expect(response.headers.get("x-content-type-options"), path).toBe("nosniff");
        expect(response.headers.get("x-frame-options"), path).toBe("DENY");
        expect(response.headers.get("referrer-policy"), path).toBe("strict-origin-when-cross-origin");
        expect(response.headers.get("cross-origin-opener-policy"), path).toBe("same-origin");
        expect(response.headers.get("x-powered-by"), path).toBeNull();
        expect(response.headers.get("x-request-id"), path).toMatch(/^[A-Za-z0-9._-]{8,64}$/);
      }
    });

    check(
      "API8",
      "api8.cors-foreign-origin",
      "a foreign origin gets no CORS grant (preflight 403, no Access-Control-Allow-Origin); the partner does",
      async () => {
        const preflight = (origin: string) =>
          new Client(IP).request("/api/me", {
            method: "OPTIONS",
            headers: { origin, "access-control-request-method": "GET", "access-control-request-headers": "authorization" },
          });
        const foreign = await preflight("https://evil.example");
        expect(foreign.status).toBe(403);
        expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
        const simple = await alice.client.request("/api/me", { headers: { origin: "https://evil.example" } });
        expect(simple.headers.get("access-control-allow-origin")).toBeNull();
        expect(simple.headers.get("access-control-allow-credentials")).toBeNull();
        for (const lookalike of [`${target.partnerOrigin}.evil.example`, target.partnerOrigin.replace("https", "http"), "null"]) {
          expect((await preflight(lookalike)).status, lookalike).toBe(403);
        }
        const partner = await preflight(target.partnerOrigin);
        expect(partner.status).toBe(204);
        expect(partner.headers.get("access-control-allow-origin")).toBe(target.partnerOrigin);
      },
    );

    check("API8", "api8.no-stack-traces", "errors are problem+json with a request ID and never show a stack trace, path or library message", async () => {
      const probes: [string, { method?: string; body?: string; headers?: Record<string, string> }][] = [
        ["/api/notes", { method: "POST", body: '{"title":', headers: { "content-type": "application/json" } }],
        ["/api/notes", { method: "POST", body: "\u0000\uffff", headers: { "content-type": "application/json; charset=utf-16" } }],
        ["/api/notes/%E0%A4%A", {}],
        ["/api/notes/..%2f..%2fetc%2fpasswd", {}],
        ["/api/admin/users?sort=password", {}],
        ["/api/auth/login", { method: "POST", body: '{"email":{"$ne":null},"password":{"$gt":""}}', headers: { "content-type": "application/json" } }],
        ["/api/auth/login", { method: "PUT", body: "{}", headers: { "content-type": "application/json" } }],
        ["/api/notes", { method: "POST", body: "{}", headers: { "content-type": "application/json", "content-length": "abc" } }],
      ];
      for (const [path, options] of probes) {
        const response = await admin.client
          .request(path, {
            method: options.method ?? "GET",
            ...(options.body === undefined ? {} : { body: options.body }),
            ...(options.headers ? { headers: options.headers } : {}),
          })
          .catch(() => null);
        if (response === null) continue; // the client itself refused to send it (an invalid header)
        expect(response.status, path).toBeGreaterThanOrEqual(400);
        expect(response.status, path).toBeLessThan(500);
        const text = await response.text();
        expect(text, path).not.toMatch(/\bat [\w.<>]+ \(|node_modules|\.tsx?:\d+|\/work\/|Prisma|SyntaxError|ZodError|TypeError/);
        // A method a route does not export is refused by Next.js's router itself: 405 with an
        // empty body (nothing to leak), not a problem document; the route's own errors are.
        if (response.status === 405) {
          expect(text, path).toBe("");
          continue;
        }
        if (path.startsWith("/api")) {
          expect(response.headers.get("content-type"), path).toBe("application/problem+json");
          expect((JSON.parse(text) as { requestId?: string }).requestId, path).toBe(response.headers.get("x-request-id"));
        }
      }
    });
  });

  describe("API9 inventory", () => {
    check("API9", "api9.manifest-current", "the route manifest matches app/**/route.ts (see inventory.test.ts for the crawl)", () => {
      expect(manifestIsCurrent()).toBe(true);
    });
  });

  describe("API10 unsafe consumption", () => {
    check("API10", "api10.provider-profile-validated", "a hostile identity provider's profile is validated, never trusted as sent", () => {
      expect(
        identityFrom(
          "oidc",
          { sub: "1", iss: "https://evil.example", email: "admin@security.test", email_verified: true },
          { oidcIssuer: "https://idp.example" },
        ),
      ).toBeNull();
      expect(identityFrom("oidc", { sub: { $ne: null }, iss: "https://idp.example" }, { oidcIssuer: "https://idp.example" })).toBeNull();
      const loose = identityFrom("google", { sub: "2", email: "Admin@Security.test", email_verified: "true", name: `\u202Eadmin\u200B${"x".repeat(500)}` });
      expect(loose?.emailVerified).toBe(false);
      expect(loose?.name).not.toMatch(/[\u202E\u200B]/);
      expect(loose?.name.length).toBeLessThanOrEqual(100);
      expect(githubVerifiedPrimary({ email: "a@b.c", primary: true, verified: true })).toEqual({ email: null, verified: false });
      expect(githubVerifiedPrimary([{ email: "a@b.c", primary: true, verified: "yes" }])).toEqual({ email: null, verified: false });
    });

    check("API10", "api10.callback-unconfigured", "a provider callback for a provider that is not configured is refused without a server error", async () => {
      for (const path of ["/api/auth/callback/oidc?code=stolen&state=forged", "/api/auth/callback/github?code=x&state=y", "/api/auth/signin/evil"]) {
        const response = await new Client(IP).request(path);
        expect(response.status, path).toBeLessThan(500);
        expect(
          response.headers.getSetCookie().filter((cookie) => cookie.startsWith("__Host-palisade-at")),
          path,
        ).toEqual([]);
      }
    });
  });
});
