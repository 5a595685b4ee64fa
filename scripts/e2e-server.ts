/**
 * The server the end-to-end tests run against: a production build (`next build` then
 * `next start`) on the embedded database, in a data directory wiped for each run so no test
 * depends on an earlier run's leftovers.
 */
import { spawn, execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";

const dataDir = process.env.DATA_DIR ?? ".data/e2e";
// Refuse to wipe anything outside the project's local data directory.
if (!path.resolve(dataDir).startsWith(path.resolve(".data") + path.sep)) throw new Error(`DATA_DIR ${dataDir} is outside .data/`);
const port = process.env.PORT ?? "3100";
rmSync(path.resolve(dataDir), { recursive: true, force: true });

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
execFileSync(npm, ["run", "build"], { stdio: ["ignore", "inherit", "inherit"] });
const server = spawn(npm, ["start", "--", "--port", port], { stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => server.kill(signal));
server.on("exit", (code) => process.exit(code ?? 0));
