/**
 * The JWT attack corpus: every token an attacker might present as an access token, grouped by the
 * weakness it probes (RFC 8725, JWT Best Current Practices; PortSwigger's and OWASP's JWT attack
 * catalogues). Each token targets the suite's admin, with the admin's real subject and live
 * session, so the only thing wrong with it is the attack itself: a verifier that ignored the
 * defect would let the attacker in as an administrator.
 */
import { createPublicKey } from "node:crypto";
import {
  accessClaims,
  attackerKey,
  attackerRsa,
  b64u,
  forge,
  keyMaterial,
  selfSignedCertificate,
  signers,
  without,
  type ClaimsBase,
  type Json,
} from "./jwt-forge";

/** Each group of the corpus and the weakness it probes, in the order the suite runs them. */
export const GROUP_THREATS = {
  "alg-none": 'alg "none" (any case) is refused: an unsigned token is not a token',
  signature: "a stripped, flipped, zeroed or transplanted signature is refused",
  "hs256-public-key": "HS256 signed with our own public key (PEM, DER, JWK) is refused: algorithm confusion",
  "embedded-key": "a key carried in the token (jwk, x5c) is never trusted",
  "remote-key": "jku and x5u are never fetched or trusted (the listener counts every request)",
  kid: "a hostile kid (path traversal, SQL, unknown, wrong type) selects no key",
  "other-alg": "every algorithm but RS256 is refused, even with our own key (RS384, RS512, PS256, ES256, EdDSA, HS512)",
  "time-claims": "exp, nbf and iat abuse is refused (expired, not yet valid, from the future, absurd lifetimes, wrong types)",
  "iss-aud": "a wrong, missing or array issuer or audience is refused",
  "typ-confusion":
    "a token of another type (typ JWT, a refresh token, an OIDC ID token, a service token, a missing or foreign RFC 9068 client_id) is not an access token",
  "crit-b64": 'an unknown "crit" extension and "b64": false (unencoded payload) are refused',
  malformed: "malformed tokens and duplicate JSON keys are refused without a server error",
  oversize: "16 KiB and 1 MiB tokens are refused (401 by the verifier's length cap, or 431/413/400 by the HTTP layer), never a 2xx or 5xx",
  "weak-secret": "HS256 tokens signed with common weak secrets are refused",
} as const;

export type GroupId = keyof typeof GROUP_THREATS;

export interface AttackToken {
  /** What this token tries, for the failure message. */
  name: string;
  token: string;
}

export interface AttackGroup {
  /** The stable test ID suffix: `[jwt.<id>]`. */
  id: GroupId;
  threat: string;
  tokens: AttackToken[];
  /** Statuses that count as refused besides 401: only for tokens the HTTP layer may refuse first. */
  alsoRefusedWith?: readonly number[];
}

export interface CorpusInput {
  privateKeyPem: string;
  admin: ClaimsBase;
  /** The admin's refresh token, for the token-type confusion attack. */
  refreshToken: string;
  /** Where `jku`, `x5u` and URL-shaped values point: the counting listener. */
  listenerUrl: string;
}

/** Secrets from public JWT cracking wordlists and framework defaults. */
export const WEAK_SECRETS = [
  "secret",
  "password",
  "123456",
  "changeme",
  "your-256-bit-secret",
  "",
  "jwt",
  "key",
  "palisade",
  "admin",
  "supersecret",
  "shhhhh",
  "test",
  "default",
];

