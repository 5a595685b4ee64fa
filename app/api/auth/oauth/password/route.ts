import { endpoint } from "@/lib/http/endpoint";
import { addPassword } from "@/lib/auth/oauth/add-password";
import { AddPasswordSchema } from "@/lib/auth/schemas";

/**
 * Adds a first password to an account that signs in only through a provider; needs a sign-in in
 * the last 10 minutes, and ends every other session (lib/auth/oauth/add-password.ts).
 */
export const POST = endpoint(
  {
    summary: "Add a first password to a provider-only account",
    access: { permission: "account:update" },
    sensitive: true,
    body: { kind: "json", schema: AddPasswordSchema, example: { newPassword: "a long passphrase of my own" } },
    responses: { 204: { description: "Added; every other session is ended" } },
    problems: ["ERR_CONFLICT", "ERR_REAUTH_REQUIRED"],
  },
  async ({ actor, body, db, context }) => {
    await addPassword(db, actor, body, context);
    return new Response(null, { status: 204 });
  },
);
