import { endpoint, notFound } from "@/lib/http/endpoint";
import { json } from "@/lib/http/handler";
import { ownerScope } from "@/lib/authz/policy";
import { deleteProject, findProject, ProjectParams, PublicProjectSchema, updateProject, UpdateProjectSchema } from "@/lib/projects/projects";

// Someone else's project and a missing one get this same answer, so ids reveal nothing (OWASP API1).
const NO_SUCH_PROJECT = "No such project.";

export const GET = endpoint(
  {
    summary: "Read one of the caller's projects",
    access: { permission: "project:read" },
    params: ProjectParams,
    responses: { 200: { description: "The project", schema: PublicProjectSchema } },
    problems: ["ERR_NOT_FOUND"],
  },
  async ({ actor, params, db }) => {
    const project = await findProject(db, ownerScope(actor), params.id);
    if (project === null) throw notFound(NO_SUCH_PROJECT);
    return json(project);
  },
);

export const PATCH = endpoint(
  {
    summary: "Rename one of the caller's projects",
    access: { permission: "project:update" },
    params: ProjectParams,
    body: { kind: "json", schema: UpdateProjectSchema, example: { name: "Vegetable garden" } },
    responses: { 200: { description: "The project as changed", schema: PublicProjectSchema } },
    problems: ["ERR_NOT_FOUND"],
  },
  async ({ actor, params, body, db }) => {
    const project = await updateProject(db, ownerScope(actor), params.id, body);
    if (project === null) throw notFound(NO_SUCH_PROJECT);
    return json(project);
  },
);

export const DELETE = endpoint(
  {
    summary: "Delete one of the caller's projects",
    access: { permission: "project:delete" },
    params: ProjectParams,
    responses: { 204: { description: "Deleted" } },
    problems: ["ERR_NOT_FOUND"],
  },
  async ({ actor, params, db }) => {
    if (!(await deleteProject(db, ownerScope(actor), params.id))) throw notFound(NO_SUCH_PROJECT);
    return new Response(null, { status: 204 });
  },
);
