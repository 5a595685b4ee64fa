/**
 * Where to find a Chromium for the end-to-end tests. The system browser is preferred because
 * Playwright's own download host may be unreachable; `CHROMIUM_PATH` overrides everything.
 */
import { existsSync } from "node:fs";

const SYSTEM_CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"];

export function findBrowser(override: string | undefined): string | undefined {
  if (override !== undefined && override !== "") return existsSync(override) ? override : undefined;
  return SYSTEM_CANDIDATES.find((candidate) => existsSync(candidate));
}
