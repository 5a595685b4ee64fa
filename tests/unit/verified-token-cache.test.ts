/**
 * The edge verifier's memory of tokens it has verified (lib/auth/verified-token-cache.ts,
 * docs/decisions/050-verified-token-cache.md). Each test is an attempt to get "valid" out of the
 * cache where the verifier itself would say otherwise, or to make the cache grow, and counts the
 * full verifications to prove which of the two answered.
 */
import { createSign } from "node:crypto";
import { importPKCS8, SignJWT } from "jose";
import { NextRequest } from "next/server";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { buildKeyStore, type KeyStore } from "@/lib/auth/keys";
import {
  ACCESS_TOKEN_TYP,
  APP_CLIENT_ID,
  AUDIENCE,
  CLOCK_TOLERANCE_SECONDS,
  issuer,
  signAccessToken,
  TokenError,
  verifyAccessToken,
  type AccessTokenClaims,
} from "@/lib/auth/tokens";
import { VERIFIED_TOKEN_CACHE_SIZE, verifiedTokenCache, type VerifiedTokenCacheOptions } from "@/lib/auth/verified-token-cache";
import { edgeHarness, passedThrough } from "../support/edge-harness";
import { testKeyPair } from "../support/keys";

const ours = testKeyPair("cache-ours");
const attacker = testKeyPair("cache-attacker");
const successor = testKeyPair("cache-successor");
let keys: KeyStore;

beforeAll(async () => {
  keys = await buildKeyStore(ours.privateKeyPem);
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

/** A cache whose full verifications are counted. */
function countingCache(options: VerifiedTokenCacheOptions = {}) {
  const calls = { count: 0 };
  const verify = options.verify ?? verifyAccessToken;
  const cache = verifiedTokenCache({
    keys: () => keys,
    ...options,
    verify: (token, store) => {
      calls.count++;
      return verify(token, store);
    },
  });
  return { cache, calls };
}

/** The verdict as data: the claims, or the error code. */
async function verdict(promise: Promise<unknown>): Promise<unknown> {
  try {
    return { claims: await promise };
  } catch (error) {
    if (error instanceof TokenError) return { code: error.code };
    throw error;
  }
}

async function tokenFor(sub: string, ttlSeconds = 900, store = keys): Promise<string> {
  return (await signAccessToken({ sub, role: "user", sid: `session-${sub}`, authTime: 1_765_000_000, amr: ["pwd", "otp", "mfa"], ttlSeconds }, store)).token;
}

/** One character changed, well inside the segment (an end character may carry only padding bits). */
function withCharacterChanged(token: string, segment: 1 | 2): string {
  const parts = token.split(".") as [string, string, string];
  const part = parts[segment];
  const at = Math.floor(part.length / 2);
  parts[segment] = `${part.slice(0, at)}${part[at] === "A" ? "B" : "A"}${part.slice(at + 1)}`;
  return parts.join(".");
}

describe("verified-token cache: time", () => {
  it("refuses an expired token as expired although it was cached while valid", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const { cache, calls } = countingCache();
    const token = await tokenFor("alice", 60);
    await cache.verify(token);
    vi.advanceTimersByTime(59_000);
    await cache.verify(token);
    expect(calls.count).toBe(1);

    vi.advanceTimersByTime((1 + CLOCK_TOLERANCE_SECONDS) * 1000);
    await expect(cache.verify(token)).rejects.toMatchObject({ code: "ERR_TOKEN_EXPIRED" });
    await expect(cache.verify(token)).rejects.toMatchObject({ code: "ERR_TOKEN_EXPIRED" });
    expect(calls.count).toBe(3);
  });

  it("serves a token from the cache only before its exp; the verifier alone grants the tolerance after it", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const { cache, calls } = countingCache();
    const token = await tokenFor("alice", 60);
    const { exp } = await cache.verify(token);
    vi.setSystemTime((exp - 1) * 1000 + 999);
    await cache.verify(token);
    expect(calls.count).toBe(1);
    vi.setSystemTime(exp * 1000);
    await cache.verify(token);
    expect(calls.count).toBe(2);
  });

  it.each([
    ["a token as we issue it", {}],
    ["a token with an nbf inside the tolerance", { nbfAhead: 3 }],
    ["a token with an nbf beyond the tolerance", { nbfAhead: 10 }],
  ])(
    "gives the verifier's verdict at every second around iat and exp, the clock going back included (%s)",
    async (_name, { nbfAhead }: { nbfAhead?: number }) => {
      vi.useFakeTimers({ toFake: ["Date"] });
      const iat = Math.floor(Date.now() / 1000);
      const exp = iat + 30;
      const key = await importPKCS8(ours.privateKeyPem, "RS256");
      const token = await new SignJWT({ role: "user", sid: "s1", client_id: APP_CLIENT_ID, ...(nbfAhead === undefined ? {} : { nbf: iat + nbfAhead }) })
        .setProtectedHeader({ alg: "RS256", typ: ACCESS_TOKEN_TYP, kid: keys.signing.kid })
        .setIssuer(issuer())
        .setAudience(AUDIENCE)
        .setSubject("u1")
        .setJti("j1")
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .sign(key);
      const { cache, calls } = countingCache();
      await verdict(cache.verify(token));
      // Every second from before its issue to after its expiry, forward and then back again: the
      // way back finds entries made late in the token's life, on a clock that has since receded.
      const margin = CLOCK_TOLERANCE_SECONDS + 3;
      const forward = Array.from({ length: exp - iat + 2 * margin + 1 }, (_, i) => iat - margin + i);
      for (const now of [...forward, ...forward.toReversed()]) {
        vi.setSystemTime(now * 1000 + 500);
        const at = `at iat${now - iat >= 0 ? "+" : ""}${now - iat}`;
        const before = calls.count;
        expect(await verdict(cache.verify(token)), at).toEqual(await verdict(verifyAccessToken(token, keys)));
        // At or past exp, and before the token's issue, the cache never answers.
        if (now >= exp || now < iat) expect(calls.count, at).toBe(before + 1);
      }
    },
  );
});

