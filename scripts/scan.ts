/**
 * `npm run scan`: attack the production build with two scanners nobody here wrote.
 *
 * - sqlmap against every route in the manifest that takes input (JSON bodies, forms, query
 *   strings, path segments and the refresh cookie), signed in where the route needs it.
 * - The MDN HTTP Observatory against the app served over local HTTPS, with an http→https redirect.
 *
 * The app runs as a self-hosted deployment would (scripts/scan/stack.ts). Findings, and any
 * error that stopped a scanner, make the exit code 1; a scanner that is not installed is skipped
 * with the command that installs it. Results go to test-results/security/scan.json; with
 * `--record` also to docs/security-scan-record.json, which the scorecard cites.
 *
 *   npm run scan                          both scanners
 *   npm run scan -- --only=sqlmap         one of them (sqlmap | observatory)
 *   npm run scan -- --record              and update the committed record
 *   npm run scan -- --only=sqlmap --match=/api/notes   only the sqlmap targets whose URL contains it
 *
 * docs/security-scanning.md explains each setting.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ensureObservatory, OBSERVATORY_VERSION, runObservatory, type ObservatoryResult } from "./scan/observatory";
import { runSqlmap, SQLMAP_OUTPUT_DIR, sqlmapArgs, type SqlmapRun } from "./scan/sqlmap";
import { PUBLIC_HOST, startScanStack, type Principal, type ScanStack } from "./scan/stack";
import { ownedCollections, OWN_SESSION, sqlmapTargets, uncovered, type OwnedObjects, type TargetIds } from "./scan/targets";
import type { OpenApiDocument } from "../lib/http/openapi";
import { localTls, startTlsFront } from "./scan/tls";
import { SCAN_RECORD_PATH, type ScanRecord } from "./scorecard/join";
import { apiRouteMethods } from "./scan/targets-manifest";

const ROOT = path.resolve(import.meta.dirname, "..");
const print = (line: string) => process.stdout.write(`${line}\n`);

interface SqlmapSummary {
  endpoints: number;
  parameters: number;
  injectable: number;
  serverErrors: number;
  errors: number;
  runs: SqlmapRun[];
}

async function json<T>(response: Response, expected: number, what: string): Promise<T> {
  if (response.status !== expected) throw new Error(`${what} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

/** The API as the contracts describe it: the owner-scoped resources' targets are derived from it. */
function apiDocument(): OpenApiDocument {
  return JSON.parse(readFileSync(path.join(ROOT, "docs/openapi.json"), "utf8")) as OpenApiDocument;
}

async function prepareIds(stack: ScanStack, admin: Principal, document: OpenApiDocument): Promise<TargetIds> {
  const owned: Record<string, OwnedObjects> = {};
  for (const { collection, example } of ownedCollections(document)) {
    const make = async () => (await json<{ id: string }>(await stack.call("POST", collection, admin, example), 201, `creating an object at ${collection}`)).id;
    owned[collection] = { id: await make(), doomedId: await make() };
  }
  const client = async () =>
    json<{ client: { clientId: string }; clientSecret: string }>(
      await stack.call("POST", "/api/admin/clients", admin, { name: "Scan client", scopes: ["reports:read"] }),
      201,
      "creating a service client",
    );
  const other = await stack.freshUser();
  // Without an admin (no Postgres) the client routes refuse; the token endpoint is then scanned with made-up credentials.
  const [scanClient, otherClient] = stack.admin === null ? [null, null] : [await client(), await client()];
  return {
    owned,
    otherUserId: other.userId,
    clientId: scanClient?.client.clientId ?? "AAAAAAAAAAAAAAAAAAAAAA",
    clientSecret: scanClient?.clientSecret ?? "not-a-secret",
    otherClientId: otherClient?.client.clientId ?? "BBBBBBBBBBBBBBBBBBBBBB",
  };
}

function sqlmapInstalled(): boolean {
  return spawnSync("sqlmap", ["--version"], { stdio: "ignore" }).status === 0;
}

