import { endpoint } from "@/lib/http/endpoint";
import { json } from "@/lib/http/handler";
import { listSignInMethods, SignInMethodsSchema } from "@/lib/auth/oauth/sign-in-methods";

/** The caller's own ways in: the password (whether there is one) and every linked provider. */
export const GET = endpoint(
  {
    summary: "The caller's own sign-in methods",
    access: { permission: "account:read" },
    responses: { 200: { description: "Whether there is a password, and each linked provider with when it was linked", schema: SignInMethodsSchema } },
  },
  async ({ actor, db }) => json(await listSignInMethods(db, actor.id)),
);
