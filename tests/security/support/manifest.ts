/**
 * The app's route inventory (OWASP API9), derived from the file tree the router serves:
 * `app/**\/route.ts` (API endpoints, with the methods each exports), `app/**\/page.tsx` (pages) and
 * the metadata files Next.js serves from `app/` (favicon.ico, icon.svg). The generated list is
 * committed as tests/security/route-manifest.json, so a new endpoint shows up in review; a test
 * fails when the committed file is stale. Regenerate it with
 * `npx tsx tests/security/support/manifest.ts --write`.
 */
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const APP = path.join(ROOT, "app");
export const MANIFEST_FILE = path.join(ROOT, "tests/security/route-manifest.json");

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
/** Metadata files the router serves at the root under their own names. */
const METADATA_FILES = new Set([
  "favicon.ico",
  "icon.svg",
  "icon.png",
  "apple-icon.png",
  "robots.txt",
  "sitemap.xml",
  "manifest.webmanifest",
  "opengraph-image.png",
]);

export interface ManifestEntry {
  /** The URL path; `[id]` is one segment, `[...rest]` one or more. */
  path: string;
  kind: "api" | "page" | "static";
  /** For API routes: the methods the module exports. */
  methods?: string[];
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

/** `app/(auth)/signin/page.tsx` → `/signin`: route groups `(x)` are not part of the URL. */
function urlOf(file: string): string {
  const segments = path
    .relative(APP, path.dirname(file))
    .split(path.sep)
    .filter((segment) => segment !== "" && !/^\(.*\)$/.test(segment));
  return `/${segments.join("/")}`;
}

function exportedMethods(source: string): string[] {
  return METHODS.filter((method) => new RegExp(`export\\s+(const|async\\s+function|function)\\s+${method}\\b|\\bas\\s+${method}\\b`).test(source));
}

export function buildManifest(): ManifestEntry[] {
  const entries: ManifestEntry[] = [];
  for (const file of filesUnder(APP)) {
    const name = path.basename(file);
    if (name === "route.ts") entries.push({ path: urlOf(file), kind: "api", methods: exportedMethods(readFileSync(file, "utf8")) });
    else if (name === "page.tsx") entries.push({ path: urlOf(file), kind: "page" });
    else if (METADATA_FILES.has(name) && path.dirname(file) === APP) entries.push({ path: `/${name}`, kind: "static" });
  }
  return entries.sort((a, b) => a.path.localeCompare(b.path));
}

export function committedManifest(): ManifestEntry[] | null {
  return existsSync(MANIFEST_FILE) ? (JSON.parse(readFileSync(MANIFEST_FILE, "utf8")) as ManifestEntry[]) : null;
}

export function manifestIsCurrent(): boolean {
  return JSON.stringify(committedManifest()) === JSON.stringify(buildManifest());
}

const TEMPLATE_SEGMENT = /^\[(\.\.\.)?[A-Za-z]+\]$/;

/** The manifest entry a concrete path belongs to, if any. */
export function entryFor(manifest: readonly ManifestEntry[], pathname: string): ManifestEntry | undefined {
  const segments = pathname.split("/").filter((segment) => segment !== "");
  return manifest.find((entry) => {
    const template = entry.path.split("/").filter((segment) => segment !== "");
    const catchAll = template.at(-1)?.startsWith("[...") === true;
    if (catchAll ? segments.length < template.length : segments.length !== template.length) return false;
    return template.every((part, i) => (TEMPLATE_SEGMENT.test(part) ? segments[i] !== undefined : part === segments[i]));
  });
}

if (process.argv.includes("--write")) {
  // One entry per line, so a new route is one added line in review.
  writeFileSync(
    MANIFEST_FILE,
    `[\n${buildManifest()
      .map((entry) => `  ${JSON.stringify(entry)}`)
      .join(",\n")}\n]\n`,
  );
  process.stdout.write(`wrote ${path.relative(ROOT, MANIFEST_FILE)}\n`);
}