async function scanSql(stack: ScanStack, match: string | undefined): Promise<SqlmapSummary | null> {
  if (!sqlmapInstalled()) {
    print("sqlmap: skipped: sqlmap not installed (apt-get install -y sqlmap)");
    return null;
  }
  if (stack.admin === null) print("sqlmap: no Postgres, so no admin: the admin routes are skipped (they answer a plain user 403 before reading input)");
  const admin = stack.admin ?? (await stack.freshUser());
  const document = apiDocument();
  const targets = sqlmapTargets(await prepareIds(stack, admin, document), stack.publicOrigin, document);
  const missing = uncovered(targets, apiRouteMethods());
  if (missing.length > 0) throw new Error(`routes with no sqlmap target and no NO_INPUT reason: ${missing.join(", ")} (scripts/scan/targets.ts)`);

  const headers = { Origin: stack.publicOrigin, "Sec-Fetch-Site": "same-origin" };
  // Logs and session files of an earlier scan would be read as this one's.
  rmSync(SQLMAP_OUTPUT_DIR, { recursive: true, force: true });
  const runs: SqlmapRun[] = [];
  const selected = targets.filter(
    (candidate) => (match === undefined || candidate.url.includes(match)) && (stack.admin !== null || !candidate.route.startsWith("/api/admin/")),
  );
  for (const target of selected) {
    let principal: Principal | null = target.as === "admin" ? admin : null;
    let url = target.url;
    if (target.as === "fresh-user") {
      principal = await stack.freshUser();
      if (url.includes(OWN_SESSION)) url = url.replace(OWN_SESSION, await stack.extraSession(principal));
    }
    const logName = `${String(runs.length + 1).padStart(2, "0")}-${target.method}-${target.route.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "")}.log`;
    const run = await runSqlmap(target, sqlmapArgs({ ...target, url }, stack.app.url, headers, principal?.cookie ?? null), logName);
    runs.push(run);
    const verdict = run.injectable.length > 0 ? `INJECTABLE: ${run.injectable.join(", ")}` : run.error !== null ? `ERROR: ${run.error}` : "not injectable";
    const errors = run.serverErrors > 0 ? `; ${run.serverErrors} server errors` : "";
    print(`sqlmap: ${target.method} ${target.url}: ${run.parameters.length} parameters, ${verdict}${errors} (${run.seconds}s)`);
  }
  return {
    endpoints: new Set(runs.map((run) => `${run.target.method} ${run.target.route}`)).size,
    parameters: runs.reduce((sum, run) => sum + run.parameters.length, 0),
    injectable: runs.reduce((sum, run) => sum + run.injectable.length, 0),
    serverErrors: runs.reduce((sum, run) => sum + run.serverErrors, 0),
    errors: runs.filter((run) => run.error !== null).length,
    runs,
  };
}

async function scanHeaders(stack: ScanStack): Promise<ObservatoryResult> {
  ensureObservatory(print);
  const tls = localTls(PUBLIC_HOST);
  const front = await startTlsFront({ host: PUBLIC_HOST, tls, upstream: stack.app.url });
  try {
    const result = await runObservatory({ host: PUBLIC_HOST, caCertFile: tls.caCertFile });
    for (const [name, test] of Object.entries(result.tests)) {
      print(`observatory: ${test.pass ? "pass" : "FAIL"} ${name}: ${test.result} (${test.scoreModifier >= 0 ? "+" : ""}${test.scoreModifier})`);
    }
    print(`observatory: grade ${result.grade}, score ${result.score}, ${result.testsPassed}/${result.testsTotal} tests passed`);
    return result;
  } finally {
    await front.close();
  }
}

