/**
 * `npm run openapi`: regenerate docs/openapi.json from the route handlers' contracts
 * (lib/http/openapi.ts). `--check` writes nothing and exits 1 when the committed file is stale.
 *
 * Runs under `--conditions=react-server` (see package.json): the route modules import
 * "server-only", which throws under any other condition. Importing them reads lib/env.ts, which
 * needs no variables outside a deployment, and opens nothing: clients and keys are made on first use.
 */
import path from "node:path";
import { routeOperations } from "../lib/http/discover-routes";
import { openApiDocument, renderOpenApiDocument } from "../lib/http/openapi";
import { runScript, writeOrCheck } from "./generated-file";

/* eslint-disable no-console -- a command-line script reports to its terminal */

const root = path.resolve(import.meta.dirname, "..");

runScript("openapi", async () => {
  const operations = await routeOperations(root);
  for (const handler of operations.uncovered) {
    console.warn(`not documented: ${handler.method} ${handler.path} (${handler.module}) has no endpoint() contract`);
  }
  writeOrCheck(path.join(root, "docs/openapi.json"), renderOpenApiDocument(openApiDocument(operations)), "npm run openapi");
});
