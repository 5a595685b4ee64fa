/**
 * The access-token verifier (lib/auth/tokens.ts) checks compact JWS directly with crypto.subtle
 * instead of through jose's `jwtVerify` and a zod schema, for speed. This proves that rewrite
 * changed no verdict: for thousands of tokens with mutated headers, claims and segments, each
 * signed with our real key so that only the mutated part is wrong, it gives the same answer (the
 * same claims, or the same error code) as the implementation it replaced, kept here as the oracle.
 * The one intended difference: the oracle's decoder forgave base64 padding and whitespace in the
 * signature segment, which no signer of ours produces; the new verifier refuses them. The oracle
 * has since gained the rule the verifier gained with it: RFC 9068's `client_id`, our app's id for
 * a person, the client's own id (its `sub`) for a service.
 */
import fc from "fast-check";
import { base64url, errors as joseErrors, importPKCS8, jwtVerify, type CompactJWSHeaderParameters, type JWTHeaderParameters } from "jose";
import { z } from "zod";
import { describe, expect, it } from "vitest";
import { buildKeyStore, type KeyStore } from "@/lib/auth/keys";
import { ACCESS_TOKEN_TYP, APP_CLIENT_ID, AUDIENCE, issuer, TokenError, verifyAccessToken } from "@/lib/auth/tokens";
import { testKeyPair } from "../support/keys";

const FORBIDDEN = ["jwk", "jku", "x5u", "x5c", "x5t", "x5t#S256", "crit", "b64"];
const OracleClaims = z.object({
  iss: z.string(),
  aud: z.union([z.string(), z.array(z.string())]),
  sub: z.string().min(1).max(64),
  role: z.enum(["user", "admin", "service"]),
  sid: z.string().min(1).max(128),
  client_id: z.string(),
  jti: z.string().min(1).max(64),
  iat: z.number().int(),
  exp: z.number().int(),
  nbf: z.number().int().optional(),
  scope: z.string().max(1000).optional(),
});

/** The verifier as it was: jose's jwtVerify with our options, then the zod schema. */
async function oracle(token: string, store: KeyStore): Promise<string> {
  if (token.length === 0 || token.length > 4096) return "ERR_TOKEN_INVALID";
  const resolve = (header: JWTHeaderParameters | CompactJWSHeaderParameters): CryptoKey => {
    if (FORBIDDEN.some((name) => Object.hasOwn(header, name))) throw new TokenError("ERR_TOKEN_INVALID", "header");
    const entry = typeof header.kid === "string" ? store.verification.get(header.kid) : undefined;
    if (entry === undefined) throw new TokenError("ERR_TOKEN_INVALID", "unknown kid");
    return entry.key;
  };
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, resolve, {
      algorithms: ["RS256"],
      issuer: issuer(),
      audience: AUDIENCE,
      typ: ACCESS_TOKEN_TYP,
      clockTolerance: 5,
      requiredClaims: ["iss", "aud", "sub", "jti", "iat", "exp"],
    }));
  } catch (error) {
    return error instanceof joseErrors.JWTExpired ? "ERR_TOKEN_EXPIRED" : "ERR_TOKEN_INVALID";
  }
  const claims = OracleClaims.safeParse(payload);
  if (!claims.success) return "ERR_TOKEN_INVALID";
  const now = Math.floor(Date.now() / 1000);
  if (claims.data.client_id !== (claims.data.role === "service" ? claims.data.sub : APP_CLIENT_ID)) return "ERR_TOKEN_INVALID";
  if (claims.data.iat > now + 5 || claims.data.exp - claims.data.iat > 3600) return "ERR_TOKEN_INVALID";
  const { sub, role, sid, client_id, jti, iat, exp, scope } = claims.data;
  return JSON.stringify({ sub, role, sid, client_id, jti, iat, exp, ...(scope === undefined ? {} : { scope }) });
}

async function verdict(token: string, store: KeyStore): Promise<string> {
  try {
    return JSON.stringify(await verifyAccessToken(token, store));
  } catch (error) {
    if (error instanceof TokenError) return error.code;
    throw error;
  }
}

