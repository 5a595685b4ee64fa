import { endpoint } from "@/lib/http/endpoint";
import { json } from "@/lib/http/handler";
import { JwksSchema } from "@/lib/auth/jwks";
import { publicJwks } from "@/lib/auth/keys";

/**
 * The RS256 public keys that verify our access tokens. Cached for 10 minutes (with 1 hour
 * stale-while-revalidate): a new verification key must be published at least that long before it
 * signs anything (docs/tokens.md, "Rotating keys").
 */
export const GET = endpoint(
  {
    summary: "The public keys that verify access tokens",
    access: { public: "public keys" },
    database: false,
    responses: {
      200: {
        description: "A JWK Set (RFC 7517)",
        schema: JwksSchema,
        headers: { "Cache-Control": "`public, max-age=600, stale-while-revalidate=3600`: publish a new key at least that long before it signs." },
      },
    },
  },
  async () => json(await publicJwks(), { headers: { "cache-control": "public, max-age=600, stale-while-revalidate=3600" } }),
);
