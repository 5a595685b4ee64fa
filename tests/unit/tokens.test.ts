import { createHmac, createPrivateKey, generateKeyPairSync } from "node:crypto";
import { base64url, calculateJwkThumbprint, decodeProtectedHeader, exportJWK, importPKCS8, jwtVerify, SignJWT } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import { buildKeyStore, KeyConfigError } from "@/lib/auth/keys";
import { ACCESS_TOKEN_TYP, APP_CLIENT_ID, AUDIENCE, signAccessToken, TokenError, verifyAccessToken } from "@/lib/auth/tokens";
import { testKeyPair } from "../support/keys";

const ISSUER = "http://localhost:3000";
const active = testKeyPair("active");
const retired = testKeyPair("retired");

async function store(privatePem = active.privateKeyPem, publicKeys?: string) {
  return buildKeyStore(privatePem, publicKeys);
}

async function rejection(promise: Promise<unknown>): Promise<TokenError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TokenError) return error;
    throw error;
  }
  throw new Error("expected the token to be rejected");
}

/** A token with chosen header and claims, signed with our real key: only the chosen part is wrong. */
async function forge(header: Record<string, unknown>, claims: Record<string, unknown>, privatePem = active.privateKeyPem) {
  const keys = await store(privatePem);
  const now = Math.floor(Date.now() / 1000);
  const key = await importPKCS8(privatePem, "RS256");
  return new SignJWT({ role: "user", sid: "s1", client_id: APP_CLIENT_ID, ...claims })
    .setProtectedHeader({ alg: "RS256", typ: ACCESS_TOKEN_TYP, kid: keys.signing.kid, ...header })
    .setIssuer((claims.iss as string | undefined) ?? ISSUER)
    .setAudience((claims.aud as string | undefined) ?? AUDIENCE)
    .setSubject("u1")
    .setJti("j1")
    .setIssuedAt((claims.iat as number | undefined) ?? now)
    .setExpirationTime((claims.exp as number | undefined) ?? now + 900)
    .sign(key);
}

afterEach(() => {
  vi.useRealTimers();
});

describe("access token claims and header", () => {
  it("carries the RFC 9068 header and every claim DESIGN.md lists, expiring 15 minutes after issue", async () => {
    const keys = await store();
    const { token, expiresIn } = await signAccessToken({ sub: "user-1", role: "admin", sid: "session-1" }, keys);
    expect(expiresIn).toBe(900);
    const header = decodeProtectedHeader(token);
    expect(header).toEqual({ alg: "RS256", typ: "at+jwt", kid: keys.signing.kid });
    const claims = await verifyAccessToken(token, keys);
    expect(claims).toMatchObject({ sub: "user-1", role: "admin", sid: "session-1" });
    expect(claims.exp - claims.iat).toBe(900);
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    const payload = JSON.parse(new TextDecoder().decode(base64url.decode(token.split(".")[1] as string)));
    expect(payload).toMatchObject({ iss: ISSUER, aud: AUDIENCE });
  });

  it("signs tokens an independent JOSE implementation accepts with the same pinned profile, and that fail it once one byte changes", async () => {
    const keys = await store();
    const { token } = await signAccessToken({ sub: "user-1", role: "user", sid: "session-1", authTime: 1_800_000_000, amr: ["pwd", "otp", "mfa"] }, keys);
    const publicKey = keys.verification.get(keys.signing.kid)?.key as CryptoKey;
    const options = { algorithms: ["RS256"], issuer: ISSUER, audience: AUDIENCE, typ: "at+jwt" };
    const { payload, protectedHeader } = await jwtVerify(token, publicKey, options);
    expect(protectedHeader).toEqual({ alg: "RS256", typ: "at+jwt", kid: keys.signing.kid });
    expect(payload).toMatchObject({ sub: "user-1", role: "user", sid: "session-1", auth_time: 1_800_000_000, amr: ["pwd", "otp", "mfa"] });
    const [header, body, signature] = token.split(".") as [string, string, string];
    const tampered = `${header}.${body.slice(0, -2)}${body.at(-2) === "A" ? "B" : "A"}${body.at(-1)}.${signature}`;
    await expect(jwtVerify(tampered, publicKey, options)).rejects.toThrow();
    await expect(verifyAccessToken(tampered, keys)).rejects.toMatchObject({ code: "ERR_TOKEN_INVALID" });
  });

  it("names the client in RFC 9068's client_id: the app for a person, the client itself for a service", async () => {
    const keys = await store();
    const person = await verifyAccessToken((await signAccessToken({ sub: "user-1", role: "user", sid: "session-1" }, keys)).token, keys);
    expect(person.client_id).toBe(APP_CLIENT_ID);
    const clientId = "c".repeat(22);
    const service = await verifyAccessToken((await signAccessToken({ sub: clientId, role: "service", sid: clientId, scope: "notes:read" }, keys)).token, keys);
    expect(service.client_id).toBe(clientId);
  });

  it.each([
    ["missing", { client_id: undefined }],
    ["a service client's id on a person's token", { client_id: "c".repeat(22) }],
    ["the app's id on a service token", { role: "service", sid: "u1" }],
    ["another client's id on a service token", { role: "service", sid: "u1", client_id: "c".repeat(22) }],
  ])("refuses a token whose client_id is %s", async (_name, claims) => {
    expect((await rejection(verifyAccessToken(await forge({}, claims), await store()))).code).toBe("ERR_TOKEN_INVALID");
  });

  it("names the signing key by its RFC 7638 thumbprint", async () => {
    const keys = await store();
    const jwk = await exportJWK(createPrivateKey(active.privateKeyPem));
    expect(keys.signing.kid).toBe(await calculateJwkThumbprint({ kty: "RSA", n: jwk.n, e: jwk.e }, "sha256"));
  });

  it("gives every token a fresh jti", async () => {
    const keys = await store();
    const a = await verifyAccessToken((await signAccessToken({ sub: "u", role: "user", sid: "s" }, keys)).token, keys);
    const b = await verifyAccessToken((await signAccessToken({ sub: "u", role: "user", sid: "s" }, keys)).token, keys);
    expect(a.jti).not.toBe(b.jti);
  });
});

