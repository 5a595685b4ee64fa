/**
 * The browser's API client and its session refresh, against a fake server that holds one
 * shared cookie jar (as tabs of one browser do). Proves the single-flight rules: one refresh for
 * many requests, one refresh across tabs, and no refresh where a 401 is an answer, not an expiry.
 */
import { afterEach, describe, expect, it, vi, type Mock } from "vitest";
import { z } from "zod";
import { createApiClient, type ApiClient } from "@/lib/client/api";
import { isApiError } from "@/lib/client/problem";
import { CHANNEL_NAME, createSessionSync, type LockManagerLike, type SessionSync, type SignOutReason } from "@/lib/client/session-sync";
import { bearerParams, challengeMaxAge, createStepUpCoordinator, isStepUpChallenge, type StepUp, type StepUpChallenge } from "@/lib/client/step-up";

const Items = z.object({ items: z.array(z.string()) });

const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

/** One origin: a cookie jar whose access token is valid or not, and a refresh token that works or not. */
class FakeServer {
  accessValid = true;
  refreshWorks = true;
  refreshCalls = 0;
  probeCalls = 0;
  apiCalls = 0;
  private sent = 0;
  /** Latency of the n-th request sent, so concurrent requests really overlap. */
  latency: (path: string, n: number) => number = () => 2;

  fetch: typeof fetch = async (input, init) => {
    const path = String(input);
    const method = init?.method ?? "GET";
    // The cookie is attached when the request is sent, not when the answer comes back.
    const carriedValidToken = this.accessValid;
    await tick(this.latency(path, this.sent++));
    if (path === "/api/auth/refresh" && method === "POST") {
      this.refreshCalls += 1;
      if (!this.refreshWorks) return problem(401, "Invalid or expired session");
      this.accessValid = true;
      return json({ user: { id: "u1" } });
    }
    if (path === "/api/me") this.probeCalls += 1;
    else this.apiCalls += 1;
    if (path === "/api/auth/login") return problem(401, "Invalid email or password");
    if (!carriedValidToken) return problem(401, "Access token expired", { "www-authenticate": 'Bearer realm="palisade", error="invalid_token"' });
    return json({ items: ["a"] });
  };
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

function problem(status: number, title: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ type: "about:blank", title, status, requestId: "req-1" }), {
    status,
    headers: { "content-type": "application/problem+json", ...headers },
  });
}

/** navigator.locks for one origin: exclusive, first come first served, `ifAvailable` honoured. */
class FakeLocks implements LockManagerLike {
  private held = false;
  private queue: (() => void)[] = [];

  async request<T>(_name: string, options: LockOptions, callback: (lock: Lock | null) => T): Promise<T> {
    if (this.held && options.ifAvailable === true) return callback(null);
    if (this.held) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.held = true;
    try {
      return await callback({ name: _name, mode: "exclusive" } as Lock);
    } finally {
      const next = this.queue.shift();
      if (next === undefined) this.held = false;
      else next();
    }
  }
}

interface Tab {
  sync: SessionSync;
  api: ApiClient;
  ended: Mock<() => void>;
  signedOut: SignOutReason[];
  channel: BroadcastChannel;
}

const channels: BroadcastChannel[] = [];

function openTab(server: FakeServer, locks: LockManagerLike | null): Tab {
  const channel = new BroadcastChannel(CHANNEL_NAME);
  channels.push(channel);
  const sync = createSessionSync({ fetch: server.fetch, locks, channel });
  const ended = vi.fn<() => void>();
  const signedOut: SignOutReason[] = [];
  sync.onSignedOut((reason) => signedOut.push(reason));
  const api = createApiClient({ fetch: server.fetch, session: sync, onSessionEnded: ended });
  return { sync, api, ended, signedOut, channel };
}

afterEach(() => {
  for (const channel of channels.splice(0)) channel.close();
});

