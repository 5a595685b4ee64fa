/**
 * Access tokens: short-lived RS256 JWTs in the RFC 9068 profile (`typ: at+jwt`, with its required
 * `client_id`).
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
 * Web Crypto only, so the edge middleware uses this module as it is. Tokens are signed and
 * verified here directly on the compact serialization, with crypto.subtle: verification runs on
 * every API request, twice (edge and handler), and a general-purpose JOSE library spends most of
 * its time on what a single pinned profile never needs (see "Verifying fast" in docs/tokens.md).
 * The checks and their order are jose's `jwtVerify` with the options we used to pass it, so every
 * token gets the same verdict and the same error code as before.
 */
import { env } from "../env";
import { AppError, type ErrorCode } from "../http/errors";
import { ALG, getKeyStore, type KeyStore } from "./keys";

export const ACCESS_TOKEN_TYP = "at+jwt";
export const AUDIENCE = "palisade-api";
/**
 * RFC 9068 §2.2's `client_id` for a browser session: the app is its own OAuth client. It cannot
 * collide with a service client's id, which is always 22 base64url characters.
 */
export const APP_CLIENT_ID = "palisade-web";
export const CLOCK_TOLERANCE_SECONDS = 5;
/** Real tokens are well under 1 KiB; anything this large is an attack on the parser. */
export const MAX_TOKEN_LENGTH = 4096;

export type TokenRole = "user" | "admin" | "service";

export interface AccessTokenClaims {
  sub: string;
  role: TokenRole;
  /** The session (refresh family) for users; the client id for service principals. */
  sid: string;
  /** RFC 9068 §2.2: APP_CLIENT_ID for a browser session; the service client's id (its `sub`) otherwise. */
  client_id: string;
  jti: string;
  iat: number;
  exp: number;
  /** Space-separated OAuth scopes, for service principals only. */
  scope?: string;
  /**
   * People only: when the person last authenticated in this session (Unix seconds) and how
   * (RFC 8176 `amr`), for resource servers that verify our tokens on their own (RFC 9470).
   */
  auth_time?: number;
  amr?: string[];
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
  /** People only: the session's last authentication (Unix seconds) and its RFC 8176 methods. */
  authTime?: number;
  amr?: readonly string[];
  /** Override the configured lifetime (seconds); tests use it. */
  ttlSeconds?: number;
}

/**
 * Base64url without padding. Signing runs on every sign-in and refresh; a general JOSE library's
 * builder cost more than the serialization it does, which a fixed header and claims set do not need.
 */
function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i] as number);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

const encodedHeaders = new Map<string, string>();

/** The protected header is the same for every token of a key: encoded once per kid. */
function encodedHeader(kid: string): string {
  let header = encodedHeaders.get(kid);
  if (header === undefined) {
    header = base64url(ascii.encode(JSON.stringify({ alg: ALG, typ: ACCESS_TOKEN_TYP, kid })));
    encodedHeaders.set(kid, header);
  }
  return header;
}

export async function signAccessToken(input: SignAccessTokenInput, keys?: KeyStore): Promise<{ token: string; expiresIn: number }> {
  const store = keys ?? (await getKeyStore());
  const ttl = input.ttlSeconds ?? env.ACCESS_TOKEN_TTL;
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    role: input.role,
    sid: input.sid,
    client_id: input.role === "service" ? input.sub : APP_CLIENT_ID,
    ...(input.scope === undefined ? {} : { scope: input.scope }),
    ...(input.authTime === undefined ? {} : { auth_time: input.authTime }),
    ...(input.amr === undefined ? {} : { amr: [...input.amr] }),
  };
  const claims = {
    ...payload,
    iss: issuer(),
    aud: AUDIENCE,
    sub: input.sub,
    jti: crypto.randomUUID(),
    iat: now,
    exp: now + ttl,
  };
  const signingInput = `${encodedHeader(store.signing.kid)}.${base64url(ascii.encode(JSON.stringify(claims)))}`;
  const signature = new Uint8Array(await crypto.subtle.sign("RSASSA-PKCS1-v1_5", store.signing.key, ascii.encode(signingInput)));
  const token = `${signingInput}.${base64url(signature)}`;
  return { token, expiresIn: ttl };
}

function fail(code: TokenErrorCode, reason: string): never {
  throw new TokenError(code, reason);
}

// --- The signature layer: compact serialization, RS256 only, our keys only --------------------

