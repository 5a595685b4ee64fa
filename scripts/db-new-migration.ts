/**
 * `npm run db:migration:new -- --name add_notes`: write the SQL that takes the migration history
 * to the current `prisma/schema.prisma`, as a new `prisma/migrations/<timestamp>_<name>/`.
 *
 * Prisma computes the diff (`migrate diff --from-migrations`, replaying the history into a
 * throwaway in-memory database; see prisma/embedded-migrate-adapter.ts). Nothing is applied:
 * `npm run dev` / `npm run db:migrate` apply it (docs/decisions/001-…md).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

/* eslint-disable no-console -- a command-line script reports to its terminal */

const nameIndex = process.argv.indexOf("--name");
const name = nameIndex === -1 ? undefined : process.argv[nameIndex + 1];
if (name === undefined || !/^[a-z0-9_]{1,60}$/.test(name)) {
  console.error("Usage: npm run db:migration:new -- --name <snake_case_name>");
  process.exit(1);
}

const sql = execFileSync(
  "npx",
  ["prisma", "migrate", "diff", "--from-migrations", "prisma/migrations", "--to-schema-datamodel", "prisma/schema.prisma", "--script"],
  { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
);

if (!/^\s*[A-Z]/m.test(sql.replace(/^--.*$/gm, ""))) {
  console.log("db:migration:new: schema.prisma matches the migration history; nothing to write.");
  process.exit(0);
}

// Prisma's folder naming: a UTC timestamp to the second, then the name.
const stamp = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
const dir = path.join("prisma", "migrations", `${stamp}_${name}`);
mkdirSync(dir, { recursive: true });
writeFileSync(path.join(dir, "migration.sql"), sql);
console.log(`db:migration:new: wrote ${dir}/migration.sql. Review it, then run \`npm run db:migrate\` (or \`npm run dev\`).`);
