import { json, route } from "@/lib/http/handler";
import { publicJwks } from "@/lib/auth/keys";

export const access = "public";

/**
 * Public. The RS256 public keys that verify our access tokens. Cached for 10 minutes (with
 * 1 hour stale-while-revalidate): a new verification key must be published at least that long
 * before it signs anything (docs/tokens.md, "Rotating keys").
 */
export const GET = route(async () => {
  return json(await publicJwks(), {
    headers: { "cache-control": "public, max-age=600, stale-while-revalidate=3600" },
  });
});
