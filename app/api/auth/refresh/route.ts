import { endpoint } from "@/lib/http/endpoint";
import { REFRESH_COOKIE } from "@/lib/auth/cookie-names";
import { SESSION_COOKIES_SET, SignedInSchema } from "@/lib/auth/issue";
import { refreshSession } from "@/lib/auth/refresh-response";

/** Rotates the refresh token; see lib/auth/sessions.ts. */
export const POST = endpoint(
  {
    summary: "Rotate the refresh token and get a fresh access token",
    description: "A token used twice revokes its whole family (reuse detection); see docs/tokens.md.",
    access: { public: "the refresh cookie authenticates it" },
    cookie: REFRESH_COOKIE,
    responses: {
      200: {
        description: "A fresh access token, and a new refresh token unless another request just rotated it",
        schema: SignedInSchema,
        headers: SESSION_COOKIES_SET,
      },
    },
    problems: ["ERR_REFRESH_INVALID", "ERR_REFRESH_REUSED"],
  },
  async ({ request, db, context, log }) => refreshSession(db, request, context, log),
);
