import { endpoint, notFound } from "@/lib/http/endpoint";
import { json } from "@/lib/http/handler";
import { ClientParams, PublicServiceClientSchema, setServiceClientDisabled, UpdateClientSchema } from "@/lib/service-clients/clients";

/** `{disabled}`: a disabled client gets no new token, and the tokens it holds stop working at once. */
export const PATCH = endpoint(
  {
    summary: "Disable or enable a service client",
    access: { permission: "client:update" },
    sensitive: true,
    params: ClientParams,
    body: { kind: "json", schema: UpdateClientSchema, example: { disabled: true } },
    responses: { 200: { description: "The client as changed", schema: PublicServiceClientSchema } },
    problems: ["ERR_NOT_FOUND"],
  },
  async ({ actor, params, body, db, context }) => {
    const client = await setServiceClientDisabled(db, actor.id, params.id, body.disabled, context);
    if (client === null) throw notFound("No such client.");
    return json(client);
  },
);
