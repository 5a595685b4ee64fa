/**
 * The JWKS document's shape (`GET /.well-known/jwks.json`), exactly: RSA public keys for RS256
 * signatures and nothing else, so a private member (`d`, `p`, `q`, …) can never be published.
 */
import { z } from "zod";

export const JwksSchema = z.strictObject({
  keys: z.array(z.strictObject({ kty: z.literal("RSA"), n: z.string(), e: z.string(), kid: z.string(), alg: z.literal("RS256"), use: z.literal("sig") })),
});