describe("verified-token cache: the key is the whole token", () => {
  it.each([
    ["payload", 1],
    ["signature", 2],
  ] as const)("does not serve a token one character away in its %s, and the look-alike fails verification", async (_part, segment) => {
    const { cache, calls } = countingCache();
    const token = await tokenFor("alice");
    await cache.verify(token);
    const lookalike = withCharacterChanged(token, segment);
    await expect(cache.verify(lookalike)).rejects.toMatchObject({ code: "ERR_TOKEN_INVALID" });
    await expect(cache.verify(lookalike)).rejects.toMatchObject({ code: "ERR_TOKEN_INVALID" });
    expect(calls.count).toBe(3);
    await cache.verify(token);
    expect(calls.count).toBe(3);
  });

  it("does not serve a part of a cached token (its signed segments alone, or its signature cut short)", async () => {
    const { cache, calls } = countingCache();
    const token = await tokenFor("alice");
    await cache.verify(token);
    const signedPart = token.slice(0, token.lastIndexOf("."));
    for (const part of [signedPart, `${signedPart}.`, token.slice(0, -4)]) {
      await expect(cache.verify(part)).rejects.toMatchObject({ code: "ERR_TOKEN_INVALID" });
    }
    expect(calls.count).toBe(4);
  });

  it("refuses a token signed by a key not in the store, even when a token with the same header and payload is cached", async () => {
    const { cache, calls } = countingCache();
    const token = await tokenFor("alice");
    await cache.verify(token);
    const signed = token.slice(0, token.lastIndexOf("."));
    const forged = `${signed}.${createSign("RSA-SHA256").update(signed).sign(attacker.privateKeyPem).toString("base64url")}`;
    expect(forged).not.toBe(token);
    await expect(cache.verify(forged)).rejects.toMatchObject({ code: "ERR_TOKEN_INVALID" });
    expect(calls.count).toBe(2);
  });

  it("stops serving the tokens of a key withdrawn from the key set", async () => {
    const retiring = keys;
    // Mid-rotation: the new key signs, the old one still verifies; then the old one is withdrawn.
    const rotating = await buildKeyStore(successor.privateKeyPem, ours.publicKeyPem);
    const rotated = await buildKeyStore(successor.privateKeyPem);
    let current = rotating;
    const { cache, calls } = countingCache({ keys: () => current });
    const old = await tokenFor("alice", 900, retiring);
    const fresh = await tokenFor("bob", 900, rotated);
    await cache.verify(old);
    await cache.verify(fresh);
    await cache.verify(old);
    expect(calls.count).toBe(2);

    current = rotated;
    await expect(cache.verify(old)).rejects.toMatchObject({ code: "ERR_TOKEN_INVALID" });
    await expect(cache.verify(fresh)).resolves.toMatchObject({ sub: "bob" });
    expect(calls.count).toBe(4);
  });

  it("does not let a verification begun under a replaced key set refill the cache", async () => {
    // The successor's key verifies under the first set only.
    const first = await buildKeyStore(ours.privateKeyPem, successor.publicKeyPem);
    const replacement = await buildKeyStore(ours.privateKeyPem);
    let current = first;
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = await tokenFor("alice", 900, await buildKeyStore(successor.privateKeyPem));
    const { cache } = countingCache({
      keys: () => current,
      verify: async (token, store) => {
        const claims = await verifyAccessToken(token, store);
        if (token === slow) await held;
        return claims;
      },
    });
    const pending = cache.verify(slow);
    current = replacement;
    await cache.verify(await tokenFor("bob"));
    release();
    await pending;
    await expect(cache.verify(slow)).rejects.toMatchObject({ code: "ERR_TOKEN_INVALID" });
  });
});