const BASE64URL_VALUES = new Int8Array(128).fill(-1);
for (const [value, char] of [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"].entries()) {
  BASE64URL_VALUES[char.charCodeAt(0)] = value;
}

/**
 * One base64url segment as bytes, or null. Strict alphabet, no padding, no whitespace (a token
 * never needs them, and a lenient decoder is one more way to write the same signature twice).
 * A table lookup per character: this runs three times per verification, on every API request.
 */
function decodeSegment(text: string): Uint8Array<ArrayBuffer> | null {
  const length = text.length;
  if (length % 4 === 1) return null;
  const bytes = new Uint8Array((length * 3) >> 2);
  let buffer = 0;
  let bits = 0;
  let out = 0;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? (BASE64URL_VALUES[code] as number) : -1;
    if (value < 0) return null;
    buffer = ((buffer << 6) | value) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[out++] = (buffer >> bits) & 0xff;
    }
  }
  return bytes;
}

// Fatal: a header or claims set that is not valid UTF-8 is refused, not repaired.
const utf8 = new TextDecoder("utf-8", { fatal: true });
const ascii = new TextEncoder();

/** The bytes as text: ASCII directly (what our tokens hold), anything else through strict UTF-8. */
function text(bytes: Uint8Array): string {
  for (let i = 0; i < bytes.length; i++) {
    if ((bytes[i] as number) > 0x7f) return utf8.decode(bytes);
  }
  return String.fromCharCode.apply(null, bytes as unknown as number[]);
}

