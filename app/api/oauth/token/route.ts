import { getDb } from "@/lib/db/client";
import { route } from "@/lib/http/handler";
import { requestContext } from "@/lib/http/request-context";
import { clientCredentialsGrant, OAuthError, oauthErrorResponse, tokenResponse } from "@/lib/service-clients/token-endpoint";

export const access = "public";

/**
 * Public (the client secret authenticates it). The OAuth 2.0 client credentials grant; answers
 * and errors are RFC 6749 JSON, not problem+json. See lib/service-clients/token-endpoint.ts.
 */
export const POST = route(async ({ request, requestId }) => {
  try {
    return tokenResponse(await clientCredentialsGrant(await getDb(), request, requestContext(request, requestId)));
  } catch (error) {
    if (error instanceof OAuthError) return oauthErrorResponse(error);
    throw error;
  }
});
