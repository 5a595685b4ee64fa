import { endpoint } from "@/lib/http/endpoint";
import { json } from "@/lib/http/handler";
import { PENDING_LINK_COOKIE } from "@/lib/auth/cookie-names";
import { SESSION_COOKIES_SET, SignedInSchema } from "@/lib/auth/issue";
import { PENDING_SIGN_IN_SET, SecondFactorNeededSchema } from "@/lib/auth/mfa/second-step-response";
import { confirmPendingLink, ConfirmLinkSchema, describePendingLink, PendingLinkSchema } from "@/lib/auth/oauth/confirm-link";

const PUBLIC = "the pending-link cookie and the account's password authenticate it";

/**
 * After a provider sign-in was refused because its verified email belongs to an existing account,
 * GET says which provider and account are waiting, and POST `{ password }` links them and signs in.
 * Rules: docs/decisions/031-account-linking-rules.md.
 */
export const GET = endpoint(
  {
    summary: "The provider sign-in waiting to be linked",
    access: { public: PUBLIC },
    cookie: PENDING_LINK_COOKIE,
    responses: { 200: { description: "Which provider, and which account's email", schema: PendingLinkSchema } },
    problems: ["ERR_LINK_EXPIRED"],
  },
  async ({ request, db }) => json(await describePendingLink(db, request)),
);

export const POST = endpoint(
  {
    summary: "Link the waiting provider sign-in by confirming the account's password",
    access: { public: PUBLIC },
    cookie: PENDING_LINK_COOKIE,
    body: { kind: "json", schema: ConfirmLinkSchema, example: { password: "the account's current password" } },
    responses: {
      200: { description: "Linked and signed in: the session cookies are set", schema: SignedInSchema, headers: SESSION_COOKIES_SET },
      202: {
        description: "Linked; the account has a second factor: finish with `POST /api/auth/login/second-factor`",
        schema: SecondFactorNeededSchema,
        headers: PENDING_SIGN_IN_SET,
      },
    },
    problems: ["ERR_LINK_EXPIRED", "ERR_INVALID_CREDENTIALS", "ERR_CONFLICT", "ERR_RATE_LIMITED"],
  },
  async ({ request, body, db, context }) => confirmPendingLink(db, request, body, context),
);
