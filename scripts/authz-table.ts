/**
 * `npm run authz:table`: regenerate docs/authorization.md from the policy and the authorization
 * matrix. `--check` writes nothing and exits 1 when the committed page is stale.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { renderAuthorizationDoc } from "../tests/support/authz-doc";

/* eslint-disable no-console -- a command-line script reports to its terminal */

const target = path.resolve(import.meta.dirname, "../docs/authorization.md");
const rendered = renderAuthorizationDoc();

if (process.argv.includes("--check")) {
  let current = "";
  try {
    current = readFileSync(target, "utf8");
  } catch {
    // A missing page is as stale as a wrong one.
  }
  if (current !== rendered) {
    console.error("docs/authorization.md is stale: run `npm run authz:table`.");
    process.exitCode = 1;
  } else {
    console.log("docs/authorization.md is up to date.");
  }
} else {
  writeFileSync(target, rendered);
  console.log(`Wrote ${path.relative(process.cwd(), target)}.`);
}