describe("one tab", () => {
  it("ten parallel requests with an expired token cause exactly one refresh, and all succeed", async () => {
    const server = new FakeServer();
    const tab = openTab(server, new FakeLocks());
    server.accessValid = false;

    const results = await Promise.all(Array.from({ length: 10 }, () => tab.api.get("/api/notes", Items)));

    expect(results).toHaveLength(10);
    expect(server.refreshCalls).toBe(1);
    expect(server.apiCalls).toBe(20); // each request once with the old token, once retried
    expect(tab.ended).not.toHaveBeenCalled();
  });

  it("a 401 that arrives after the refresh finished is retried without a second refresh", async () => {
    const server = new FakeServer();
    const tab = openTab(server, new FakeLocks());
    server.accessValid = false;
    // Request i answers after 5·i ms: most 401s land long after the one refresh completed.
    server.latency = (path, n) => (path === "/api/auth/refresh" ? 1 : n < 10 ? 5 * n : 1);

    await Promise.all(Array.from({ length: 10 }, () => tab.api.get("/api/notes", Items)));
    expect(server.refreshCalls).toBe(1);
  });

  it("a refused refresh ends the session: every request fails quietly and the tab leaves for sign-in", async () => {
    const server = new FakeServer();
    const tab = openTab(server, new FakeLocks());
    server.accessValid = false;
    server.refreshWorks = false;

    const results = await Promise.allSettled(Array.from({ length: 5 }, () => tab.api.get("/api/notes", Items)));

    expect(server.refreshCalls).toBe(1);
    for (const result of results) {
      expect(result.status).toBe("rejected");
      const reason = (result as PromiseRejectedResult).reason as unknown;
      expect(isApiError(reason) && reason.sessionEnded).toBe(true);
    }
    expect(tab.ended).toHaveBeenCalled();
  });

  it("does not refresh when the 401 is a wrong password rather than an expired token", async () => {
    const server = new FakeServer();
    const tab = openTab(server, new FakeLocks());
    await expect(tab.api.post("/api/auth/login", { email: "a@example.com", password: "x" })).rejects.toMatchObject({ status: 401 });
    expect(server.refreshCalls).toBe(0);
    expect(tab.ended).not.toHaveBeenCalled();
  });

  it("does not refresh on a 401 without a Bearer challenge", async () => {
    const server = new FakeServer();
    const tab = openTab(server, new FakeLocks());
    const fetchWithoutChallenge: typeof fetch = async () => problem(401, "Invalid email or password");
    const api = createApiClient({ fetch: fetchWithoutChallenge, session: tab.sync, onSessionEnded: tab.ended });
    await expect(api.delete("/api/me", { password: "wrong" })).rejects.toMatchObject({ status: 401, sessionEnded: false });
    expect(server.refreshCalls).toBe(0);
  });

  it("keeps the user signed in when the refresh gets no verdict (offline, 429, 5xx)", async () => {
    const server = new FakeServer();
    const tab = openTab(server, new FakeLocks());
    server.accessValid = false;
    const flaky: typeof fetch = async (input, init) =>
      String(input) === "/api/auth/refresh" ? problem(503, "Service temporarily unavailable") : server.fetch(input, init);
    const sync = createSessionSync({ fetch: flaky, locks: new FakeLocks(), channel: null });
    const api = createApiClient({ fetch: flaky, session: sync, onSessionEnded: tab.ended });
    await expect(api.get("/api/notes", Items)).rejects.toMatchObject({ status: 503, sessionEnded: false });
    expect(tab.ended).not.toHaveBeenCalled();
  });

  it("refuses any path that is not a same-origin /api/ path, so cookies never go elsewhere", async () => {
    const server = new FakeServer();
    const tab = openTab(server, null);
    for (const path of ["https://evil.com/api/notes", "//evil.com/api/notes", "/dashboard", "api/notes", "/api/../dashboard"]) {
      await expect(tab.api.get(path, Items), path).rejects.toThrow(TypeError);
    }
    expect(server.apiCalls).toBe(0);
  });

  it("sends JSON bodies with a JSON content type and same-origin credentials, and never touches storage", async () => {
    const seen: RequestInit[] = [];
    const sync = createSessionSync({ fetch: async () => json({}), locks: null, channel: null });
    const api = createApiClient({
      fetch: async (_input, init) => {
        seen.push(init ?? {});
        return json({ items: [] });
      },
      session: sync,
      onSessionEnded: () => {},
    });
    await api.post("/api/notes", { title: "t" });
    const [init] = seen;
    expect(init?.credentials).toBe("same-origin");
    expect(new Headers(init?.headers).get("content-type")).toBe("application/json");
    expect(init?.body).toBe('{"title":"t"}');
    expect("localStorage" in globalThis).toBe(false);
  });
  it("releases every response body it does not read, so no request lingers after an answer", async () => {
    const answered: Response[] = [];
    const server = new FakeServer();
    const recording: typeof fetch = async (input, init) => {
      const response = await server.fetch(input, init);
      answered.push(response);
      return response;
    };
    server.accessValid = false;
    const sync = createSessionSync({ fetch: recording, locks: new FakeLocks(), channel: null });
    const api = createApiClient({ fetch: recording, session: sync, onSessionEnded: vi.fn<() => void>() });
    await api.get("/api/notes", Items);
    await api.delete("/api/notes/n1");
    expect(answered.map((response) => response.bodyUsed)).toEqual(answered.map(() => true));
  });
});