describe("verified-token cache: what it keeps", () => {
  it("returns on a hit the same claims as a verification, frozen so no caller can change the next answer", async () => {
    const { cache, calls } = countingCache();
    const token = await tokenFor("alice");
    const verified = await verifyAccessToken(token, keys);
    expect(await cache.verify(token)).toEqual(verified);
    const hit = await cache.verify(token);
    expect(calls.count).toBe(1);
    expect(hit).toEqual(verified);
    expect(() => {
      (hit as { sub: string }).sub = "admin";
    }).toThrow(TypeError);
    expect(() => {
      (hit.amr as string[]).push("hwk");
    }).toThrow(TypeError);
    expect(await cache.verify(token)).toEqual(verified);
  });

  it.each([
    ["a forged token", async () => tokenFor("mallory", 900, await buildKeyStore(attacker.privateKeyPem)), "ERR_TOKEN_INVALID"],
    ["an expired token", async () => tokenFor("alice", -10), "ERR_TOKEN_EXPIRED"],
    ["garbage", async () => "not.a.token", "ERR_TOKEN_INVALID"],
  ])("does not remember a failed verification: %s is verified again on every call", async (_name, make, code) => {
    const { cache, calls } = countingCache();
    const token = await make();
    for (let i = 0; i < 3; i++) await expect(cache.verify(token)).rejects.toMatchObject({ code });
    expect(calls.count).toBe(3);
    expect(cache.size()).toBe(0);
  });

  it("does not remember a server fault, and keeps the token once it verifies", async () => {
    let broken = true;
    const { cache, calls } = countingCache({
      verify: async (token, store) => {
        if (broken) throw new Error("key store unavailable");
        return verifyAccessToken(token, store);
      },
    });
    const token = await tokenFor("alice");
    await expect(cache.verify(token)).rejects.toThrow("key store unavailable");
    broken = false;
    await cache.verify(token);
    await cache.verify(token);
    expect(calls.count).toBe(2);
  });

  it("never holds more than its bound under a flood of distinct valid tokens, and evicts the oldest", async () => {
    const now = Math.floor(Date.now() / 1000);
    // Verifies anything: the flood is of tokens the verifier accepts, the worst case for memory.
    const accepted = async (token: string): Promise<AccessTokenClaims> => ({
      sub: token,
      role: "user",
      sid: "s",
      client_id: APP_CLIENT_ID,
      jti: token,
      iat: now,
      exp: now + 900,
    });
    const { cache, calls } = countingCache({ verify: accepted });
    const flood = 2 * VERIFIED_TOKEN_CACHE_SIZE + 1;
    let largest = 0;
    for (let i = 0; i < flood; i++) {
      await cache.verify(`token-${i}`);
      largest = Math.max(largest, cache.size());
    }
    expect(largest).toBe(VERIFIED_TOKEN_CACHE_SIZE);
    expect(calls.count).toBe(flood);
    await cache.verify(`token-${flood - 1}`);
    expect(calls.count).toBe(flood);
    await cache.verify(`token-${flood - VERIFIED_TOKEN_CACHE_SIZE - 1}`);
    expect(calls.count).toBe(flood + 1);
  });

  it("holds a small bound the same way with real tokens", async () => {
    const { cache, calls } = countingCache({ maxEntries: 3 });
    const tokens = await Promise.all(["a", "b", "c", "d"].map((sub) => tokenFor(sub)));
    for (const token of tokens) await cache.verify(token);
    expect(cache.size()).toBe(3);
    await cache.verify(tokens[3] as string);
    await cache.verify(tokens[1] as string);
    expect(calls.count).toBe(4);
    await cache.verify(tokens[0] as string);
    expect(calls.count).toBe(5);
    expect(cache.size()).toBe(3);
  });
});

