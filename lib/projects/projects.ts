/**
 * Projects: the schemas of what a client may send and receive, and the only queries of the
 * Project table for a person. Every query takes an OwnerScope (lib/authz/policy.ts), which only
 * the authenticated actor can produce, and puts the owner in its `where` clause: someone else's
 * project and one that never existed are the same "nothing", so the handler answers both with
 * the same 404 (OWASP API1). Bodies are strict objects, so an `ownerId` in one is a 400 (API3).
 */
import "server-only";
import { z } from "zod";
import type { Db } from "../db/client";
import type { OwnerScope } from "../authz/policy";
import { pagedQuery, pageWindow, type Page } from "../http/query";
import { storableText } from "../http/text";

const Name = storableText(z.string().trim().min(1, { message: "Name the project." }).max(100, { message: "Use at most 100 characters." }));

export const CreateProjectSchema = z.strictObject({ name: Name });
export const UpdateProjectSchema = z.strictObject({ name: Name });
export const ProjectParams = z.strictObject({ id: z.string().regex(/^[a-z0-9]{20,32}$/, { message: "Not a project id." }) });
export const ProjectListQuerySchema = pagedQuery({ sorts: { created_at: "desc", name: "asc" }, defaultSort: "created_at" });

export const PublicProjectSchema = z.strictObject({ id: z.string(), name: z.string(), createdAt: z.iso.datetime(), updatedAt: z.iso.datetime() });
export type PublicProject = z.infer<typeof PublicProjectSchema>;

const select = { id: true, name: true, createdAt: true, updatedAt: true } as const;
const SORT_COLUMN = { created_at: "createdAt", name: "name" } as const;

function toPublic(project: { id: string; name: string; createdAt: Date; updatedAt: Date }): PublicProject {
  return { id: project.id, name: project.name, createdAt: project.createdAt.toISOString(), updatedAt: project.updatedAt.toISOString() };
}

export async function listProjects(db: Db, owner: OwnerScope, query: z.output<typeof ProjectListQuerySchema>): Promise<Page<PublicProject>> {
  const where = { ownerId: owner.ownerId };
  const [rows, total] = await Promise.all([
    db.project.findMany({ where, orderBy: [{ [SORT_COLUMN[query.sort]]: query.order }, { id: query.order }], ...pageWindow(query), select }),
    db.project.count({ where }),
  ]);
  return { items: rows.map(toPublic), page: query.page, limit: query.limit, total };
}

export async function createProject(db: Db, owner: OwnerScope, input: z.output<typeof CreateProjectSchema>): Promise<PublicProject> {
  return toPublic(await db.project.create({ data: { ownerId: owner.ownerId, name: input.name }, select }));
}

export async function findProject(db: Db, owner: OwnerScope, id: string): Promise<PublicProject | null> {
  const project = await db.project.findFirst({ where: { id, ownerId: owner.ownerId }, select });
  return project === null ? null : toPublic(project);
}

export async function updateProject(db: Db, owner: OwnerScope, id: string, input: z.output<typeof UpdateProjectSchema>): Promise<PublicProject | null> {
  const [project] = await db.project.updateManyAndReturn({ where: { id, ownerId: owner.ownerId }, data: { name: input.name }, select });
  return project === undefined ? null : toPublic(project);
}

export async function deleteProject(db: Db, owner: OwnerScope, id: string): Promise<boolean> {
  return (await db.project.deleteMany({ where: { id, ownerId: owner.ownerId } })).count === 1;
}
