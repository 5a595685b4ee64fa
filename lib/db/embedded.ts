/**
 * The embedded database: Postgres compiled to WASM (PGlite), persisted under `DATA_DIR/pglite`.
 * Zero setup for `npm run dev`, and the same SQL dialect as production, so one schema and one
 * migration history serve both (docs/decisions/002-pglite-as-the-embedded-default.md).
 *
 * PGlite is single-process: two processes opening one data directory corrupt it. A lock file
 * holding the owner's PID makes a second process fail with a clear message instead, and a lock
 * left by a process that no longer exists is taken over.
 */
import { PGlite } from "@electric-sql/pglite";
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import path from "node:path";

export class EmbeddedDatabaseLockedError extends Error {
  constructor(dir: string, pid: number) {
    super(`The embedded database in ${dir} is open in another process (PID ${pid}). ` + "Stop it (is `npm run dev` or `npm start` running?) and try again.");
    this.name = "EmbeddedDatabaseLockedError";
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function acquireLock(dir: string): () => void {
  const lockPath = `${dir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      // `wx` fails if the file exists: creating it is the atomic "take the lock" step.
      const fd = openSync(lockPath, "wx", 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        rmSync(lockPath, { force: true });
      };
      process.once("exit", release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number(readFileSync(lockPath, "utf8"));
      if (owner === process.pid) throw new Error(`The embedded database in ${dir} is already open in this process.`);
      if (Number.isInteger(owner) && owner > 0 && processExists(owner)) throw new EmbeddedDatabaseLockedError(dir, owner);
      rmSync(lockPath, { force: true }); // stale: its owner is gone
    }
  }
  throw new Error(`Could not lock the embedded database in ${dir}.`);
}

export interface EmbeddedDatabase {
  db: PGlite;
  close(): Promise<void>;
}

/** Open (creating if needed) the persisted embedded database in `dataDir/pglite`. */
export async function openEmbeddedDatabase(dataDir: string): Promise<EmbeddedDatabase> {
  const dir = path.resolve(dataDir, "pglite");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const release = acquireLock(dir);
  try {
    const db = await PGlite.create(dir);
    return {
      db,
      async close() {
        try {
          await db.close();
        } finally {
          release();
        }
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}
