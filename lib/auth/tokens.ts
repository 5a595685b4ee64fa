/**
 * Access tokens: short-lived RS256 JWTs in the RFC 9068 profile (`typ: at+jwt`).
 *
 * Verification fails closed and trusts nothing in the token that would choose how it is checked
 * (RFC 8725, JWT Best Current Practices):
 * - the algorithm is pinned to RS256, so `alg: none`, HS256-with-our-public-key and every other
 *   algorithm are refused before any signature is computed;
 * - the key is looked up by `kid` among our own keys only. A token's `jwk`, `jku`, `x5u` or `x5c`
 *   header is refused outright, and nothing is ever fetched from a URL in a token;
 * - issuer, audience, `typ`, every required claim and their types are checked, with at most 5 s
 *   of clock tolerance; oversized tokens are refused before parsing.
 * Every failure becomes one typed error with a stable code; the reason goes to the log, never to
 * the client.
 *
 * Web Crypto only (through jose), so the edge middleware uses this module as it is.
 */
import {
  compactVerify,
  errors as joseErrors,
  jwtVerify,
  SignJWT,
  type CompactJWSHeaderParameters,
  type JWTHeaderParameters,
  type JWTPayload,
} from "jose";
import { z } from "zod";
import { env } from "../env";
import { AppError, type ErrorCode } from "../http/errors";
import { ALG, getKeyStore, type KeyStore } from "./keys";

export const ACCESS_TOKEN_TYP = "at+jwt";
export const AUDIENCE = "palisade-api";
export const CLOCK_TOLERANCE_SECONDS = 5;
/** Real tokens are well under 1 KiB; anything this large is an attack on the parser. */
export const MAX_TOKEN_LENGTH = 4096;

export type TokenRole = "user" | "admin" | "service";

export interface AccessTokenClaims {
  sub: string;
  role: TokenRole;
  /** The session (refresh family) for users; the client id for service principals. */
  sid: string;
  jti: string;
  iat: number;
  exp: number;
  /** Space-separated OAuth scopes, for service principals only. */
  scope?: string;
}

export type TokenErrorCode = Extract<ErrorCode, "ERR_TOKEN_INVALID" | "ERR_TOKEN_EXPIRED">;

export class TokenError extends AppError {
  declare readonly code: TokenErrorCode;
  /** Why verification failed, for the server log only. */
  readonly reason: string;

  constructor(code: TokenErrorCode, reason: string) {
    super(code, { headers: { "www-authenticate": `Bearer error="invalid_token"` } });
    this.name = "TokenError";
    this.reason = reason;
  }
}

const ClaimsSchema = z.object({
  iss: z.string(),
  aud: z.union([z.string(), z.array(z.string())]),
  sub: z.string().min(1).max(64),
  role: z.enum(["user", "admin", "service"]),
  sid: z.string().min(1).max(128),
  jti: z.string().min(1).max(64),
  iat: z.number().int(),
  exp: z.number().int(),
  nbf: z.number().int().optional(),
  scope: z.string().max(1000).optional(),
});

// Header parameters that would let a token pick its own key or smuggle processing rules.
const FORBIDDEN_HEADERS = ["jwk", "jku", "x5u", "x5c", "x5t", "x5t#S256", "crit", "b64"] as const;

export function issuer(): string {
  return env.APP_URL;
}

export interface SignAccessTokenInput {
  sub: string;
  role: TokenRole;
  sid: string;
  scope?: string;
  /** Override the configured lifetime (seconds); tests use it. */
  ttlSeconds?: number;
}

export async function signAccessToken(input: SignAccessTokenInput, keys?: KeyStore): Promise<{ token: string; expiresIn: number }> {
  const store = keys ?? (await getKeyStore());
  const ttl = input.ttlSeconds ?? env.ACCESS_TOKEN_TTL;
  const now = Math.floor(Date.now() / 1000);
  const payload: JWTPayload = { role: input.role, sid: input.sid, ...(input.scope === undefined ? {} : { scope: input.scope }) };
  const token = await new SignJWT(payload)
    .setProtectedHeader({ alg: ALG, typ: ACCESS_TOKEN_TYP, kid: store.signing.kid })
    .setIssuer(issuer())
    .setAudience(AUDIENCE)
    .setSubject(input.sub)
    .setJti(crypto.randomUUID())
    .setIssuedAt(now)
    .setExpirationTime(now + ttl)
    .sign(store.signing.key);
  return { token, expiresIn: ttl };
}

function fail(code: TokenErrorCode, reason: string): never {
  throw new TokenError(code, reason);
}

/** The key for a token's header: ours, by kid, or a refusal. Never a key the token supplies. */
function keyResolver(store: KeyStore) {
  return (header: JWTHeaderParameters | CompactJWSHeaderParameters): CryptoKey => {
    for (const name of FORBIDDEN_HEADERS) {
      if (Object.hasOwn(header, name)) throw new TokenError("ERR_TOKEN_INVALID", `header ${name}`);
    }
    const entry = typeof header.kid === "string" ? store.verification.get(header.kid) : undefined;
    if (entry === undefined) throw new TokenError("ERR_TOKEN_INVALID", "unknown kid");
    return entry.key;
  };
}

function asTokenError(error: unknown): TokenError {
  if (error instanceof TokenError) return error;
  if (error instanceof joseErrors.JWTExpired) return new TokenError("ERR_TOKEN_EXPIRED", "expired");
  return new TokenError("ERR_TOKEN_INVALID", error instanceof joseErrors.JOSEError ? error.code : "malformed");
}

/**
 * The signature layer alone: compact serialization, RS256 only, our keys only. Access-token
 * verification below uses the same key resolver and algorithm pin, then checks the claims.
 */
export async function verifyJwsSignature(token: string, keys: KeyStore): Promise<Uint8Array> {
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) fail("ERR_TOKEN_INVALID", "length");
  try {
    return (await compactVerify(token, keyResolver(keys), { algorithms: [ALG] })).payload;
  } catch (error) {
    throw asTokenError(error);
  }
}

export async function verifyAccessToken(token: string, keys?: KeyStore): Promise<AccessTokenClaims> {
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) fail("ERR_TOKEN_INVALID", "length");
  const store = keys ?? (await getKeyStore());

  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(
      token,
      keyResolver(store),
      {
        algorithms: [ALG],
        issuer: issuer(),
        audience: AUDIENCE,
        typ: ACCESS_TOKEN_TYP,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ["iss", "aud", "sub", "jti", "iat", "exp"],
      },
    ));
  } catch (error) {
    throw asTokenError(error);
  }

  const claims = ClaimsSchema.safeParse(payload);
  if (!claims.success) fail("ERR_TOKEN_INVALID", "claims");
  const now = Math.floor(Date.now() / 1000);
  // jose checks `exp`; these catch a token minted with an absurd lifetime or from the future.
  if (claims.data.iat > now + CLOCK_TOLERANCE_SECONDS) fail("ERR_TOKEN_INVALID", "iat in the future");
  if (claims.data.exp - claims.data.iat > 3600) fail("ERR_TOKEN_INVALID", "lifetime too long");

  const { sub, role, sid, jti, iat, exp, scope } = claims.data;
  return { sub, role, sid, jti, iat, exp, ...(scope === undefined ? {} : { scope }) };
}
