/**
 * Integration global setup: find out which real services are reachable, say so in the output,
 * and hand the answer to the tests.
 */
import type { TestProject } from "vitest/node";
import { postgresAdminUrl, postgresAnswers, redisAnswers, redisUrl } from "./services";

declare module "vitest" {
  export interface ProvidedContext {
    postgresUrl: string | null;
    redisUrl: string | null;
  }
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password !== "") parsed.password = "***";
  return parsed.toString();
}

export default async function setup(project: TestProject): Promise<void> {
  const [postgres, redis] = await Promise.all([postgresAnswers(), redisAnswers()]);
  const required = process.env.CI === "true";
  const missing = [!postgres && "Postgres", !redis && "Redis"].filter(Boolean);
  if (required && missing.length > 0) {
    throw new Error(`CI requires the real services, but ${missing.join(" and ")} did not answer.`);
  }
  const targets = ["embedded PGlite", postgres ? `Postgres (${redact(postgresAdminUrl())})` : "Postgres: not reachable, skipped"];
  process.stdout.write(`\nintegration databases: ${targets.join("; ")}\nintegration redis: ${redis ? redact(redisUrl()) : "not reachable, skipped"}\n\n`);
  project.provide("postgresUrl", postgres ? postgresAdminUrl() : null);
  project.provide("redisUrl", redis ? redisUrl() : null);
}
