/**
 * Makes sure a Chromium exists for the end-to-end tests, and says what it did.
 * 1. Reuse `CHROMIUM_PATH` or a system Chromium.
 * 2. Otherwise, as root on Debian/Ubuntu, install the distribution's `chromium` package.
 * 3. Otherwise, try Playwright's own browser download.
 * Exits non-zero with instructions when none of these works.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { findBrowser } from "./find-browser";

/* eslint-disable no-console -- a command-line script reports to its terminal */

function run(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
    return true;
  } catch {
    return false;
  }
}

const override = process.env.CHROMIUM_PATH;
const found = findBrowser(override);
if (found !== undefined) {
  console.log(`ensure-browser: using ${found}`);
  process.exit(0);
}
if (override !== undefined && override !== "") {
  console.error(`ensure-browser: CHROMIUM_PATH=${override} does not exist.`);
  process.exit(1);
}

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
if (isRoot && existsSync("/usr/bin/apt-get")) {
  console.log("ensure-browser: no Chromium found; installing Debian's chromium package with apt-get.");
  if (run("apt-get", ["update", "-qq"]) && run("apt-get", ["install", "-y", "-qq", "chromium"]) && findBrowser(undefined)) {
    console.log(`ensure-browser: installed ${findBrowser(undefined)}`);
    process.exit(0);
  }
  console.error("ensure-browser: apt-get could not install chromium.");
}

console.log("ensure-browser: trying Playwright's own Chromium download.");
if (run("npx", ["playwright", "install", "chromium"])) {
  console.log("ensure-browser: installed Playwright's Chromium.");
  process.exit(0);
}

console.error(
  "ensure-browser: no Chromium is available. Install one (for example `sudo apt-get install chromium`) " +
    "or point CHROMIUM_PATH at a Chromium or Chrome binary.",
);
process.exit(1);
