/**
 * Cross-site request forgery against the running app: every state-changing method, carrying the
 * victim's access cookie or refresh cookie, from every cross-site context a browser (or a proxy
 * stripping headers) can produce, must be refused with 403 before it reaches a handler, and must
 * change nothing. The same requests from our own origin pass, so the refusals are caused by the
 * context alone (lib/edge/csrf.ts, docs/decisions/010-csrf-beyond-samesite.md).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAddress } from "./support/buckets";
import { ACCESS_COOKIE, Client, REFRESH_COOKIE, securityTarget, signUp, type Account } from "./support/client";
import { formatCount, printSummary, recordFigure } from "./support/figures";

const target = securityTarget();
const IP = runAddress(target.run, 20);
const APP = target.url;
const port = new URL(APP).port;

/** Browser-producible contexts of a cross-site request: `Sec-Fetch-Site`, `Origin` and `Referer` as they would arrive. */
const HOSTILE_CONTEXTS: Record<string, Record<string, string>> = {
  "no Origin, no Referer, no Sec-Fetch-Site": {},
  "a foreign Origin": { origin: "https://evil.example" },
  "Origin null (sandboxed frame, data: URL)": { origin: "null" },
  "our Origin but Sec-Fetch-Site cross-site": { origin: APP, "sec-fetch-site": "cross-site" },
  "Sec-Fetch-Site same-site from a sibling host": { origin: `http://evil.localhost:${port}`, "sec-fetch-site": "same-site" },
  "Sec-Fetch-Site none with a foreign Origin": { origin: "https://evil.example", "sec-fetch-site": "none" },
  "a look-alike origin (our host as a prefix)": { origin: `http://127.0.0.1.evil.example:${port}` },
  "a look-alike origin (another port)": { origin: `http://127.0.0.1:${Number(port) + 1}` },
  "our host over https (scheme mismatch)": { origin: `https://127.0.0.1:${port}` },
  "a foreign Referer and no Origin": { referer: "https://evil.example/attack.html" },
  "an unparsable Referer and no Origin": { referer: "not a url" },
  "the CORS partner, but cross-site": { origin: target.partnerOrigin, "sec-fetch-site": "cross-site" },
};

const SAME_ORIGIN_CONTEXTS: Record<string, Record<string, string>> = {
  "Sec-Fetch-Site same-origin": { "sec-fetch-site": "same-origin" },
  "our exact Origin (older browser)": { origin: APP },
};

describe("CSRF matrix", () => {
  let victim: Account;
  let noteId: string;
  const tally = { refused: 0, total: 0, controls: 0 };

  beforeAll(async () => {
    victim = await signUp(new Client(IP), "csrf");
    const note = await victim.client.request("/api/notes", { body: { title: "untouched", body: "by any cross-site request" } });
    noteId = ((await note.json()) as { id: string }).id;
  });

  afterAll(() => {
    recordFigure("csrf-matrix", {
      passed: tally.refused,
      total: tally.total,
      unit: "cross-site requests refused",
      detail: { contexts: Object.keys(HOSTILE_CONTEXTS).length, methods: 4, cookies: 2, sameOriginControlsPassed: tally.controls },
    });
    printSummary(
      `CSRF matrix: ${formatCount(tally.refused)}/${formatCount(tally.total)} cross-site requests refused; ${tally.controls} same-origin controls passed`,
    );
  });

  /** The state-changing requests, one per method, each as the victim's browser would send it. */
  const requests = () => [
    { method: "POST", path: "/api/notes", body: JSON.stringify({ title: "forged" }) },
    { method: "PUT", path: `/api/notes/${noteId}`, body: JSON.stringify({ title: "forged" }) },
    { method: "PATCH", path: `/api/notes/${noteId}`, body: JSON.stringify({ title: "forged" }) },
    { method: "DELETE", path: `/api/notes/${noteId}`, body: undefined },
  ];

  async function send(method: string, path: string, body: string | undefined, cookie: string, headers: Record<string, string>): Promise<Response> {
    return fetch(`${APP}${path}`, {
      method,
      redirect: "manual",
      headers: { "x-forwarded-for": IP, cookie, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
      ...(body === undefined ? {} : { body }),
    });
  }

  it("[csrf.cross-site-refused] every cross-site context × method × auth cookie is refused with 403 and changes nothing", async () => {
    const cookies = { access: `${ACCESS_COOKIE}=${victim.client.accessToken}`, refresh: `${REFRESH_COOKIE}=${victim.client.refreshToken}` };
    const failures: string[] = [];
    for (const [context, headers] of Object.entries(HOSTILE_CONTEXTS)) {
      for (const [kind, cookie] of Object.entries(cookies)) {
        for (const { method, path, body } of requests()) {
          const response = await send(method, path, body, cookie, headers);
          tally.total++;
          if (response.status === 403 && response.headers.get("content-type") === "application/problem+json") tally.refused++;
          else failures.push(`${context}, ${kind} cookie, ${method} ${path} → ${response.status}`);
        }
      }
    }
    expect(failures).toEqual([]);
    const note = await victim.client.request(`/api/notes/${noteId}`);
    expect(note.status).toBe(200);
    expect(((await note.json()) as { title: string }).title).toBe("untouched");
    expect((await victim.client.request("/api/notes")).status).toBe(200);
  });

  it("[csrf.auth-endpoints] sign-out, refresh, sign-out-everywhere and account deletion refuse a foreign origin", async () => {
    const probes = [
      ["POST", "/api/auth/refresh"],
      ["POST", "/api/auth/logout"],
      ["POST", "/api/auth/logout-all"],
      ["POST", "/api/auth/password"],
      ["DELETE", "/api/me"],
      ["DELETE", `/api/auth/sessions/${victim.sessionId}`],
    ] as const;
    const cookie = victim.client.jar.header();
    for (const [method, path] of probes) {
      const response = await send(method, path, method === "DELETE" ? undefined : "{}", cookie, { origin: "https://evil.example" });
      tally.total++;
      if (response.status === 403) tally.refused++;
      expect(response.status, `${method} ${path}`).toBe(403);
    }
    // The session survived every attempt.
    expect((await victim.client.request("/api/me")).status).toBe(200);
  });

  it("[csrf.content-type] a same-origin form or text body is refused with 415: a form cannot smuggle JSON", async () => {
    for (const type of ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"]) {
      const response = await send("POST", "/api/notes", 'title=forged&{"title":"forged"}', `${ACCESS_COOKIE}=${victim.client.accessToken}`, {
        "sec-fetch-site": "same-origin",
        "content-type": type,
      });
      tally.total++;
      if (response.status === 415) tally.refused++;
      expect(response.status, type).toBe(415);
    }
  });

  it("[csrf.same-origin-control] the same requests from our own origin pass the check (controls)", async () => {
    const cookie = `${ACCESS_COOKIE}=${victim.client.accessToken}`;
    for (const [context, headers] of Object.entries(SAME_ORIGIN_CONTEXTS)) {
      const response = await send("POST", "/api/notes", JSON.stringify({ title: `control: ${context}` }), cookie, headers);
      expect(response.status, context).toBe(201);
      tally.controls++;
    }
  });
});
