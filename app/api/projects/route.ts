import { endpoint } from "@/lib/http/endpoint";
import { json } from "@/lib/http/handler";
import { pageSchema } from "@/lib/http/query";
import { ownerScope } from "@/lib/authz/policy";
import { createProject, CreateProjectSchema, listProjects, ProjectListQuerySchema, PublicProjectSchema } from "@/lib/projects/projects";

export const GET = endpoint(
  {
    summary: "List the caller's own projects",
    access: { permission: "project:list" },
    query: ProjectListQuerySchema,
    responses: { 200: { description: "A page of the caller's projects", schema: pageSchema(PublicProjectSchema) } },
  },
  async ({ actor, query, db }) => json(await listProjects(db, ownerScope(actor), query)),
);

export const POST = endpoint(
  {
    summary: "Create a project owned by the caller",
    access: { permission: "project:create" },
    body: { kind: "json", schema: CreateProjectSchema, example: { name: "Garden" } },
    responses: { 201: { description: "The new project", schema: PublicProjectSchema } },
  },
  async ({ actor, body, db }) => json(await createProject(db, ownerScope(actor), body), { status: 201 }),
);
