/**
 * `npm run authz:table`: regenerate docs/authorization.md from the policy, the route contracts and
 * the authorization matrix. `--check` writes nothing and exits 1 when the committed page is stale.
 * Runs under `--conditions=react-server`, like `npm run openapi`, to import the route modules.
 */
import path from "node:path";
import { routeOperations } from "../lib/http/discover-routes";
import { renderAuthorizationDoc } from "../tests/support/authz-doc";
import { runScript, writeOrCheck } from "./generated-file";

const target = path.resolve(import.meta.dirname, "../docs/authorization.md");

runScript("authz:table", async () => writeOrCheck(target, renderAuthorizationDoc(await routeOperations()), "npm run authz:table"));
