/**
 * Human session (issue 12, item 6): what a person's quarter of an hour sends to each rate-limit
 * tier, and whether the defaults let an office of them work. Chromium (the system one, as the
 * end-to-end suite uses) runs the 45-action session of tests/e2e/support/human-session.ts against
 * the production build, with link prefetching on as Next.js ships it, and every request the
 * middleware sees is tallied by kind and by the tiers the server's `RateLimit-Policy` says
 * counted it. Think time is compressed (×30); what a session sends does not depend on it.
 *
 * 1. Three sessions with every limit lifted, so each request is counted to the end: the tally.
 * 2. One session with the source article's global limit (100 per 15 minutes): how far a person
 *    gets before the first refusal.
 * 3. Ten people behind one address, five at once, with the app's own defaults: any refusal is a
 *    missed target (ADR 019). tests/e2e/rate-limit-human.spec.ts asserts the same on every run.
 */
import { chromium, type Browser } from "@playwright/test";
import { findBrowser } from "../scripts/find-browser";
import { EDGE_DIST_DIR } from "../tests/support/app-instance";
import { humanSession, HUMAN_SESSION_ACTIONS } from "../tests/e2e/support/human-session";
import { globalCountOf, startLimitsServer, type LimitsServer } from "../tests/e2e/support/limits-server";
import { REQUEST_KINDS, tallyRequests, type Tally } from "../tests/e2e/support/request-tally";
import { policiesFrom } from "../lib/edge/rate-limit/policy";
import { parseEnv } from "../lib/env";
import type { BenchContext } from "./context";
import type { BenchSection, BenchTarget } from "./section";

const SPEED_UP = 30;
const DEFAULTS = defaultPolicies();
const TALLIED_SESSIONS = 3;
const PEOPLE = 10;
const AT_ONCE = 5;
const PORTS = { from: 3760, to: 3799 };
const LIFTED: Record<string, string> = Object.fromEntries(
  ["GLOBAL", "USER", "REFRESH", "CREDENTIAL", "AUTH", "AUTH_ACCOUNT"].map((tier) => [`RATE_LIMIT_${tier}_MAX`, "1000000"]),
);
// The launch flags of playwright.config.ts: a closed network, no update or sync traffic.
const BROWSER_ARGS = ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"];

function defaultPolicies() {
  const parsed = parseEnv({});
  if (!parsed.ok) throw new Error("the app's defaults must parse");
  return policiesFrom(parsed.env);
}

interface SessionRun {
  tally: Tally;
  /** Actions completed; fewer than HUMAN_SESSION_ACTIONS when a refusal broke the session. */
  actions: number;
  /** The server's own global count for the address afterwards (null if the window turned). */
  serverCount: number | null;
  seconds: number;
}

async function session(browser: Browser, server: LimitsServer, address: string, label: string): Promise<SessionRun> {
  const context = await browser.newContext({ extraHTTPHeaders: { "x-forwarded-for": address } });
  const recorder = tallyRequests(context);
  const started = Date.now();
  let actions = 0;
  try {
    const page = await context.newPage();
    await humanSession(page, {
      baseURL: server.origin,
      email: `${label}-${Date.now().toString(36)}@bench.test`,
      speedUp: SPEED_UP,
      onAction: (n) => (actions = n),
    }).catch(() => undefined);
    await page.waitForTimeout(1_000);
    await recorder.settled();
    return { tally: recorder.tally, actions, serverCount: await globalCountOf(context.request, server.origin), seconds: (Date.now() - started) / 1000 };
  } finally {
    await context.close();
  }
}

async function withServer<T>(env: Record<string, string>, work: (server: LimitsServer) => Promise<T>): Promise<T> {
  const server = await startLimitsServer(EDGE_DIST_DIR, env, PORTS);
  try {
    return await work(server);
  } finally {
    await server.stop();
  }
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

function spread(values: number[]): string {
  const mean = sum(values) / values.length;
  return values.length === 1 ? String(mean) : `${mean.toFixed(1)} (${Math.min(...values)}–${Math.max(...values)})`;
}

function tallyTable(runs: SessionRun[]): string {
  const tallies = runs.map((run) => run.tally);
  const tiers = [...new Set(tallies.flatMap((t) => Object.keys(t.byTier)))].sort();
  const other: Record<string, number> = {};
  for (const [path, n] of tallies.flatMap((t) => Object.entries(t.otherPaths))) other[path] = (other[path] ?? 0) + n / tallies.length;
  return [
    `| | ${REQUEST_KINDS.join(" | ")} | all |`,
    `|---|${REQUEST_KINDS.map(() => "---").join("|")}|---|`,
    `| reach the middleware | ${REQUEST_KINDS.map((k) => spread(tallies.map((t) => t.byKind[k]))).join(" | ")} | ${spread(tallies.map((t) => t.edge))} |`,
    `| of which abandoned before the answer | ${REQUEST_KINDS.map((k) => spread(tallies.map((t) => t.abandoned[k]))).join(" | ")} | ${spread(tallies.map((t) => sum(REQUEST_KINDS.map((k) => t.abandoned[k]))))} |`,
    ...tiers.map(
      (tier) =>
        `| answered, counted by \`${tier}\` | ${REQUEST_KINDS.map((k) => spread(tallies.map((t) => t.byTierAndKind[tier]?.[k] ?? 0))).join(" | ")} | ${spread(tallies.map((t) => t.byTier[tier] ?? 0))} |`,
    ),
    "",
    `Per session of ${HUMAN_SESSION_ACTIONS} actions, ${runs.length} sessions (${spread(runs.map((r) => Math.round(r.seconds)))} s each at ×${SPEED_UP}). Static files under \`/_next/static\`, which the middleware never sees: ${spread(tallies.map((t) => t.staticFiles))}. Requests of kind "other", by path: ${
      Object.entries(other)
        .map(([path, n]) => `\`${path}\` ${n.toFixed(1)}`)
        .join(", ") || "none"
    }. An abandoned request (a prefetch or RSC fetch the browser dropped when the person clicked on) was counted by the server, but no answer says by which tiers, so the rows below it count answered requests only. The server's own global count per session, which includes them: ${runs.map((r) => r.serverCount ?? "unknown").join(", ")}.`,
  ].join("\n");
}

