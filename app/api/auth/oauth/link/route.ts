import { route } from "@/lib/http/handler";
import { confirmPendingLink, describePendingLink } from "@/lib/auth/oauth/confirm-link";

export const access = "public";

/**
 * Public (the pending-link cookie and the account's password authenticate it). After a provider
 * sign-in was refused because its verified email belongs to an existing account, GET says which
 * provider and account are waiting, and POST `{ password }` links them and signs in.
 * Rules: docs/decisions/031-account-linking-rules.md.
 */
export const GET = route(({ request }) => describePendingLink(request));
export const POST = route(({ request, requestId }) => confirmPendingLink(request, requestId));
