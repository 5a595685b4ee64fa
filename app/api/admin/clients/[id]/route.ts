import { getDb } from "@/lib/db/client";
import { AppError } from "@/lib/http/errors";
import { json, route } from "@/lib/http/handler";
import { assertNoQuery } from "@/lib/http/query";
import { readJson } from "@/lib/http/read-json";
import { requestContext } from "@/lib/http/request-context";
import { parseInput } from "@/lib/http/validate";
import { requirePermission } from "@/lib/auth/guards";
import { ClientParams, setServiceClientDisabled, UpdateClientSchema } from "@/lib/service-clients/clients";

export const access = "admin";

/** Admin. `{disabled}`: a disabled client gets no new token, and the tokens it holds stop working at once. */
export const PATCH = route<{ id: string }>(async ({ request, params, requestId }) => {
  const admin = await requirePermission(request, "client:update");
  const { id } = parseInput(ClientParams, params);
  assertNoQuery(request.url);
  const { disabled } = parseInput(UpdateClientSchema, await readJson(request));
  const client = await setServiceClientDisabled(await getDb(), admin.id, id, disabled, requestContext(request, requestId));
  if (client === null) throw new AppError("ERR_NOT_FOUND", { detail: "No such client." });
  return json(client);
});
