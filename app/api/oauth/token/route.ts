import { endpoint } from "@/lib/http/endpoint";
import { OAuthErrorSchema, TokenRequestForm, TokenResponseSchema, tokenEndpoint } from "@/lib/service-clients/token-endpoint";

/**
 * The OAuth 2.0 client credentials grant; answers and errors are RFC 6749 JSON, not problem+json,
 * so the handler reads its own request. See lib/service-clients/token-endpoint.ts.
 */
export const POST = endpoint(
  {
    summary: "Get a service token (OAuth 2.0 client credentials grant)",
    description: "Authenticate with HTTP Basic or client_id and client_secret in the body, never both. Errors are RFC 6749 §5.2 JSON.",
    access: { public: "the client secret authenticates it" },
    body: { kind: "form", schema: TokenRequestForm, readBy: "handler", example: { grant_type: "client_credentials", scope: "reports:read" } },
    responses: {
      200: { description: "An access token for the granted scopes", schema: TokenResponseSchema },
      400: { description: "The request is malformed, or asks for a grant type or scope this client cannot have", schema: OAuthErrorSchema },
      401: { description: "Client authentication failed", schema: OAuthErrorSchema },
    },
  },
  async ({ request, db, context }) => tokenEndpoint(db, request, context),
);