describe("expiry and clock skew", () => {
  it("rejects a token expired by more than the 5-second tolerance as ERR_TOKEN_EXPIRED", async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await forge({}, { iat: now - 906, exp: now - 6 });
    expect((await rejection(verifyAccessToken(token, await store()))).code).toBe("ERR_TOKEN_EXPIRED");
  });

  it("accepts a token expired by less than the tolerance (clock skew between servers)", async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await forge({}, { iat: now - 903, exp: now - 3 });
    await expect(verifyAccessToken(token, await store())).resolves.toMatchObject({ sub: "u1" });
  });

  it("rejects a token issued in the future beyond the tolerance", async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await forge({}, { iat: now + 60, exp: now + 960 });
    expect((await rejection(verifyAccessToken(token, await store()))).code).toBe("ERR_TOKEN_INVALID");
  });

  it("rejects a token whose lifetime is longer than any we issue", async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await forge({}, { iat: now, exp: now + 86_400 * 365 });
    expect((await rejection(verifyAccessToken(token, await store()))).code).toBe("ERR_TOKEN_INVALID");
  });

  it("expires a real token once its 15 minutes are up", async () => {
    const keys = await store();
    const { token } = await signAccessToken({ sub: "u", role: "user", sid: "s" }, keys);
    vi.useFakeTimers({ now: Date.now() + 906_000, toFake: ["Date"] });
    expect((await rejection(verifyAccessToken(token, keys))).code).toBe("ERR_TOKEN_EXPIRED");
  });
});

