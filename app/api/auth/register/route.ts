import { endpoint } from "@/lib/http/endpoint";
import { registerUser } from "@/lib/auth/credentials";
import { SESSION_COOKIES_SET, sessionResponse, SignedInSchema } from "@/lib/auth/issue";
import { createSession } from "@/lib/auth/sessions";
import { RegisterSchema } from "@/lib/auth/schemas";

/** Creates a plain user (never any other role) and signs them in. */
export const POST = endpoint(
  {
    summary: "Create an account and sign in",
    access: { public: "creates the account" },
    body: { kind: "json", schema: RegisterSchema, example: { email: "ann@example.com", name: "Ann", password: "violet river morning tea" } },
    responses: { 201: { description: "Created and signed in: the session cookies are set", schema: SignedInSchema, headers: SESSION_COOKIES_SET } },
    problems: ["ERR_EMAIL_TAKEN"],
  },
  async ({ body, db, context }) => {
    const user = await registerUser(db, body, context);
    const session = await createSession(db, user.id, context);
    return sessionResponse(user, session.sessionId, session, 201);
  },
);
