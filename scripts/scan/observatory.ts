/**
 * The MDN HTTP Observatory scanner, run against the app over local HTTPS.
 *
 * Why it is installed on demand into `.data/tools/observatory` with `--ignore-scripts`, and not as
 * a devDependency: it is a whole web service (fastify, Sentry, jsdom, a Postgres driver with a
 * native build) of which the scan uses only the command-line scanner. As a devDependency every
 * `npm ci` would pull that tree into the project's lockfile and install scripts, and its
 * postinstall downloads Chromium's HSTS preload list and a TLD list from the network. Kept in its
 * own directory, pinned, and installed only by someone who runs the scan, none of it touches the
 * app's dependency graph. Its install scripts never run; the preload list they would fetch is
 * written empty here (this app's host is in no preload list, so the result is the same), and the
 * TLD list is only used by its web API.
 *
 * The scanner takes a host name and always connects to ports 443 and 80, so the TLS front
 * (./tls.ts) listens there, and the scanner's process (and only it) resolves the scan's host to
 * 127.0.0.1 and trusts the local CA.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

export const OBSERVATORY_VERSION = "1.4.8";
const TOOL_DIR = path.resolve(import.meta.dirname, "../../.data/tools/observatory");
const PACKAGE_DIR = path.join(TOOL_DIR, "node_modules/@mdn/mdn-http-observatory");

export interface ObservatoryTest {
  pass: boolean;
  result: string;
  scoreModifier: number;
}

export interface ObservatoryResult {
  grade: string;
  score: number;
  testsPassed: number;
  testsTotal: number;
  tests: Record<string, ObservatoryTest>;
}

function installedVersion(): string | null {
  const manifest = path.join(PACKAGE_DIR, "package.json");
  if (!existsSync(manifest)) return null;
  return (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
}

/** Install the pinned scanner when it is missing; its install scripts never run. */
export function ensureObservatory(log: (line: string) => void): void {
  if (installedVersion() !== OBSERVATORY_VERSION) {
    log(`installing @mdn/mdn-http-observatory@${OBSERVATORY_VERSION} into .data/tools/observatory (scripts disabled)…`);
    mkdirSync(TOOL_DIR, { recursive: true });
    // Its own package.json, so npm never walks up into the app's manifest and lockfile.
    writeFileSync(path.join(TOOL_DIR, "package.json"), `${JSON.stringify({ name: "palisade-scan-tools", private: true }, null, 2)}\n`);
    execFileSync("npm", ["install", "--ignore-scripts", "--no-audit", "--no-fund", "--save-exact", `@mdn/mdn-http-observatory@${OBSERVATORY_VERSION}`], {
      cwd: TOOL_DIR,
      stdio: ["ignore", "ignore", "inherit"],
    });
  }
  // What the skipped postinstall would have downloaded: an empty preload list.
  writeFileSync(path.join(PACKAGE_DIR, "conf/hsts-preload.json"), "{}\n");
}

/** A module the scanner's process loads first: `host` resolves to loopback there and nowhere else. */
function resolverPatch(host: string): string {
  const file = path.join(TOOL_DIR, "resolve-scan-host.mjs");
  writeFileSync(
    file,
    `import dns from "node:dns";
const original = dns.lookup;
dns.lookup = function lookup(hostname, options, callback) {
  if (hostname !== ${JSON.stringify(host)}) return original.call(this, hostname, options, callback);
  const done = typeof options === "function" ? options : callback;
  const all = typeof options === "object" && options !== null && options.all === true;
  process.nextTick(() => (all ? done(null, [{ address: "127.0.0.1", family: 4 }]) : done(null, "127.0.0.1", 4)));
};
`,
  );
  return file;
}

interface RawScan {
  scan?: { grade: string; score: number; testsPassed: number; testsQuantity: number };
  tests?: Record<string, ObservatoryTest>;
  error?: string;
}

export async function runObservatory(options: { host: string; caCertFile: string }): Promise<ObservatoryResult> {
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", resolverPatch(options.host), path.join(PACKAGE_DIR, "src/scan.js"), options.host], {
      cwd: PACKAGE_DIR,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "production", NODE_EXTRA_CA_CERTS: options.caCertFile },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(stdout) : reject(new Error(`observatory exited ${code}: ${stdout}${stderr}`))));
  });
  const raw = JSON.parse(output) as RawScan;
  if (raw.scan === undefined || raw.tests === undefined) throw new Error(`observatory: ${raw.error ?? output}`);
  return {
    grade: raw.scan.grade,
    score: raw.scan.score,
    testsPassed: raw.scan.testsPassed,
    testsTotal: raw.scan.testsQuantity,
    tests: raw.tests,
  };
}