async function main(): Promise<void> {
  const only = process.argv.find((arg) => arg.startsWith("--only="))?.slice("--only=".length);
  const record = process.argv.includes("--record");
  // For working on one route: `--match=/api/notes` scans only the targets whose URL contains it.
  const match = process.argv.find((arg) => arg.startsWith("--match="))?.slice("--match=".length);
  if (record && match !== undefined) throw new Error("--record needs the whole scan; drop --match");
  const started = Date.now();
  const stack = await startScanStack(print);
  print(`app: ${stack.mode} mode at ${stack.app.url} (APP_URL ${stack.publicOrigin}), ${stack.database} database, ${stack.store} rate-limit store`);
  // Assigned inside the attempts below; the assertion keeps the compiler from narrowing to null.
  let sqlmap = null as SqlmapSummary | null;
  let observatory = null as ObservatoryResult | null;
  // One scanner failing to run is an error to report, not a reason to lose the other's results.
  const failures: string[] = [];
  const attempt = async (name: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  try {
    if (only === undefined || only === "sqlmap") await attempt("sqlmap", async () => void (sqlmap = await scanSql(stack, match)));
    if (only === undefined || only === "observatory") await attempt("observatory", async () => void (observatory = await scanHeaders(stack)));
  } finally {
    await stack.stop();
  }

  const date = new Date().toISOString();
  const summary = {
    date,
    minutes: Math.round((Date.now() - started) / 6_000) / 10,
    environment: { mode: stack.mode, database: stack.database, store: stack.store, appUrl: stack.publicOrigin },
    sqlmap:
      sqlmap === null ? null : { endpoints: sqlmap.endpoints, parameters: sqlmap.parameters, injectable: sqlmap.injectable, serverErrors: sqlmap.serverErrors },
    observatory:
      observatory === null
        ? null
        : {
            version: OBSERVATORY_VERSION,
            grade: observatory.grade,
            score: observatory.score,
            testsPassed: observatory.testsPassed,
            testsTotal: observatory.testsTotal,
          },
  };
  const outDir = path.join(ROOT, "test-results/security");
  mkdirSync(outDir, { recursive: true });
  const targets = sqlmap?.runs.map((run) => ({
    method: run.target.method,
    url: run.target.url,
    parameters: run.parameters,
    injectable: run.injectable,
    serverErrors: run.serverErrors,
    error: run.error,
  }));
  writeFileSync(
    path.join(outDir, "scan.json"),
    `${JSON.stringify({ ...summary, sqlmapTargets: targets ?? [], observatoryTests: observatory?.tests ?? {} }, null, 2)}\n`,
  );
  // A record is what the scorecard cites; a scan that could not run a scanner does not replace it.
  if (record && failures.length > 0) print("scan: not recorded, because a scanner could not run");
  if (record && failures.length === 0) {
    const entry: ScanRecord = summary;
    writeFileSync(path.join(ROOT, SCAN_RECORD_PATH), `${JSON.stringify(entry, null, 2)}\n`);
    print(`recorded in ${SCAN_RECORD_PATH}`);
  }

  const findings = [
    ...failures,
    sqlmap !== null && sqlmap.injectable > 0 && `${sqlmap.injectable} injectable parameters`,
    sqlmap !== null && sqlmap.serverErrors > 0 && `${sqlmap.serverErrors} server errors under sqlmap`,
    sqlmap !== null && sqlmap.errors > 0 && `${sqlmap.errors} sqlmap runs that could not test their target`,
    observatory !== null && observatory.grade !== "A+" && `Observatory grade ${observatory.grade}`,
    observatory !== null && observatory.testsPassed < observatory.testsTotal && `${observatory.testsTotal - observatory.testsPassed} Observatory tests failed`,
  ].filter((finding): finding is string => typeof finding === "string");
  print(
    `scan: sqlmap ${sqlmap === null ? "skipped" : `${sqlmap.injectable} injectable of ${sqlmap.parameters} parameters on ${sqlmap.endpoints} endpoints`}; ` +
      `Observatory ${observatory === null ? "skipped" : `${observatory.grade} (${observatory.score}, ${observatory.testsPassed}/${observatory.testsTotal})`}; ${summary.minutes} min`,
  );
  if (findings.length > 0) {
    print(`scan: findings: ${findings.join("; ")}`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`scan failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