export async function buildCorpus(input: CorpusInput): Promise<AttackGroup[]> {
  const ours = await keyMaterial(input.privateKeyPem);
  const attacker = await attackerRsa();
  const claims = () => accessClaims(input.admin);
  const header = (overrides: Json = {}): Json => ({ alg: "RS256", typ: "at+jwt", kid: ours.kid, ...overrides });
  const rs256 = signers.rsa("sha256", ours.privateKey);
  const byAttacker = signers.rsa("sha256", attacker.privateKey);
  const genuine = () => forge(header(), claims(), rs256);
  // A genuine header and signature over the admin's claims with `change` applied: only the claim under test is wrong.
  const signed = (change: Json, remove: string[] = []) => forge(header(), without({ ...claims(), ...change }, ...remove), rs256);
  const now = Math.floor(Date.now() / 1000);

  const publicPem = ours.publicKey.export({ type: "spki", format: "pem" }) as string;
  const publicPkcs1 = createPublicKey(ours.privateKey).export({ type: "pkcs1", format: "pem" }) as string;
  const publicDer = ours.publicKey.export({ type: "spki", format: "der" }) as Buffer;
  const publicPkcs1Der = ours.publicKey.export({ type: "pkcs1", format: "der" }) as Buffer;
  const hs256 = (secret: string | Buffer, overrides: Json = {}) => forge(header({ alg: "HS256", ...overrides }), claims(), signers.hmac("sha256", secret));

  const [encodedHeader, encodedPayload, signature] = genuine().split(".") as [string, string, string];
  const signatureBytes = Buffer.from(signature, "base64url");
  const flip = (bytes: Buffer, index: number) => {
    const copy = Buffer.from(bytes);
    copy[index] = (copy[index] as number) ^ 0x01;
    return b64u(copy);
  };

  const groups: AttackGroup[] = [
    {
      id: "alg-none",
      threat: GROUP_THREATS["alg-none"],
      tokens: [
        ...["none", "None", "NONE", "nOnE", "none "].map((alg) => ({ name: `alg ${JSON.stringify(alg)}`, token: forge(header({ alg }), claims()) })),
        { name: "alg none keeping a genuine signature", token: `${b64u(JSON.stringify(header({ alg: "none" })))}.${encodedPayload}.${signature}` },
        { name: "alg missing", token: forge(without(header(), "alg"), claims(), rs256) },
        { name: "alg empty", token: forge(header({ alg: "" }), claims()) },
        { name: "alg null", token: forge(header({ alg: null }), claims()) },
      ],
    },
    {
      id: "signature",
      threat: GROUP_THREATS["signature"],
      tokens: [
        { name: "signature stripped (trailing dot)", token: `${encodedHeader}.${encodedPayload}.` },
        { name: "signature stripped (two segments)", token: `${encodedHeader}.${encodedPayload}` },
        { name: "first signature bit flipped", token: `${encodedHeader}.${encodedPayload}.${flip(signatureBytes, 0)}` },
        { name: "last signature bit flipped", token: `${encodedHeader}.${encodedPayload}.${flip(signatureBytes, signatureBytes.length - 1)}` },
        { name: "signature all zero bytes", token: `${encodedHeader}.${encodedPayload}.${b64u(Buffer.alloc(signatureBytes.length))}` },
        { name: "signature a single zero byte", token: `${encodedHeader}.${encodedPayload}.AA` },
        { name: "signature truncated by one byte", token: `${encodedHeader}.${encodedPayload}.${b64u(signatureBytes.subarray(1))}` },
        { name: "signature of another payload", token: `${encodedHeader}.${b64u(JSON.stringify(claims()))}.${signature}` },
        {
          name: "payload with a role changed after signing",
          token: `${encodedHeader}.${b64u(JSON.stringify({ ...claims(), sub: "someone-else" }))}.${signature}`,
        },
      ],
    },
    {
      id: "hs256-public-key",
      threat: GROUP_THREATS["hs256-public-key"],
      tokens: [
        { name: "HS256 with the SPKI PEM", token: hs256(publicPem) },
        { name: "HS256 with the SPKI PEM without its final newline", token: hs256(publicPem.trimEnd()) },
        { name: "HS256 with the PKCS#1 PEM", token: hs256(publicPkcs1) },
        { name: "HS256 with the SPKI DER", token: hs256(publicDer) },
        { name: "HS256 with the PKCS#1 DER", token: hs256(publicPkcs1Der) },
        { name: "HS256 with the JWK as JSON", token: hs256(JSON.stringify(ours.jwk)) },
        { name: "HS256 with the JWKS as JSON", token: hs256(JSON.stringify({ keys: [{ ...ours.jwk, kid: ours.kid, alg: "RS256", use: "sig" }] })) },
        { name: "HS256 with the modulus bytes", token: hs256(Buffer.from(String(ours.jwk.n), "base64url")) },
        {
          name: "HS384 with the SPKI PEM",
          token: forge(header({ alg: "HS384" }), claims(), (data) => signers.hmac("sha512", publicPem)(data).subarray(0, 48)),
        },
      ],
    },
    {
      id: "embedded-key",
      threat: GROUP_THREATS["embedded-key"],
      tokens: [
        { name: "jwk header with the attacker's key and kid", token: forge(header({ kid: attacker.kid, jwk: attacker.jwk }), claims(), byAttacker) },
        { name: "jwk header with the attacker's key under our kid", token: forge(header({ jwk: attacker.jwk }), claims(), byAttacker) },
        { name: "jwk header with our own public key", token: forge(header({ jwk: ours.jwk }), claims(), rs256) },
        {
          name: "x5c with the attacker's self-signed certificate",
          token: forge(header({ kid: attacker.kid, x5c: [selfSignedCertificate(attacker.privateKey)] }), claims(), byAttacker),
        },
        { name: "x5t naming the attacker's certificate", token: forge(header({ kid: attacker.kid, x5t: b64u("attacker") }), claims(), byAttacker) },
      ],
    },
    {
      id: "remote-key",
      threat: GROUP_THREATS["remote-key"],
      tokens: [
        { name: "jku at the listener", token: forge(header({ kid: attacker.kid, jku: `${input.listenerUrl}/jku/jwks.json` }), claims(), byAttacker) },
        { name: "jku at the listener under our kid", token: forge(header({ jku: `${input.listenerUrl}/jku/ours.json` }), claims(), byAttacker) },
        { name: "x5u at the listener", token: forge(header({ kid: attacker.kid, x5u: `${input.listenerUrl}/x5u/cert.pem` }), claims(), byAttacker) },
        { name: "kid is the listener's URL", token: forge(header({ kid: `${input.listenerUrl}/kid` }), claims(), byAttacker) },
        { name: "jku on a genuinely signed token", token: forge(header({ jku: `${input.listenerUrl}/jku/genuine.json` }), claims(), rs256) },
        {
          name: "issuer is the listener's URL (OIDC discovery bait)",
          token: forge(header({ kid: attacker.kid }), { ...claims(), iss: input.listenerUrl }, byAttacker),
        },
      ],
    },
    {
      id: "kid",
      threat: GROUP_THREATS["kid"],
      tokens: [
        { name: "kid ../../../../../../dev/null, HS256 with an empty key", token: hs256("", { kid: "../../../../../../dev/null" }) },
        { name: "kid pointing at the development key file", token: hs256(publicPem, { kid: "../../.data/keys/private.pem" }) },
        { name: "kid with SQL injection, HS256 with the injected value", token: hs256("secret", { kid: "x' UNION SELECT 'secret' --" }) },
        { name: "kid ' OR '1'='1", token: forge(header({ kid: "' OR '1'='1" }), claims(), byAttacker) },
        { name: "kid with a command injection", token: forge(header({ kid: "key; curl 127.0.0.1 |sh" }), claims(), byAttacker) },
        { name: "unknown kid", token: forge(header({ kid: "attacker-key-1" }), claims(), byAttacker) },
        { name: "empty kid", token: forge(header({ kid: "" }), claims(), rs256) },
        { name: "kid missing", token: forge(without(header(), "kid"), claims(), rs256) },
        { name: "kid a number", token: forge(header({ kid: 0 }), claims(), rs256) },
        { name: "kid an array holding ours", token: forge(header({ kid: [ours.kid] }), claims(), rs256) },
        { name: "kid an object", token: forge(header({ kid: { toString: ours.kid } }), claims(), rs256) },
        { name: "kid with a NUL byte", token: forge(header({ kid: `${ours.kid}\u0000` }), claims(), rs256) },
        { name: "our kid with the attacker's signature", token: forge(header(), claims(), byAttacker) },
      ],
    },
    {
      id: "other-alg",
      threat: GROUP_THREATS["other-alg"],
      tokens: [
        { name: "RS384 with our key", token: forge(header({ alg: "RS384" }), claims(), signers.rsa("sha384", ours.privateKey)) },
        { name: "RS512 with our key", token: forge(header({ alg: "RS512" }), claims(), signers.rsa("sha512", ours.privateKey)) },
        { name: "PS256 with our key", token: forge(header({ alg: "PS256" }), claims(), signers.pss(ours.privateKey)) },
        { name: "RS256 header, PS256 signature with our key", token: forge(header(), claims(), signers.pss(ours.privateKey)) },
        { name: "ES256 with an attacker's P-256 key", token: forge(header({ alg: "ES256" }), claims(), signers.ecdsa(attackerKey("ec"))) },
        { name: "EdDSA with an attacker's Ed25519 key", token: forge(header({ alg: "EdDSA" }), claims(), signers.eddsa(attackerKey("ed25519"))) },
        { name: "HS512 with the SPKI PEM", token: forge(header({ alg: "HS512" }), claims(), signers.hmac("sha512", publicPem)) },
        { name: "RSA-OAEP (a JWE algorithm)", token: forge(header({ alg: "RSA-OAEP", enc: "A256GCM" }), claims(), rs256) },
      ],
    },
    {
      id: "time-claims",
      threat: GROUP_THREATS["time-claims"],
      tokens: [
        { name: "expired a minute ago", token: signed({ iat: now - 960, exp: now - 60 }) },
        { name: "expired beyond the 5 s tolerance", token: signed({ iat: now - 915, exp: now - 15 }) },
        { name: "exp missing", token: signed({}, ["exp"]) },
        { name: "exp a string", token: signed({ exp: String(now + 900) }) },
        { name: "exp null", token: signed({ exp: null }) },
        { name: "exp a fraction", token: signed({ exp: now + 900.5 }) },
        { name: "lifetime of ten years", token: signed({ exp: now + 10 * 365 * 86_400 }) },
        { name: "nbf an hour ahead", token: signed({ nbf: now + 3600 }) },
        { name: "nbf a string", token: signed({ nbf: "0" }) },
        { name: "iat an hour ahead", token: signed({ iat: now + 3600, exp: now + 4500 }) },
        { name: "iat missing", token: signed({}, ["iat"]) },
        { name: "iat a string", token: signed({ iat: String(now) }) },
        { name: "iat negative, lifetime enormous", token: signed({ iat: -1 }) },
        // Numbers JSON.stringify cannot write: 1e999 parses as Infinity, -0 as zero.
        { name: "exp 1e999 (Infinity)", token: forge(header(), JSON.stringify(claims()).replace(/"exp":\d+/, '"exp":1e999'), rs256) },
        { name: "exp -0", token: forge(header(), JSON.stringify(claims()).replace(/"exp":\d+/, '"exp":-0'), rs256) },
      ],
    },
    {
      id: "iss-aud",
      threat: GROUP_THREATS["iss-aud"],
      tokens: [
        { name: "iss of another issuer", token: signed({ iss: "https://evil.example" }) },
        { name: "iss with a trailing slash", token: signed({ iss: `${input.admin.iss}/` }) },
        { name: "iss as https", token: signed({ iss: input.admin.iss.replace("http:", "https:") }) },
        { name: "iss an array holding ours", token: signed({ iss: [input.admin.iss] }) },
        { name: "iss null", token: signed({ iss: null }) },
        { name: "iss missing", token: signed({}, ["iss"]) },
        { name: "aud of another API", token: signed({ aud: "other-api" }) },
        { name: "aud an array without ours", token: signed({ aud: ["other-api"] }) },
        { name: "aud empty", token: signed({ aud: "" }) },
        { name: "aud with a trailing space", token: signed({ aud: "palisade-api " }) },
        { name: "aud an object", token: signed({ aud: { "palisade-api": true } }) },
        { name: "aud missing", token: signed({}, ["aud"]) },
      ],
    },
    {
      id: "typ-confusion",
      threat: GROUP_THREATS["typ-confusion"],
      tokens: [
        { name: "typ JWT", token: forge(header({ typ: "JWT" }), claims(), rs256) },
        { name: "typ missing", token: forge(without(header(), "typ"), claims(), rs256) },
        { name: "client_id missing (outside the RFC 9068 profile)", token: signed({}, ["client_id"]) },
        { name: "client_id of a service client on a person's token", token: signed({ client_id: "A".repeat(22) }) },
        { name: "client_id of another app", token: signed({ client_id: "other-app" }) },
        { name: "typ id_token+jwt", token: forge(header({ typ: "id_token+jwt" }), claims(), rs256) },
        { name: "typ at+jwt with an extra suffix", token: forge(header({ typ: "at+jwt+evil" }), claims(), rs256) },
        { name: "the refresh token's value", token: input.refreshToken },
        {
          name: "an OIDC ID token signed with our key",
          token: forge(
            header({ typ: "JWT" }),
            {
              iss: input.admin.iss,
              aud: "palisade-web",
              sub: input.admin.sub,
              nonce: "n-0S6_WzA2Mj",
              auth_time: now,
              email: "admin@example.com",
              email_verified: true,
              iat: now,
              exp: now + 900,
            },
            rs256,
          ),
        },
        {
          name: "an ID token from another provider",
          token: forge(
            { alg: "RS256", typ: "JWT", kid: attacker.kid },
            { iss: "https://accounts.example", aud: "palisade-api", sub: input.admin.sub, iat: now, exp: now + 900 },
            byAttacker,
          ),
        },
        { name: "a service token whose sid is not its subject", token: forge(header(), { ...claims(), role: "service", scope: "reports:read" }, rs256) },
        { name: "a role the app does not know", token: forge(header(), { ...claims(), role: "superuser" }, rs256) },
      ],
    },
    {
      id: "crit-b64",
      threat: GROUP_THREATS["crit-b64"],
      tokens: [
        { name: "crit with an unknown extension", token: forge(header({ crit: ["urn:palisade:unknown"], "urn:palisade:unknown": true }), claims(), rs256) },
        { name: "crit naming a registered claim", token: forge(header({ crit: ["exp"] }), claims(), rs256) },
        { name: "crit empty", token: forge(header({ crit: [] }), claims(), rs256) },
        { name: "crit naming a missing parameter", token: forge(header({ crit: ["x-missing"] }), claims(), rs256) },
        {
          name: "b64 false with crit b64 (RFC 7797)",
          token: (() => {
            const head = b64u(JSON.stringify(header({ b64: false, crit: ["b64"] })));
            const payload = JSON.stringify(claims());
            return `${head}.${payload.includes(".") ? b64u(payload) : payload}.${b64u(rs256(Buffer.from(`${head}.${payload}`)))}`;
          })(),
        },
        { name: "b64 false without crit", token: forge(header({ b64: false }), claims(), rs256) },
      ],
    },
    {
      id: "malformed",
      threat: GROUP_THREATS["malformed"],
      tokens: [
        { name: "a single segment", token: "eyJhbGciOiJSUzI1NiJ9" },
        { name: "three empty segments", token: ".." },
        { name: "four segments", token: `${genuine()}.extra` },
        { name: "five segments (JWE shape)", token: `${encodedHeader}.a.b.c.d` },
        { name: "header not JSON", token: `${b64u("{alg:RS256")}.${encodedPayload}.${signature}` },
        { name: "payload not JSON", token: forge(header(), "not json", rs256) },
        { name: "payload a JSON array", token: forge(header(), "[]", rs256) },
        { name: "payload JSON null", token: forge(header(), "null", rs256) },
        { name: "payload a JSON string", token: forge(header(), '"admin"', rs256) },
        { name: "header a JSON array", token: `${b64u('["RS256"]')}.${encodedPayload}.${signature}` },
        { name: "base64 padding", token: `${encodedHeader}==.${encodedPayload}.${signature}` },
        { name: "standard base64 alphabet", token: `${Buffer.from(JSON.stringify(header())).toString("base64")}.${encodedPayload}.${signature}` },
        { name: "invalid UTF-8 in the payload", token: forge(header(), Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString("latin1"), rs256) },
        { name: "header with duplicate alg, last none", token: forge(`{"alg":"RS256","typ":"at+jwt","kid":"${ours.kid}","alg":"none"}`, claims()) },
        {
          name: "header with duplicate alg, last HS256 signed with the PEM",
          token: forge(`{"alg":"RS256","typ":"at+jwt","kid":"${ours.kid}","alg":"HS256"}`, claims(), signers.hmac("sha256", publicPem)),
        },
        { name: "payload with duplicate aud, last foreign", token: forge(header(), `${JSON.stringify(claims()).slice(0, -1)},"aud":"other-api"}`, rs256) },
        { name: "payload with duplicate exp, last expired", token: forge(header(), `${JSON.stringify(claims()).slice(0, -1)},"exp":${now - 60}}`, rs256) },
        { name: "payload with a __proto__ key", token: forge(header(), `${JSON.stringify(claims()).slice(0, -1)},"__proto__":{"role":"admin"}}`, byAttacker) },
      ],
    },
    {
      id: "oversize",
      threat: GROUP_THREATS["oversize"],
      // 0: the server closed the connection before answering (a header far over its limit).
      alsoRefusedWith: [0, 400, 413, 431],
      tokens: [
        { name: "16 KiB token", token: forge(header(), { ...claims(), pad: "A".repeat(16 * 1024) }, rs256) },
        { name: "1 MiB token", token: forge(header(), { ...claims(), pad: "A".repeat(1024 * 1024) }, rs256) },
        { name: "just over the 4 KiB cap", token: forge(header(), { ...claims(), pad: "A".repeat(3 * 1024) }, rs256) },
      ],
    },
    {
      id: "weak-secret",
      threat: GROUP_THREATS["weak-secret"],
      tokens: WEAK_SECRETS.flatMap((secret) => [
        { name: `HS256 with ${JSON.stringify(secret)} under our kid`, token: hs256(secret) },
        { name: `HS256 with ${JSON.stringify(secret)} without kid`, token: forge({ alg: "HS256", typ: "JWT" }, claims(), signers.hmac("sha256", secret)) },
      ]),
    },
  ];
  return groups;
}

/** A genuine token for `base`, signed with the app's key: the control every attack is measured against. */
export async function genuineToken(privateKeyPem: string, base: ClaimsBase, overrides: Json = {}): Promise<string> {
  const ours = await keyMaterial(privateKeyPem);
  return forge({ alg: "RS256", typ: "at+jwt", kid: ours.kid }, accessClaims(base, overrides), signers.rsa("sha256", ours.privateKey));
}
