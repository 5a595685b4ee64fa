import { z } from "zod";
import { endpoint } from "@/lib/http/endpoint";
import { BrokerParams, BrokerQuery, CsrfTokenSchema, handleBrokerRequest, SignInForm } from "@/lib/auth/oauth/broker";

// A provider's sign-in authenticates it; which endpoints exist below /api/auth, and what each reads, is the broker's own table.
const PUBLIC = "identity broker: the provider's sign-in authenticates it";
const BROKER_PROBLEMS = ["ERR_NOT_FOUND", "ERR_FORBIDDEN", "ERR_PROVIDER_UNAVAILABLE"] as const;
const REDIRECT = { description: "On to the provider, back to the app, or to the sign-in page with an outcome", contentType: "text/plain" };

/**
 * The identity broker (next-auth): sign-in with GitHub, Google or an OIDC provider, ending in our
 * own token pair. Static routes beside it (login, refresh, …) take precedence over this catch-all;
 * the endpoints it serves are listed in lib/auth/oauth/broker.ts, anything else is 404.
 */
export const GET = endpoint(
  {
    summary: "Identity broker: the CSRF token, starting a sign-in from a link, and the provider's callback",
    access: { public: PUBLIC },
    params: BrokerParams,
    query: BrokerQuery,
    responses: { 200: { description: "The CSRF token (`/api/auth/csrf`)", schema: CsrfTokenSchema }, 302: REDIRECT },
    problems: BROKER_PROBLEMS,
  },
  async ({ request, params, requestId, log }) => handleBrokerRequest({ request, segments: params.nextauth, requestId, log }),
);

export const POST = endpoint(
  {
    summary: "Identity broker: start a sign-in from a script",
    access: { public: PUBLIC },
    params: BrokerParams,
    // The broker reads the form itself, with its own smaller limit, and ignores any query.
    body: { kind: "form", schema: SignInForm, readBy: "handler", example: { csrfToken: "the token from GET /api/auth/csrf", callbackUrl: "/dashboard" } },
    responses: {
      200: { description: "Where to send the browser (`json=true`)", schema: z.strictObject({ url: z.string() }) },
      302: REDIRECT,
    },
    problems: [...BROKER_PROBLEMS, "ERR_VALIDATION", "ERR_FORBIDDEN_KEY", "ERR_BODY_TOO_LARGE", "ERR_UNSUPPORTED_MEDIA_TYPE"],
  },
  async ({ request, params, requestId, log }) => handleBrokerRequest({ request, segments: params.nextauth, requestId, log }),
);
