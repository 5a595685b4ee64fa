import { endpoint } from "@/lib/http/endpoint";
import { json } from "@/lib/http/handler";
import { pageSchema } from "@/lib/http/query";
import {
  ClientListQuerySchema,
  CreateClientSchema,
  CreatedServiceClientSchema,
  createServiceClient,
  listServiceClients,
  PublicServiceClientSchema,
} from "@/lib/service-clients/clients";

/** Service clients, paged; secrets are never returned after creation. */
export const GET = endpoint(
  {
    summary: "List service clients (never their secrets)",
    access: { permission: "client:list" },
    query: ClientListQuerySchema,
    responses: { 200: { description: "A page of service clients", schema: pageSchema(PublicServiceClientSchema) } },
  },
  async ({ query, db }) => json(await listServiceClients(db, query)),
);

/** A new client and its secret: shown in this response once, and stored only as a hash. */
export const POST = endpoint(
  {
    summary: "Create a service client and see its secret once",
    access: { permission: "client:create" },
    sensitive: true,
    body: { kind: "json", schema: CreateClientSchema, example: { name: "Nightly report", scopes: ["reports:read"] } },
    responses: { 201: { description: "The client, and its secret this one time", schema: CreatedServiceClientSchema } },
  },
  async ({ actor, body, db, context }) => json(await createServiceClient(db, { ...body, createdById: actor.id }, context), { status: 201 }),
);