describe("two tabs", () => {
  it("refreshing at the same time makes one refresh request, and both stay signed in", async () => {
    const server = new FakeServer();
    const locks = new FakeLocks();
    const first = openTab(server, locks);
    const second = openTab(server, locks);
    server.accessValid = false;

    await Promise.all([first.api.get("/api/notes", Items), second.api.get("/api/notes", Items), first.api.get("/api/notes", Items)]);

    expect(server.refreshCalls).toBe(1);
    expect(first.ended).not.toHaveBeenCalled();
    expect(second.ended).not.toHaveBeenCalled();
  });

  it("a tab that waited for the lock checks the token before refreshing again", async () => {
    const server = new FakeServer();
    const locks = new FakeLocks();
    const first = openTab(server, locks);
    // The second tab gets no announcements: it must still not refresh a second time.
    const deaf = createSessionSync({ fetch: server.fetch, locks, channel: null });
    const deafApi = createApiClient({ fetch: server.fetch, session: deaf, onSessionEnded: vi.fn<() => void>() });
    server.accessValid = false;

    await Promise.all([first.api.get("/api/notes", Items), deafApi.get("/api/notes", Items)]);

    expect(server.refreshCalls).toBe(1);
    expect(server.probeCalls).toBe(1);
  });

  it("when one tab's refresh is refused, the other tabs are told to leave", async () => {
    const server = new FakeServer();
    const locks = new FakeLocks();
    const first = openTab(server, locks);
    const second = openTab(server, locks);
    server.accessValid = false;
    server.refreshWorks = false;

    await expect(first.api.get("/api/notes", Items)).rejects.toMatchObject({ sessionEnded: true });
    await vi.waitFor(() => expect(second.signedOut).toEqual(["session-ended"]));
  });

  it("a deliberate sign-out in one tab reaches the others", async () => {
    const server = new FakeServer();
    const first = openTab(server, null);
    const second = openTab(server, null);
    first.sync.announceSignedOut("signed-out-everywhere");
    await vi.waitFor(() => expect(second.signedOut).toEqual(["signed-out-everywhere"]));
    expect(first.signedOut).toEqual([]);
  });

  it("ignores malformed messages on the channel", async () => {
    const server = new FakeServer();
    const tab = openTab(server, null);
    const stranger = new BroadcastChannel(CHANNEL_NAME);
    channels.push(stranger);
    stranger.postMessage({ type: "signed-out", reason: "<img src=x onerror=alert(1)>" });
    stranger.postMessage("refreshed");
    stranger.postMessage({ type: "signed-out", reason: "signed-out" });
    await vi.waitFor(() => expect(tab.signedOut).toEqual(["signed-out"]));
    expect(tab.sync.generation()).toBe(0);
  });
});

/** RFC 9470's challenge, as lib/auth/step-up.ts sends it (ADR 047). */
const STEP_UP_CHALLENGE = 'Bearer error="insufficient_user_authentication", error_description="A recent authentication is required, max_age=600", max_age=600';

