import { endpoint } from "@/lib/http/endpoint";
import { json } from "@/lib/http/handler";
import { removeOwnPasskey, renameOwnPasskey } from "@/lib/auth/mfa/manage-passkeys";
import { PasskeyParams, PublicPasskeySchema, RenamePasskeySchema } from "@/lib/auth/mfa/passkey-public";

/** Renames or removes one of the caller's own passkeys; anyone else's is a 404, as if it did not exist. */
export const PATCH = endpoint(
  {
    summary: "Rename one of the caller's passkeys",
    access: { permission: "account:update" },
    params: PasskeyParams,
    body: { kind: "json", schema: RenamePasskeySchema, example: { name: "Work laptop" } },
    responses: { 200: { description: "The renamed passkey", schema: PublicPasskeySchema } },
    problems: ["ERR_NOT_FOUND"],
  },
  async ({ actor, params, body, db, context }) => json(await renameOwnPasskey(db, actor, params.id, body.name, context)),
);

export const DELETE = endpoint(
  {
    summary: "Remove one of the caller's passkeys",
    description:
      "Needs a recent authentication (RFC 9470 step-up). The recovery codes go too when this was the account's last second factor. Every other session ends.",
    access: { permission: "account:update" },
    sensitive: true,
    params: PasskeyParams,
    responses: { 204: { description: "Removed; every other session is ended" } },
    problems: ["ERR_STEP_UP_REQUIRED", "ERR_NOT_FOUND"],
  },
  async ({ actor, params, db, context }) => {
    await removeOwnPasskey(db, actor, params.id, context);
    return new Response(null, { status: 204 });
  },
);
