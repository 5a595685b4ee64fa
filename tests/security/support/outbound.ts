/**
 * Where server code can reach out to the network (OWASP API7, SSRF). The black-box test
 * (tests/security/ssrf.test.ts) shows that no endpoint fetches a URL a client supplies today;
 * this static guard keeps it that way: every outbound call site in app/, lib/ and middleware.ts
 * must be on the allow-list below with its reason, so a new one is a reviewed decision.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const SCANNED = ["app", "lib", "middleware.ts"];
const SKIPPED = new Set(["lib/db/generated"]);

// fetch() in any spelling (`fetch(`, `deps.fetch(`, `window.fetch(`), Node's HTTP clients, sockets and XHR.
const OUTBOUND =
  /\bfetch\s*\(|\bhttps?\.(request|get)\s*\(|\bnet\.connect\s*\(|\bnew\s+(WebSocket|XMLHttpRequest|EventSource)\b|\bfrom\s+["'](axios|got|node-fetch|undici)["']/g;

/**
 * Every file allowed to make outbound calls, and why none of them takes its URL from a client.
 * The values are the number of call sites, so a second call in an allowed file is reviewed too.
 */
export const ALLOWED_OUTBOUND_CALLS: Record<string, number> = {
  // GitHub's user and email APIs, at a fixed https://api.github.com URL, with the provider's token.
  "lib/auth/oauth/providers.ts": 2,
  // Browser code: the SPA calls its own API by relative path (same origin), never a server.
  "lib/client/api.ts": 1,
  "lib/client/browser.ts": 2,
  "lib/client/session-sync.ts": 2,
};

function filesUnder(entry: string): string[] {
  const full = path.join(ROOT, entry);
  if (SKIPPED.has(entry)) return [];
  if (!statSync(full).isDirectory()) return /\.(ts|tsx|mts|js|mjs)$/.test(entry) ? [entry] : [];
  return readdirSync(full).flatMap((name) => filesUnder(path.posix.join(entry, name)));
}

/** Each scanned file with outbound call sites, and how many. */
export function outboundCallSites(): Record<string, number> {
  const sites: Record<string, number> = {};
  for (const file of SCANNED.flatMap(filesUnder).sort()) {
    // Comments may mention fetch(); only code counts.
    const code = readFileSync(path.join(ROOT, file), "utf8").replace(/\/\*[\s\S]*?\*\/|(^|[^:])\/\/.*$/gm, "$1");
    const count = code.match(OUTBOUND)?.length ?? 0;
    if (count > 0) sites[file] = count;
  }
  return sites;
}