function stepUpRefusal(methods: unknown = ["totp", "recovery-code"]): Response {
  return new Response(
    JSON.stringify({ type: "/problems/step-up-required", title: "Confirm it is you", status: 401, requestId: "req-2", stepUp: { methods } }),
    { status: 401, headers: { "content-type": "application/problem+json", "www-authenticate": STEP_UP_CHALLENGE } },
  );
}

/** A sensitive endpoint in front of FakeServer: refuses until `proved` is set (by a step-up), and counts every call. */
class StepUpServer {
  readonly base = new FakeServer();
  proved = false;
  sensitiveCalls = 0;
  /** Refuse even after a step-up: a server that never accepts must not make the client loop. */
  alwaysRefuse = false;

  get refreshCalls(): number {
    return this.base.refreshCalls;
  }

  expireAccessToken(): void {
    this.base.accessValid = false;
  }

  fetch: typeof fetch = async (input, init) => {
    if (String(input) === "/api/me" && (init?.method ?? "GET") === "DELETE") {
      this.sensitiveCalls += 1;
      if (!this.base.accessValid) return problem(401, "Access token expired", { "www-authenticate": 'Bearer error="invalid_token"' });
      return this.proved && !this.alwaysRefuse ? new Response(null, { status: 204 }) : stepUpRefusal();
    }
    return this.base.fetch(input, init);
  };
}

