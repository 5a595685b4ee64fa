import type { Metadata } from "next";
import { AppShell } from "@/components/layout/app-shell";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { card } from "@/components/ui/styles";
import { ownerScope } from "@/lib/authz/policy";
import { requireAccount } from "@/lib/auth/page-guards";
import { getDb } from "@/lib/db/client";
import { listProjects, ProjectListQuerySchema } from "@/lib/projects/projects";

export const metadata: Metadata = { title: "Projects" };

/** The caller's projects, read on the server through the same owner-scoped query as the API. */
export default async function ProjectsPage() {
  const account = await requireAccount("/projects");
  const projects = await listProjects(await getDb(), ownerScope(account.actor), ProjectListQuerySchema.parse({}));
  return (
    <AppShell account={account} section="projects">
      <PageHeader title="Projects" lead="Your projects. Only you can see them." />
      {projects.items.length === 0 ? (
        <EmptyState title="No projects yet" />
      ) : (
        <ul className={`${card} divide-y divide-slate-200 dark:divide-slate-800`}>
          {projects.items.map((project) => (
            <li key={project.id} className="p-4">
              {project.name}
            </li>
          ))}
        </ul>
      )}
    </AppShell>
  );
}
