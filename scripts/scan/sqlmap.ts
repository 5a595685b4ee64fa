/**
 * sqlmap against one target: the request a legitimate caller sends, with every parameter in it
 * (JSON keys, form fields, query parameters, a marked path segment, input cookies) tried for
 * SQL injection. The app reaches the database only through Prisma's parameterised queries and
 * validates every input with a strict schema first, so the expected answer is "not injectable"
 * everywhere; this proves it from the outside.
 *
 * Settings and why:
 * - `--dbms=PostgreSQL`: both databases the app runs on are Postgres (PGlite is Postgres in WASM),
 *   so payloads for other engines would only cost time.
 * - `--level=1 --risk=1` for bodies, queries and paths (the parameters the app reads); `--level=2`
 *   where a cookie is itself input (the refresh token, looked up by its id), since level 2 is
 *   where sqlmap starts testing cookies, restricted to that cookie with `-p`.
 * - `--ignore-code=401,404`: several targets answer 401 once sqlmap has spent their session (a
 *   refresh token rotated, a session revoked), and a DELETE answers 404 once its first request
 *   removed the object; sqlmap stops at either otherwise, having tested nothing.
 * - `--flush-session` and an output directory under test-results/: every run starts clean.
 */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { SqlmapTarget } from "./targets";

export interface SqlmapRun {
  target: SqlmapTarget;
  /** Parameters sqlmap tested, as it names them ("JSON email", "#1*", "page"). */
  parameters: string[];
  injectable: string[];
  /** HTTP 5xx answers sqlmap saw: every one is a finding (input reached something unprepared). */
  serverErrors: number;
  /** sqlmap could not test the target at all (connection refused, a critical abort). */
  error: string | null;
  seconds: number;
}

export const SQLMAP_OUTPUT_DIR = path.resolve(import.meta.dirname, "../../test-results/security/sqlmap");

export function sqlmapArgs(target: SqlmapTarget, baseUrl: string, headers: Record<string, string>, cookie: string | null): string[] {
  const args = [
    "-u",
    `${baseUrl}${target.url}`,
    "--method",
    target.method,
    "--batch",
    "--flush-session",
    "--disable-coloring",
    "--skip-waf",
    "--dbms=PostgreSQL",
    "--threads=2",
    "--timeout=15",
    "--retries=1",
    "--ignore-code=401,404",
    "--output-dir",
    SQLMAP_OUTPUT_DIR,
    "--level",
    target.cookieParams === undefined ? "1" : "2",
    "--risk",
    "1",
  ];
  const allHeaders = { ...headers };
  if (target.body !== undefined) {
    args.push("--data", target.body.type === "json" ? JSON.stringify(target.body.value) : target.body.value);
    allHeaders["Content-Type"] = target.body.type === "json" ? "application/json" : "application/x-www-form-urlencoded";
  } else if (target.method !== "GET") {
    // sqlmap labels a body-less POST as a form; a JSON route refuses that type (415) before the handler.
    allHeaders["Content-Type"] = "application/json";
  }
  args.push(
    "--headers",
    Object.entries(allHeaders)
      .map(([name, value]) => `${name}: ${value}`)
      .join("\n"),
  );
  if (cookie !== null) args.push("--cookie", cookie);
  if (target.cookieParams !== undefined) args.push("-p", target.cookieParams.join(","));
  return args;
}

// sqlmap logs these as [CRITICAL] and then carries on (it retries, or compares by similarity).
const RECOVERABLE = [/heavily dynamic/, /considerable lagging/];

/**
 * Parse sqlmap's log: which parameters it finished testing, which it found injectable, and 5xx
 * counts. A parameter counts only once sqlmap reached a verdict on it. A target counts as not
 * tested when sqlmap gave up on it ([CRITICAL], or an [ERROR] that skips to the next target),
 * tested no parameter, or saw 403 or 415 answers: those come from the CSRF check and the
 * content-type rule at the edge, so its payloads never reached the handler.
 */
export function parseSqlmapOutput(output: string): Pick<SqlmapRun, "parameters" | "injectable" | "serverErrors" | "error"> {
  // sqlmap first says a parameter "appears to be … injectable", then checks for a false positive
  // and may withdraw it ("does not seem to be injectable"): its last word on a parameter counts.
  const verdicts = new Map<string, "injectable" | "clean">();
  for (const match of output.matchAll(/parameter '([^']+)' (?:(?:is|appears to be) '[^']+' (injectable)|does not seem to be injectable)/g)) {
    verdicts.set(match[1] as string, match[2] === undefined ? "clean" : "injectable");
  }
  // The closing summary lists only confirmed injection points ("Parameter: JSON email ((custom) POST)").
  const summary = output.split(/sqlmap identified the following injection point\(s\)/)[1] ?? "";
  for (const match of summary.matchAll(/^Parameter: (.+?) \((?:[^()]|\([^)]*\))*\)\s*$/gm)) verdicts.set(match[1] as string, "injectable");
  if (summary !== "" && ![...verdicts.values()].includes("injectable")) verdicts.set("(unnamed)", "injectable");
  const parameters = new Set(verdicts.keys());
  const injectable = new Set([...verdicts].filter(([, verdict]) => verdict === "injectable").map(([name]) => name));
  const codes = new Map<number, number>();
  for (const match of output.matchAll(/\b([1-5]\d\d) \([^)]*\) - (\d+) times/g))
    codes.set(Number(match[1]), (codes.get(Number(match[1])) ?? 0) + Number(match[2]));
  const serverErrors = [...codes].filter(([code]) => code >= 500).reduce((sum, [, count]) => sum + count, 0);
  const problems = [...output.matchAll(/\[(CRITICAL|ERROR)\] (.*)/g)]
    .filter((match) =>
      match[1] === "CRITICAL" ? !RECOVERABLE.some((pattern) => pattern.test(match[2] as string)) : /skipping to the next target/.test(match[2] as string),
    )
    .map((match) => (match[2] as string).trim())
    .filter((line) => !line.startsWith("all tested parameters do not appear to be injectable"));
  for (const code of [403, 415]) {
    if (codes.has(code)) problems.push(`${codes.get(code)} answers were ${code}: refused at the edge before the handler`);
  }
  // A run that tested nothing proves nothing, whatever sqlmap's last word was.
  if (parameters.size === 0 && problems.length === 0) problems.push("sqlmap tested no parameter");
  return { parameters: [...parameters], injectable: [...injectable], serverErrors, error: problems.length > 0 ? problems.join("; ") : null };
}

/** Run sqlmap; its whole log is kept in `logName` under the output directory, for reading a finding. */
export function runSqlmap(target: SqlmapTarget, args: string[], logName: string): Promise<SqlmapRun> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn("sqlmap", args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const finish = (error: string | null) => {
      mkdirSync(SQLMAP_OUTPUT_DIR, { recursive: true });
      writeFileSync(path.join(SQLMAP_OUTPUT_DIR, logName), output);
      resolve({ target, ...parseSqlmapOutput(output), ...(error === null ? {} : { error }), seconds: Math.round((Date.now() - started) / 1000) });
    };
    child.on("error", (error) => finish(error.message));
    child.on("exit", (code) => finish(code === 0 ? null : `sqlmap exited ${code}`));
  });
}