const keyPair = testKeyPair("equivalence");
const now = Math.floor(Date.now() / 1000);

// Values a mutated header field or claim may take: the right one, near misses, wrong types.
const anyValue = fc.oneof(
  fc.constantFrom<unknown>(null, true, 0, 1.5, -1, "", "user", "admin", "service", "root", [], {}, [AUDIENCE], [AUDIENCE, "x"], ["x"], "u1", APP_CLIENT_ID),
  fc.constantFrom<unknown>(now, now - 3, now - 6, now + 4, now + 60, now + 900, now + 4000, 2 ** 53, "1", AUDIENCE, "AT+JWT", "application/at+jwt", "JWT"),
  fc.string({ maxLength: 70, unit: "grapheme" }),
  fc.integer({ min: now - 5000, max: now + 5000 }),
);
const claimNames = fc.constantFrom("iss", "aud", "sub", "role", "sid", "client_id", "jti", "iat", "exp", "nbf", "scope");
const headerNames = fc.constantFrom("alg", "typ", "kid", "jwk", "crit", "b64", "x5t", "cty", "zip");
const mutation = fc.record({
  claims: fc.array(fc.tuple(claimNames, fc.option(anyValue, { nil: undefined })), { maxLength: 3 }),
  header: fc.array(fc.tuple(headerNames, fc.option(anyValue, { nil: undefined })), { maxLength: 2 }),
  segment: fc.option(fc.tuple(fc.nat(2), fc.constantFrom("drop-last", "append-A", "append-=", "swap-case", "empty", "plus")), { nil: null }),
});

function mutateSegment(token: string, [index, how]: [number, string]): string {
  const parts = token.split(".");
  const part = parts[index] as string;
  const changed: Record<string, string> = {
    "drop-last": part.slice(0, -1),
    "append-A": `${part}A`,
    "append-=": `${part}=`,
    "swap-case": part.slice(0, 5).toUpperCase() + part.slice(5),
    empty: "",
    plus: part.replace(/[-_]/, "+"),
  };
  parts[index] = changed[how] as string;
  return parts.join(".");
}

describe("the fast access-token verifier", () => {
  it("gives every mutated token the verdict the jose-and-zod verifier gave", async () => {
    const store = await buildKeyStore(keyPair.privateKeyPem);
    const key = await importPKCS8(keyPair.privateKeyPem, "RS256");
    const encoder = new TextEncoder();
    const sign = async (header: Record<string, unknown>, claims: Record<string, unknown>): Promise<string> => {
      const signingInput = `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(claims))}`;
      const signature = new Uint8Array(await crypto.subtle.sign("RSASSA-PKCS1-v1_5", key, encoder.encode(signingInput)));
      return `${signingInput}.${base64url.encode(signature)}`;
    };

    await fc.assert(
      fc.asyncProperty(mutation, async ({ claims: claimEdits, header: headerEdits, segment }) => {
        const header: Record<string, unknown> = { alg: "RS256", typ: ACCESS_TOKEN_TYP, kid: store.signing.kid };
        const claims: Record<string, unknown> = {
          iss: issuer(),
          aud: AUDIENCE,
          sub: "u1",
          role: "user",
          sid: "s1",
          client_id: APP_CLIENT_ID,
          jti: "j1",
          iat: now,
          exp: now + 900,
        };
        const edit = (target: Record<string, unknown>, [name, value]: [string, unknown]) => {
          if (value === undefined) delete target[name];
          else target[name] = value;
        };
        for (const change of headerEdits) edit(header, change);
        for (const change of claimEdits) edit(claims, change);
        let token = await sign(header, claims);
        // Padding in the signature is the intended difference (see the top of the file).
        if (segment !== null && !(segment[0] === 2 && segment[1] === "append-=")) token = mutateSegment(token, segment);
        expect(await verdict(token, store)).toBe(await oracle(token, store));
      }),
      { numRuns: 1500 },
    );
  }, 120_000);
});
