/**
 * Weaknesses this suite found, each fixed in its own layer, each pinned here by the attacker's
 * request that exposed it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { runAddress } from "./support/buckets";
import { Client, newEmail, newPassword, securityTarget, signInAdmin, signUp, type Account } from "./support/client";

const target = securityTarget();
const IP = runAddress(target.run, 70);

describe("regressions found by the security suite", () => {
  let user: Account;
  let admin: Account;
  let noteId: string;

  beforeAll(async () => {
    user = await signUp(new Client(IP), "regress");
    admin = await signInAdmin(new Client(IP));
    noteId = ((await (await user.client.request("/api/notes", { body: { title: "kept" } })).json()) as { id: string }).id;
  });

  it('[regress.unstorable-text] a NUL or a lone surrogate in stored text is a 400, not a 500 (fuzzer: POST /api/notes {"title":"\\u0000"})', async () => {
    for (const bad of ["\u0000", "a\u0000b", "\uD800", "x\uDFFFy"]) {
      const attempts: [Account, string, string, unknown][] = [
        [user, "POST", "/api/notes", { title: bad }],
        [user, "POST", "/api/notes", { title: "ok", body: bad }],
        [user, "PATCH", `/api/notes/${noteId}`, { body: bad }],
        [admin, "POST", "/api/admin/users", { email: newEmail("nul"), name: bad, password: newPassword() }],
        [admin, "POST", "/api/admin/clients", { name: bad, scopes: ["reports:read"] }],
      ];
      for (const [account, method, path, body] of attempts) {
        const response = await account.client.request(path, { method, body });
        expect(response.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
        expect(response.headers.get("content-type")).toBe("application/problem+json");
      }
      const register = await new Client(IP).request("/api/auth/register", { body: { email: newEmail("nul"), name: bad, password: newPassword() } });
      expect(register.status, `register ${JSON.stringify(bad)}`).toBe(400);
    }
    // Paired surrogates (an emoji) are ordinary text and still accepted.
    expect((await user.client.request("/api/notes", { body: { title: "fine 😀" } })).status).toBe(201);
  });

  it("[regress.undecodable-path] a path that is not valid percent-encoding is a 400 problem, not the router's bare 500 (API8 probe: GET /api/notes/%E0%A4%A)", async () => {
    for (const path of ["/api/notes/%E0%A4%A", "/notes/%E0%A4%A", "/api/admin/users/%", "/%E0%A4%A/x"]) {
      for (const token of [undefined, user.client.accessToken]) {
        const response = await new Client(IP).request(path, token === undefined ? {} : { token });
        expect(response.status, path).toBe(400);
        expect(response.headers.get("content-type"), path).toBe("application/problem+json");
        expect(((await response.json()) as { requestId: string }).requestId).toBe(response.headers.get("x-request-id"));
      }
    }
  });

  it("[regress.image-optimizer] the unused image optimizer, which runs outside the edge layer and fetches URLs, answers 404", async () => {
    for (const url of ["/icon.svg", "http://127.0.0.1:1/", "https://example.com/a.png"]) {
      const response = await new Client(IP).request(`/_next/image?url=${encodeURIComponent(url)}&w=64&q=75`);
      await response.arrayBuffer();
      expect(response.status, url).toBe(404);
    }
  });
});
