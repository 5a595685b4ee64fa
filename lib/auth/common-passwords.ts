/**
 * The bundled list of common passwords (lib/auth/data/common-passwords.txt, source named in its
 * header), loaded once into a Set on first use: about 49,000 entries, a few MB of memory, and
 * O(1) lookups. Comparison is case-insensitive after NFC normalisation.
 */
import "server-only";
import { readFileSync } from "node:fs";
import path from "node:path";

let common: Set<string> | undefined;

function load(): Set<string> {
  const file = path.join(process.cwd(), "lib", "auth", "data", "common-passwords.txt");
  const entries = readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("# "))
    .map((line) => line.normalize("NFC").toLowerCase());
  return new Set(entries);
}

export function isCommonPassword(password: string): boolean {
  common ??= load();
  return common.has(password.normalize("NFC").toLowerCase());
}

export function commonPasswordCount(): number {
  common ??= load();
  return common.size;
}
