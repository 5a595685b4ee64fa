/**
 * The scan's endpoint list: every method of every `app/**\/route.ts`, from the security suite's
 * route manifest (one inventory for the crawler and the scanners), as `METHOD /path`.
 */
import { buildManifest } from "../../tests/security/support/manifest";

export function apiRouteMethods(): string[] {
  return buildManifest()
    .filter((entry) => entry.kind === "api")
    .flatMap((entry) => (entry.methods ?? []).map((method) => `${method} ${entry.path}`));
}
