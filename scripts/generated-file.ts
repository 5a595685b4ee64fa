/**
 * What every generator script does with its output: write it, or with `--check` write nothing
 * and exit 1 when the committed file differs, so a stale generated file fails a check instead of
 * being found in review.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/* eslint-disable no-console -- a command-line script reports to its terminal */

export function writeOrCheck(target: string, rendered: string, regenerate: string): void {
  const name = path.relative(process.cwd(), target);
  if (!process.argv.includes("--check")) {
    writeFileSync(target, rendered);
    console.log(`Wrote ${name}.`);
    return;
  }
  let current = "";
  try {
    current = readFileSync(target, "utf8");
  } catch {
    // A missing file is as stale as a wrong one.
  }
  if (current !== rendered) {
    console.error(`${name} is stale: run \`${regenerate}\`.`);
    process.exitCode = 1;
  } else {
    console.log(`${name} is up to date.`);
  }
}

/** Run a script's async body, reporting a failure as one line and a non-zero exit. */
export function runScript(name: string, body: () => Promise<void>): void {
  body().catch((error: unknown) => {
    console.error(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  });
}