export async function run(ctx: BenchContext): Promise<BenchSection> {
  const executablePath = findBrowser(process.env.CHROMIUM_PATH);
  if (executablePath === undefined) throw new Error("no Chromium: run `tsx scripts/ensure-browser.ts` first");
  const browser = await chromium.launch({ executablePath, args: BROWSER_ARGS });
  try {
    const tallied: SessionRun[] = [];
    await withServer(LIFTED, async (server) => {
      for (let n = 1; n <= TALLIED_SESSIONS; n++) {
        tallied.push(await session(browser, server, ctx.clientIp(100 + n), `person-${n}`));
        ctx.log(`  session ${n}: ${tallied.at(-1)?.tally.edge} requests reached the middleware`);
      }
    });

    const article = await withServer({ RATE_LIMIT_GLOBAL_MAX: "100" }, (server) => session(browser, server, ctx.clientIp(120), "article"));
    const firstRefusal = article.tally.refused[0];
    ctx.log(`  with the article's 100: ${article.actions} of ${HUMAN_SESSION_ACTIONS} actions, first refusal ${firstRefusal?.path ?? "none"}`);

    const officeAddress = ctx.clientIp(130);
    const { office, officeServer } = await withServer({}, async (server) => {
      const runs: SessionRun[] = [];
      for (let first = 1; first <= PEOPLE; first += AT_ONCE) {
        const wave = Array.from({ length: Math.min(AT_ONCE, PEOPLE - first + 1) }, (_, i) => session(browser, server, officeAddress, `office-${first + i}`));
        runs.push(...(await Promise.all(wave)));
      }
      const probe = await browser.newContext({ extraHTTPHeaders: { "x-forwarded-for": officeAddress } });
      const count = await globalCountOf(probe.request, server.origin);
      await probe.close();
      return { office: runs, officeServer: count };
    });
    const officeRefused = office.flatMap((r) => r.tally.refused);
    // The server's own count when it is known (it includes abandoned requests), else the answers'.
    const officeGlobal = officeServer ?? sum(office.map((r) => r.tally.byTier.global ?? 0));
    const officeCredential = sum(office.map((r) => r.tally.byTier.credential ?? 0));
    ctx.log(`  ten people at the defaults: ${officeRefused.length} refused, ${officeGlobal} counted by global`);

    const perPerson = sum(tallied.map((r) => r.serverCount ?? r.tally.byTier.global ?? 0)) / tallied.length;
    const targets: BenchTarget[] = [
      {
        name: "ten people behind one address, a quarter of an hour each, at the app's defaults",
        target: "0 refused (429 or 503)",
        measured: `${officeRefused.length} refused; ${office.filter((r) => r.actions === HUMAN_SESSION_ACTIONS).length} of ${PEOPLE} sessions completed`,
        met: officeRefused.length === 0,
      },
      {
        name: `global-tier requests of ten people ÷ the default (${DEFAULTS.global.limit} per ${DEFAULTS.global.windowSeconds / 60} min)`,
        target: "≤ 0.8 (room for a busier day)",
        measured: `${(officeGlobal / DEFAULTS.global.limit).toFixed(2)} (${officeGlobal}${officeServer === null ? ", from the answers: the server's count is unknown" : ", the server's own count"})`,
        met: officeGlobal / DEFAULTS.global.limit <= 0.8,
      },
    ];
    const refusalText =
      firstRefusal === undefined
        ? "no refusal"
        : `refused with ${firstRefusal.status} on \`${firstRefusal.method} ${firstRefusal.path}\` (${firstRefusal.body.slice(0, 160)})`;
    return {
      title: "Human session: what a person's quarter of an hour sends to each rate-limit tier",
      markdown: [
        `The ${HUMAN_SESSION_ACTIONS}-action session of \`tests/e2e/support/human-session.ts\` (four visits: sign up and confirm the address, or sign in, from the landing page, write and edit notes, look at the sessions and the account page, reload, sign out), in Chromium, against the production build on a fresh embedded database behind one trusted hop, link prefetching on. Kinds are told apart by the headers Next.js's router sends (\`RSC\`, \`Next-Router-Prefetch\`); tiers by each response's \`RateLimit-Policy\`.`,
        "",
        "**Every limit lifted**, so each request is counted to the end:",
        "",
        tallyTable(tallied),
        "",
        `**The source article's global limit** (\`RATE_LIMIT_GLOBAL_MAX=100\`), one person: ${article.actions} of ${HUMAN_SESSION_ACTIONS} actions done, then ${refusalText}.`,
        "",
        `**Ten people behind one address at the app's defaults** (five at once, then five more, all in one window): ${officeRefused.length} refused; the server's global count for the address was ${officeGlobal} (${perPerson.toFixed(0)} per person in the lifted runs), and ${officeCredential} answers named the credential tier.`,
      ].join("\n"),
      targets,
    };
  } finally {
    await browser.close();
  }
}