describe("step-up (RFC 9470): a 401 that asks for a fresh proof, not a new token", () => {
  function clientFor(server: StepUpServer, stepUp?: StepUp) {
    const sync = createSessionSync({ fetch: server.fetch, locks: new FakeLocks(), channel: null });
    const ended = vi.fn<() => void>();
    const api = createApiClient({ fetch: server.fetch, session: sync, onSessionEnded: ended, ...(stepUp === undefined ? {} : { stepUp }) });
    return { api, ended };
  }

  it("asks the person instead of refreshing, then retries the request once when they confirm", async () => {
    const server = new StepUpServer();
    const stepUp = vi.fn<StepUp>(async () => {
      server.proved = true;
      return true;
    });
    const { api, ended } = clientFor(server, stepUp);

    await expect(api.delete("/api/me")).resolves.toBeUndefined();

    expect(server.refreshCalls).toBe(0);
    expect(stepUp).toHaveBeenCalledTimes(1);
    expect(stepUp).toHaveBeenCalledWith({ methods: ["totp", "recovery-code"], maxAge: 600 });
    expect(server.sensitiveCalls).toBe(2);
    expect(ended).not.toHaveBeenCalled();
  });

  it("surfaces the server's own 401 when the person cancels, without a retry, a refresh or a sign-out", async () => {
    const server = new StepUpServer();
    const { api, ended } = clientFor(server, async () => false);

    const error: unknown = await api.delete("/api/me").catch((caught: unknown) => caught);

    expect(isApiError(error) && error.status === 401 && error.problem.type === "/problems/step-up-required" && !error.sessionEnded).toBe(true);
    expect(server.sensitiveCalls).toBe(1);
    expect(server.refreshCalls).toBe(0);
    expect(ended).not.toHaveBeenCalled();
  });

  it("asks once only: a second refusal after a confirmed step-up is returned, not asked again", async () => {
    const server = new StepUpServer();
    server.alwaysRefuse = true;
    const stepUp = vi.fn<StepUp>(async () => true);
    const { api } = clientFor(server, stepUp);

    await expect(api.delete("/api/me")).rejects.toMatchObject({ status: 401, problem: { type: "/problems/step-up-required" } });
    expect(stepUp).toHaveBeenCalledTimes(1);
    expect(server.sensitiveCalls).toBe(2);
    expect(server.refreshCalls).toBe(0);
  });

  it("without a step-up handler, the refusal reaches the caller and no refresh is tried", async () => {
    const server = new StepUpServer();
    const { api, ended } = clientFor(server);
    await expect(api.delete("/api/me")).rejects.toMatchObject({ status: 401, sessionEnded: false });
    expect(server.refreshCalls).toBe(0);
    expect(ended).not.toHaveBeenCalled();
  });

  it("an expired token is still refreshed first, and the step-up then runs on the retried answer", async () => {
    const server = new StepUpServer();
    server.expireAccessToken();
    const stepUp = vi.fn<StepUp>(async () => {
      server.proved = true;
      return true;
    });
    const { api } = clientFor(server, stepUp);

    await api.delete("/api/me");

    expect(server.refreshCalls).toBe(1);
    expect(stepUp).toHaveBeenCalledTimes(1);
    expect(server.sensitiveCalls).toBe(3);
  });

  it("passes an empty list when only a new sign-in will do, and drops methods it does not know", async () => {
    const server = new StepUpServer();
    const seen: StepUpChallenge[] = [];
    const record = async (challenge: StepUpChallenge) => {
      seen.push(challenge);
      return false;
    };
    const client = createApiClient({
      fetch: async () => stepUpRefusal([]),
      session: createSessionSync({ fetch: server.fetch, locks: null, channel: null }),
      onSessionEnded: () => {},
      stepUp: record,
    });
    await expect(client.delete("/api/me")).rejects.toMatchObject({ status: 401 });
    const odd = createApiClient({
      fetch: async () => stepUpRefusal(["password", "<script>", 7]),
      session: createSessionSync({ fetch: server.fetch, locks: null, channel: null }),
      onSessionEnded: () => {},
      stepUp: record,
    });
    await expect(odd.delete("/api/me")).rejects.toMatchObject({ status: 401 });
    expect(seen).toEqual([
      { methods: [], maxAge: 600 },
      { methods: ["password"], maxAge: 600 },
    ]);
  });

  it("a wrong code at the step-up endpoint itself is an answer: never a nested step-up or a refresh", async () => {
    const server = new StepUpServer();
    const stepUp = vi.fn<StepUp>(async () => true);
    const client = createApiClient({
      fetch: async () => stepUpRefusal(),
      session: createSessionSync({ fetch: server.fetch, locks: null, channel: null }),
      onSessionEnded: () => {},
      stepUp,
    });
    await expect(client.post("/api/auth/step-up", { code: "000000" })).rejects.toMatchObject({ status: 401 });
    expect(stepUp).not.toHaveBeenCalled();
    expect(server.refreshCalls).toBe(0);
  });

  it("requests refused together wait for one dialog", async () => {
    const coordinator = createStepUpCoordinator();
    let answer: (confirmed: boolean) => void = () => {};
    const handler = vi.fn<StepUp>(() => new Promise<boolean>((resolve) => (answer = resolve)));
    coordinator.attach(handler);
    const first = coordinator.request({ methods: ["totp"], maxAge: 600 });
    const second = coordinator.request({ methods: ["totp"], maxAge: 600 });
    answer(true);
    await expect(Promise.all([first, second])).resolves.toEqual([true, true]);
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it("with no dialog mounted, the coordinator answers no at once", async () => {
    const coordinator = createStepUpCoordinator();
    const detach = coordinator.attach(async () => true);
    detach();
    await expect(coordinator.request({ methods: ["totp"], maxAge: null })).resolves.toBe(false);
  });
});

describe("reading the WWW-Authenticate challenge", () => {
  it("tells the step-up challenge from an expired or missing token", () => {
    expect(isStepUpChallenge(STEP_UP_CHALLENGE)).toBe(true);
    expect(isStepUpChallenge('Bearer error="invalid_token"')).toBe(false);
    expect(isStepUpChallenge('Bearer realm="palisade"')).toBe(false);
    expect(isStepUpChallenge('Basic realm="palisade", error="insufficient_user_authentication"')).toBe(false);
    expect(isStepUpChallenge(null)).toBe(false);
  });

  it("reads quoted values with commas and escaped quotes, and max_age as whole seconds only", () => {
    const params = bearerParams('Bearer error_description="a, \\"quoted\\" b", error=insufficient_user_authentication, max_age=600');
    expect(params?.get("error_description")).toBe('a, "quoted" b');
    expect(params?.get("error")).toBe("insufficient_user_authentication");
    expect(challengeMaxAge(STEP_UP_CHALLENGE)).toBe(600);
    expect(challengeMaxAge('Bearer error="insufficient_user_authentication", max_age=-1')).toBeNull();
    expect(challengeMaxAge('Bearer error="insufficient_user_authentication"')).toBeNull();
  });
});
