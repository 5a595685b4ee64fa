import { route } from "@/lib/http/handler";
import { handleBrokerRequest } from "@/lib/auth/oauth/broker";

export const access = "public";

/**
 * Public. The identity broker (next-auth): sign-in with GitHub, Google or an OIDC provider, ending
 * in our own token pair. Static routes beside it (login, refresh, …) take precedence over this
 * catch-all; the endpoints it serves are listed in lib/auth/oauth/broker.ts, anything else is 404.
 */
const handler = route<{ nextauth: string[] }>(({ request, params, requestId, log }) =>
  handleBrokerRequest({ request, segments: params.nextauth, requestId, log }),
);

export { handler as GET, handler as POST };