/** A JSON object (not an array, not null) from a segment's bytes, or null. */
function jsonObject(bytes: Uint8Array | null): Record<string, unknown> | null {
  if (bytes === null) return null;
  try {
    const value: unknown = JSON.parse(text(bytes));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * Keys already checked to be RS256 verification keys of at least 2048 bits. crypto.subtle takes
 * the hash from the key, not from the call: a SHA-512 key in the store would otherwise verify
 * RS512 signatures under an RS256 header.
 */
const rs256Keys = new WeakSet<CryptoKey>();
const MIN_MODULUS_BITS = 2048;

function assertRs256Key(key: CryptoKey): void {
  if (rs256Keys.has(key)) return;
  const algorithm = key.algorithm as RsaHashedKeyAlgorithm;
  const usable =
    key.type === "public" &&
    key.usages.includes("verify") &&
    algorithm.name === "RSASSA-PKCS1-v1_5" &&
    algorithm.hash?.name === "SHA-256" &&
    algorithm.modulusLength >= MIN_MODULUS_BITS;
  if (!usable) fail("ERR_TOKEN_INVALID", "key is not an RS256 verification key");
  rs256Keys.add(key);
}

interface VerifiedJws {
  header: Record<string, unknown>;
  /** The payload's bytes: signed, not yet parsed. */
  payload: Uint8Array<ArrayBuffer>;
}

/**
 * The checks jose's compactVerify made with our key resolver and `algorithms: ["RS256"]`, in the
 * same order: three segments; a JSON object header; no header that picks a key or adds rules;
 * `alg` exactly RS256; a `kid` that names one of our keys; then the signature, over the
 * segments exactly as received.
 */
async function verifySignature(token: string, store: KeyStore): Promise<VerifiedJws> {
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) fail("ERR_TOKEN_INVALID", "length");
  const first = token.indexOf(".");
  const second = first === -1 ? -1 : token.indexOf(".", first + 1);
  if (second === -1 || token.indexOf(".", second + 1) !== -1) fail("ERR_TOKEN_INVALID", "not a compact JWS");

  const header = jsonObject(decodeSegment(token.slice(0, first)));
  if (header === null) fail("ERR_TOKEN_INVALID", "header");
  for (const name of FORBIDDEN_HEADERS) {
    if (Object.hasOwn(header, name)) fail("ERR_TOKEN_INVALID", `header ${name}`);
  }
  // Pinned before any key is touched: `none`, HS256 and every other algorithm stop here.
  if (header.alg !== ALG) fail("ERR_TOKEN_INVALID", "alg");
  const entry = typeof header.kid === "string" ? store.verification.get(header.kid) : undefined;
  if (entry === undefined) fail("ERR_TOKEN_INVALID", "unknown kid");
  assertRs256Key(entry.key);

  // Decoded once, here: an undecodable payload or signature is refused before the RSA work.
  const payload = decodeSegment(token.slice(first + 1, second));
  const signature = decodeSegment(token.slice(second + 1));
  if (signature === null || payload === null) fail("ERR_TOKEN_INVALID", "encoding");
  let valid = false;
  try {
    valid = await crypto.subtle.verify("RSASSA-PKCS1-v1_5", entry.key, signature, ascii.encode(token.slice(0, second)));
  } catch {
    valid = false;
  }
  if (!valid) fail("ERR_TOKEN_INVALID", "signature");
  return { header, payload };
}

/**
 * The signature layer alone: compact serialization, RS256 only, our keys only; the payload's
 * bytes. Access-token verification below runs exactly this, then checks the claims.
 */
export async function verifyJwsSignature(token: string, keys: KeyStore): Promise<Uint8Array> {
  return (await verifySignature(token, keys)).payload;
}

// --- The claims: RFC 9068 profile, our issuer and audience, sane times ------------------------

/** `typ` as jose compares it: case-insensitive, with or without the `application/` prefix. */
function mediaType(value: string): string {
  const lower = value.toLowerCase();
  return value.includes("/") ? lower : `application/${lower}`;
}
const EXPECTED_TYP = mediaType(ACCESS_TOKEN_TYP);
const REQUIRED_CLAIMS = ["iss", "aud", "sub", "jti", "iat", "exp"] as const;
const ROLES: ReadonlySet<unknown> = new Set<TokenRole>(["user", "admin", "service"]);

/** Length in code points, as the schema this replaces counted it (an emoji is one). */
function codePoints(value: string): number {
  let count = value.length;
  for (let i = 0; i < value.length - 1; i++) {
    if ((value.charCodeAt(i) & 0xfc00) === 0xd800 && (value.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      count--;
      i++;
    }
  }
  return count;
}

function isString(value: unknown, max: number): value is string {
  return typeof value === "string" && value.length > 0 && (value.length <= max || codePoints(value) <= max);
}

function isOptional(value: unknown, check: (present: unknown) => boolean): boolean {
  return value === undefined || check(value);
}

/** The claim types we rely on; the same rules the zod schema here used to state. */
function claimsWellTyped(c: Record<string, unknown>): boolean {
  return (
    typeof c.iss === "string" &&
    (typeof c.aud === "string" || (Array.isArray(c.aud) && c.aud.every((item) => typeof item === "string"))) &&
    isString(c.sub, 64) &&
    ROLES.has(c.role) &&
    isString(c.sid, 128) &&
    // A browser session names our app; a service token names the client it was issued to.
    (c.role === "service" ? c.client_id === c.sub : c.client_id === APP_CLIENT_ID) &&
    isString(c.jti, 64) &&
    Number.isSafeInteger(c.iat) &&
    Number.isSafeInteger(c.exp) &&
    isOptional(c.nbf, Number.isSafeInteger) &&
    isOptional(c.scope, (scope) => typeof scope === "string" && (scope.length <= 1000 || codePoints(scope) <= 1000)) &&
    isOptional(c.auth_time, Number.isSafeInteger) &&
    isOptional(c.amr, (amr) => Array.isArray(amr) && amr.length <= 8 && amr.every((value) => isString(value, 16)))
  );
}

export async function verifyAccessToken(token: string, keys?: KeyStore): Promise<AccessTokenClaims> {
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) fail("ERR_TOKEN_INVALID", "length");
  const store = keys ?? (await getKeyStore());
  const { header, payload } = await verifySignature(token, store);

  // From here the order is jwtVerify's, so a token that fails two checks fails the same way it
  // always has (an expired token with a wrong issuer is invalid, not expired).
  const claims = jsonObject(payload);
  if (claims === null) fail("ERR_TOKEN_INVALID", "claims set");
  if (typeof header.typ !== "string" || mediaType(header.typ) !== EXPECTED_TYP) fail("ERR_TOKEN_INVALID", "typ");
  for (const name of REQUIRED_CLAIMS) {
    if (!Object.hasOwn(claims, name)) fail("ERR_TOKEN_INVALID", `missing ${name}`);
  }
  if (claims.iss !== issuer()) fail("ERR_TOKEN_INVALID", "iss");
  const audience = claims.aud;
  if (!(audience === AUDIENCE || (Array.isArray(audience) && audience.includes(AUDIENCE)))) fail("ERR_TOKEN_INVALID", "aud");
  const now = Math.floor(Date.now() / 1000);
  if (typeof claims.iat !== "number") fail("ERR_TOKEN_INVALID", "iat");
  if (claims.nbf !== undefined && (typeof claims.nbf !== "number" || claims.nbf > now + CLOCK_TOLERANCE_SECONDS)) fail("ERR_TOKEN_INVALID", "nbf");
  if (typeof claims.exp !== "number") fail("ERR_TOKEN_INVALID", "exp");
  if (claims.exp <= now - CLOCK_TOLERANCE_SECONDS) fail("ERR_TOKEN_EXPIRED", "expired");

  if (!claimsWellTyped(claims)) fail("ERR_TOKEN_INVALID", "claims");
  const { sub, role, sid, client_id, jti, iat, exp, scope, auth_time, amr } = claims as unknown as AccessTokenClaims;
  // These catch a token minted with an absurd lifetime or from the future.
  if (iat > now + CLOCK_TOLERANCE_SECONDS) fail("ERR_TOKEN_INVALID", "iat in the future");
  if (exp - iat > 3600) fail("ERR_TOKEN_INVALID", "lifetime too long");
  return {
    sub,
    role,
    sid,
    client_id,
    jti,
    iat,
    exp,
    ...(scope === undefined ? {} : { scope }),
    ...(auth_time === undefined ? {} : { auth_time }),
    ...(amr === undefined ? {} : { amr }),
  };
}