describe("verified-token cache in the edge middleware", () => {
  it("verifies a repeated token once, and a forged one on every request", async () => {
    const { cache, calls } = countingCache();
    const edge = edgeHarness({ verifyToken: cache.verify });
    const token = await tokenFor("alice");
    for (let i = 0; i < 3; i++) expect(passedThrough(await edge.run("/api/me", { headers: { authorization: `Bearer ${token}` } }))).toBe(true);
    expect(calls.count).toBe(1);
    const forged = withCharacterChanged(token, 2);
    for (let i = 0; i < 2; i++) expect((await edge.run("/api/me", { headers: { authorization: `Bearer ${forged}` } })).status).toBe(401);
    expect(calls.count).toBe(3);
  });

  it("answers 401 token-expired for a token it let through, and kept, while the token was valid", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const { cache } = countingCache();
    const edge = edgeHarness({ verifyToken: cache.verify });
    const token = await tokenFor("alice", 60);
    expect(passedThrough(await edge.run("/api/me", { headers: { authorization: `Bearer ${token}` } }))).toBe(true);
    vi.advanceTimersByTime((60 + CLOCK_TOLERANCE_SECONDS) * 1000);
    const response = await edge.run("/api/me", { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="palisade", error="invalid_token"');
    expect((await response.json()).type).toBe("/problems/token-expired");
  });

  it("is what the deployed middleware verifies with: a repeated token costs one signature check", async () => {
    vi.stubEnv("JWT_PRIVATE_KEY", ours.privateKeyPem);
    vi.resetModules();
    const { middleware } = await import("@/middleware");
    const tokens = await import("@/lib/auth/tokens");
    const { token } = await tokens.signAccessToken({ sub: "alice", role: "user", sid: "session-alice" });
    const signatureChecks = vi.spyOn(crypto.subtle, "verify");
    try {
      const request = () => new NextRequest("http://localhost:3000/api/me", { headers: { authorization: `Bearer ${token}` } });
      for (let i = 0; i < 3; i++) expect(passedThrough(await middleware(request()))).toBe(true);
      expect(signatureChecks).toHaveBeenCalledTimes(1);
    } finally {
      signatureChecks.mockRestore();
    }
  });
});