describe("what a token cannot choose", () => {
  it("rejects the wrong issuer", async () => {
    expect((await rejection(verifyAccessToken(await forge({}, { iss: "https://evil.example" }), await store()))).code).toBe("ERR_TOKEN_INVALID");
  });

  it("rejects the wrong audience", async () => {
    expect((await rejection(verifyAccessToken(await forge({}, { aud: "another-api" }), await store()))).code).toBe("ERR_TOKEN_INVALID");
  });

  it.each(["JWT", "id_token+jwt", undefined])("rejects typ %s (token confusion)", async (typ) => {
    const token = await forge({ typ }, {});
    expect((await rejection(verifyAccessToken(token, await store()))).code).toBe("ERR_TOKEN_INVALID");
  });

  it("rejects alg none", async () => {
    const good = await forge({}, {});
    const [, payload] = good.split(".");
    const header = base64url.encode(JSON.stringify({ alg: "none", typ: "at+jwt" }));
    await rejection(verifyAccessToken(`${header}.${payload}.`, await store()));
  });

  it("rejects HS256 signed with our public key as the HMAC secret (algorithm confusion)", async () => {
    const keys = await store();
    const good = await forge({}, {});
    const [, payload] = good.split(".");
    const header = base64url.encode(JSON.stringify({ alg: "HS256", typ: "at+jwt", kid: keys.signing.kid }));
    const signature = createHmac("sha256", active.publicKeyPem).update(`${header}.${payload}`).digest("base64url");
    await rejection(verifyAccessToken(`${header}.${payload}.${signature}`, keys));
  });

  it("rejects a tampered payload", async () => {
    const good = await forge({}, {});
    const [header, , signature] = good.split(".");
    const payload = base64url.encode(
      JSON.stringify({ iss: ISSUER, aud: AUDIENCE, sub: "u1", role: "admin", sid: "s1", jti: "j1", iat: 1, exp: 9_999_999_999 }),
    );
    await rejection(verifyAccessToken(`${header}.${payload}.${signature}`, await store()));
  });

  it("rejects a token signed by a key that is not ours, even with our kid", async () => {
    const keys = await store();
    const stranger = testKeyPair("stranger");
    const token = await forge({ kid: keys.signing.kid }, {}, stranger.privateKeyPem);
    await rejection(verifyAccessToken(token, keys));
  });

  it.each([
    ["an embedded jwk", { jwk: { kty: "RSA", n: "x", e: "AQAB" } }],
    ["a jku URL", { jku: "http://127.0.0.1:9/jwks.json" }],
    ["an x5u URL", { x5u: "http://127.0.0.1:9/cert.pem" }],
    ["an x5c chain", { x5c: ["MIIB"] }],
    ["an unknown kid", { kid: "../../etc/passwd" }],
  ])("rejects a token carrying %s", async (_name, header) => {
    await rejection(verifyAccessToken(await forge(header, {}), await store()));
  });

  it("rejects a refresh token presented as an access token", async () => {
    await rejection(verifyAccessToken("AAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB", await store()));
  });

  it("rejects an oversized token before parsing it", async () => {
    const error = await rejection(verifyAccessToken(`${"a".repeat(20_000)}.b.c`, await store()));
    expect(error.reason).toBe("length");
  });

  it("rejects a token with a missing or mistyped claim", async () => {
    await rejection(verifyAccessToken(await forge({}, { role: "root" }), await store()));
    await rejection(verifyAccessToken(await forge({}, { sid: 42 }), await store()));
  });
});

describe("key rotation", () => {
  it("keeps verifying tokens of the previous key while it is listed in JWT_PUBLIC_KEYS", async () => {
    const oldKeys = await store(retired.privateKeyPem);
    const { token } = await signAccessToken({ sub: "u", role: "user", sid: "s" }, oldKeys);
    const rotated = await store(active.privateKeyPem, retired.publicKeyPem);
    await expect(verifyAccessToken(token, rotated)).resolves.toMatchObject({ sub: "u" });
    expect(rotated.verification.size).toBe(2);
  });

  it("rejects tokens of a retired key once it is removed", async () => {
    const oldKeys = await store(retired.privateKeyPem);
    const { token } = await signAccessToken({ sub: "u", role: "user", sid: "s" }, oldKeys);
    const error = await rejection(verifyAccessToken(token, await store(active.privateKeyPem)));
    expect(error.reason).toBe("unknown kid");
  });

  it("accepts verification keys as a JWKS JSON document too", async () => {
    const oldKeys = await store(retired.privateKeyPem);
    const jwks = JSON.stringify({ keys: [...oldKeys.verification.values()].map((entry) => entry.jwk) });
    const rotated = await store(active.privateKeyPem, jwks);
    expect([...rotated.verification.keys()]).toContain(oldKeys.signing.kid);
  });
});

describe("key configuration", () => {
  it("refuses an RSA key under 2048 bits", async () => {
    const weak = testKeyPair("weak", 1024);
    await expect(buildKeyStore(weak.privateKeyPem)).rejects.toThrow(/1024-bit RSA key/);
  });

  it("refuses a key of another type", async () => {
    const { privateKey } = generateKeyPairSync("ec", {
      namedCurve: "P-256",
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    await expect(buildKeyStore(privateKey)).rejects.toBeInstanceOf(KeyConfigError);
  });

  it("refuses a private key published as a verification key", async () => {
    const jwk = await exportJWK(createPrivateKey(retired.privateKeyPem));
    await expect(buildKeyStore(active.privateKeyPem, JSON.stringify([jwk]))).rejects.toThrow(/contains a private key/);
  });

  it("accepts a PEM with escaped newlines, as env files often hold it", async () => {
    const escaped = active.privateKeyPem.trim().replaceAll("\n", "\\n");
    await expect(buildKeyStore(escaped)).resolves.toHaveProperty("signing.kid");
  });
});
