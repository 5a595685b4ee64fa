/**
 * The server the end-to-end tests run against: a production build (`next build` then
 * `next start`) on the embedded database, in a data directory wiped for each run so no test
 * depends on an earlier run's leftovers. Before the server starts (the embedded database allows
 * one process at a time) the schema is migrated and the suite's admin is created
 * (tests/e2e/support/seed-admin.ts).
 *
 * Its mail goes over SMTP to a real server on loopback that this process runs for the length of
 * the run (tests/e2e/support/mail-catcher.ts); the tests read the messages from it.
 */
import { spawn, execFileSync, type ExecFileSyncOptions } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { startMailCatcher } from "../tests/e2e/support/mail-catcher";

const dataDir = process.env.DATA_DIR ?? ".data/e2e";
// Refuse to wipe anything outside the project's local data directory.
if (!path.resolve(dataDir).startsWith(path.resolve(".data") + path.sep)) throw new Error(`DATA_DIR ${dataDir} is outside .data/`);
const port = process.env.PORT ?? "3100";

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const npx = process.platform === "win32" ? "npx.cmd" : "npx";
const inherit: ExecFileSyncOptions = { stdio: ["ignore", "inherit", "inherit"] };

async function main(): Promise<void> {
  // First, so a port already taken stops the run before the build, not at the first message.
  const mail = await startMailCatcher(Number(port));
  process.stdout.write(`e2e mail: SMTP ${mail.smtpUrl}, mailbox ${mail.mailboxUrl}\n`);

  rmSync(path.resolve(dataDir), { recursive: true, force: true });
  // `next build` with a custom NEXT_DIST_DIR adds that directory's generated types to
  // tsconfig.json; a test run must not leave the working tree modified, so put it back.
  const tsconfig = readFileSync("tsconfig.json", "utf8");
  try {
    execFileSync(npm, ["run", "build"], inherit);
  } finally {
    if (readFileSync("tsconfig.json", "utf8") !== tsconfig) writeFileSync("tsconfig.json", tsconfig);
  }
  execFileSync(npx, ["tsx", "scripts/db-migrate.ts", "--embedded-only"], inherit);
  execFileSync(npx, ["tsx", "--conditions=react-server", "tests/e2e/support/seed-admin.ts"], inherit);

  const server = spawn(npm, ["start", "--", "--port", port], { stdio: "inherit" });
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => server.kill(signal));
  server.on("exit", (code) => process.exit(code ?? 0));
}

main().catch((error: unknown) => {
  process.stderr.write(`e2e server: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
