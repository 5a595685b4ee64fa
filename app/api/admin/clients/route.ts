import { getDb } from "@/lib/db/client";
import { json, route } from "@/lib/http/handler";
import { assertNoQuery, parseQuery } from "@/lib/http/query";
import { readJson } from "@/lib/http/read-json";
import { requestContext } from "@/lib/http/request-context";
import { parseInput } from "@/lib/http/validate";
import { requirePermission } from "@/lib/auth/guards";
import { ClientListQuerySchema, CreateClientSchema, createServiceClient, listServiceClients } from "@/lib/service-clients/clients";

export const access = "admin";

/** Admin. Service clients, paged; secrets are never returned after creation. */
export const GET = route(async ({ request }) => {
  await requirePermission(request, "client:list");
  const query = parseQuery(ClientListQuerySchema, request.url);
  return json(await listServiceClients(await getDb(), query));
});

/** Admin. A new client and its secret: shown in this response once, and stored only as a hash. */
export const POST = route(async ({ request, requestId }) => {
  const admin = await requirePermission(request, "client:create");
  assertNoQuery(request.url);
  const input = parseInput(CreateClientSchema, await readJson(request));
  const created = await createServiceClient(await getDb(), { ...input, createdById: admin.id }, requestContext(request, requestId));
  return json(created, { status: 201 });
});
