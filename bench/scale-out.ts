/**
 * Scale-out (issue 9, item 5): two production instances behind a round-robin proxy, sharing one
 * Postgres database and one Redis, as a multi-instance deployment runs; the capacity arithmetic
 * is in docs/scaling.md.
 *
 * - The browser journeys (Playwright: sign-up and sign-in, sessions, silent refresh) run against
 *   the proxy, so consecutive requests of one browser land on different instances.
 * - A user signed in on instance A refreshes on instance B.
 * - The reuse race through the proxy: the racers split across both instances, and exactly one may
 *   mint a successor each time.
 * - A key rotation in progress (docs/tokens.md, step 3 deployed to one instance only): A and B
 *   have published the new public key and still sign with the old; C signs with the new key.
 *   Each verifies the other's tokens and every instance's JWKS lists both keys.
 * The same properties, minus the browser, are a fast integration test:
 * tests/integration/scale-out.test.ts.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import {
  accessClaims,
  ACCESS_COOKIE,
  CLIENT_PASSWORD,
  CONFIRMATION_SUBJECT,
  login,
  post,
  refresh,
  REFRESH_COOKIE,
  type ClientIdentity,
} from "../tests/support/auth-client";
import { startMailCatcher } from "../tests/e2e/support/mail-catcher";
import { e2eAppEnv } from "../tests/e2e/support/server-env";
import { testKeyPair } from "../tests/support/keys";
import { startRoundRobinProxy } from "../tests/support/round-robin-proxy";
import type { BenchApp, BenchContext } from "./context";
import type { BenchSection, BenchTarget } from "./section";

const ROOT = path.resolve(import.meta.dirname, "..");
// The journeys that cross instances most: every sign-in, refresh and session listing.
const JOURNEYS = ["tests/e2e/auth.spec.ts", "tests/e2e/sessions.spec.ts", "tests/e2e/silent-refresh.spec.ts"];
// Every page, loaded once per instance before the journeys (document and client-side navigation),
// so no journey waits on an instance's first render of a route: the suite's timeouts assume a warm
// server, as its own single server is by the time most tests run.
const PAGES = ["/", "/signin", "/register", "/resume", "/dashboard", "/sessions", "/account", "/admin", "/admin/audit", "/admin/clients"];
const RACES = 20;
const RACERS = 8;

interface CommandResult {
  code: number | null;
  output: string;
}

function runCommand(ctx: BenchContext, command: string, args: string[], env: Record<string, string>): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    // The runner inherited the load generator's core; the browser it starts may use any.
    if (child.pid !== undefined) ctx.pin(child.pid, "all");
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, output }));
  });
}

const tally = (output: string, word: string) => Number(new RegExp(`(\\d+) ${word}`).exec(output)?.[1] ?? 0);

async function kidsOf(app: BenchApp): Promise<string[]> {
  const { keys } = (await (await fetch(`${app.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
  return keys.map((key) => key.kid).sort();
}

const me = (app: BenchApp, token: string, identity: ClientIdentity) =>
  fetch(`${app.url}/api/me`, { headers: { authorization: `Bearer ${token}`, "x-forwarded-for": identity.address } }).then((response) => response.status);

function notJudged(reason: string): BenchSection {
  return {
    title: "Scale-out: two instances behind a round-robin proxy",
    markdown: `Skipped: ${reason}.`,
    targets: [{ name: "end-to-end journeys through the proxy", target: "all pass", measured: "not run", met: null }],
  };
}

export async function run(ctx: BenchContext): Promise<BenchSection> {
  if (ctx.services.postgresAdminUrl === null || ctx.services.redisUrl === null) return notJudged("needs Postgres and Redis");
  const database = await ctx.createPostgresDatabase();
  if (database === null) return notJudged("needs Postgres");

  // The suite's admin, as scripts/e2e-server.ts creates it (public sign-up never makes one).
  const seeded = await runCommand(ctx, process.execPath, ["--import", "tsx", "--conditions=react-server", "tests/e2e/support/seed-admin.ts"], {
    DATABASE_URL: database.url,
    LOG_LEVEL: "error",
  });
  if (seeded.code !== 0) throw new Error(`seeding the admin failed:\n${seeded.output}`);

  const port = await ctx.freePort();
  // The browser suite's origin is localhost (cookies, CSP and CORS all see that name).
  const appUrl = `http://localhost:${port}`;
  // The suite's mail server, where e2eAppEnv points the instances' mail: the journeys read it.
  const mail = await startMailCatcher(port);
  ctx.defer(() => mail.close());
  const rotated = testKeyPair("bench-rotated");
  const shared = { database: { url: database.url }, store: "upstash" as const, appUrl };
  const env = { ...e2eAppEnv(port), JWT_PUBLIC_KEYS: rotated.publicKeyPem };
  const [a, b, c] = await Promise.all([
    ctx.startApp({ ...shared, env }),
    ctx.startApp({ ...shared, env }),
    // Off the proxy: the one instance already switched to the new signing key.
    ctx.startApp({ ...shared, env: { ...e2eAppEnv(port), JWT_PRIVATE_KEY: rotated.privateKeyPem, JWT_PUBLIC_KEYS: ctx.keys.publicKeyPem } }),
  ]);
  const [appA, appB, appC] = [a as BenchApp, b as BenchApp, c as BenchApp];
  const proxy = await startRoundRobinProxy([appA.url, appB.url], { port });
  ctx.defer(() => proxy.close());

  ctx.log(`scale-out: two instances behind ${appUrl}; cross-instance checks`);
  const identity: ClientIdentity = { appUrl, address: ctx.clientIp(250) };
  // Sign-up answers 202 and makes the account after answering; its confirmation message, at the
  // mail server, says the account exists (lib/users/registration.ts). Then sign in on A.
  const email = `scale-${ctx.clientIp(0)}@bench.test`;
  const signedUp = await post(appA.url, "/api/auth/register", identity, { body: { email, name: "Bench User", password: CLIENT_PASSWORD } });
  if (signedUp.status !== 202) throw new Error(`sign-up on A answered ${signedUp.status}: ${await signedUp.text()}`);
  await mail.waitForMessage(email, CONFIRMATION_SUBJECT, 10_000);
  const onA = await login(appA.url, identity, email);
  const onB = await refresh(appB.url, identity, onA.jar.cookies.get(REFRESH_COOKIE) as string);
  const backOnA = await refresh(appA.url, identity, onB.refreshToken ?? "");
  const aThenB = onB.result === "rotated" && backOnA.result === "rotated";

  // The key rotation: old-key tokens from A and B, a new-key token from C, each checked elsewhere.
  const oldToken = onA.jar.cookies.get(ACCESS_COOKIE) as string;
  const newToken = (await login(appC.url, identity, onA.email)).jar.cookies.get(ACCESS_COOKIE) as string;
  const statuses = [await me(appC, oldToken, identity), await me(appA, newToken, identity), await me(appB, newToken, identity)];
  const kids = await Promise.all([appA, appB, appC].map(kidsOf));
  const expectedKids = [accessClaims(oldToken).kid, accessClaims(newToken).kid].sort();
  const rotation =
    statuses.every((status) => status === 200) && kids.every((list) => list.join() === expectedKids.join()) && expectedKids[0] !== expectedKids[1];

  let oneWinner = 0;
  for (let i = 0; i < RACES; i++) {
    const session = await login(proxy.url, identity, onA.email);
    const token = session.jar.cookies.get(REFRESH_COOKIE) as string;
    const answers = await Promise.all(Array.from({ length: RACERS }, () => refresh(proxy.url, identity, token)));
    if (
      answers.filter((answer) => answer.result === "rotated").length === 1 &&
      answers.every((answer) => answer.result === "rotated" || answer.result === "grace")
    )
      oneWinner++;
  }

  // Warm-up: a document load and a client-side navigation (the `RSC` request) of every page, on each instance.
  const loads: Record<string, string>[] = [{}, { rsc: "1" }];
  for (const app of [appA, appB]) {
    for (const page of PAGES) {
      for (const headers of loads) {
        const response = await fetch(`${app.url}${page}`, { headers: { ...headers, "x-forwarded-for": identity.address }, redirect: "manual" });
        await response.arrayBuffer();
      }
    }
  }
  // As `npm run test:e2e` does first: a system Chromium, installed from the distribution if need be.
  const browser = await runCommand(ctx, process.execPath, ["--import", "tsx", "scripts/ensure-browser.ts"], {});
  if (browser.code !== 0) throw new Error(`no browser for the journeys:\n${browser.output}`);
  ctx.log(`scale-out: Playwright journeys through the proxy (${JOURNEYS.map((file) => path.basename(file)).join(", ")})`);
  const before = [...proxy.counts];
  const started = Date.now();
  const journeys = await runCommand(ctx, process.execPath, [path.join(ROOT, "node_modules/@playwright/test/cli.js"), "test", ...JOURNEYS, "--reporter=list"], {
    E2E_BASE_URL: appUrl,
    E2E_PORT: String(port),
  });
  const seconds = (Date.now() - started) / 1000;
  const [passed, failed, flaky] = [tally(journeys.output, "passed"), tally(journeys.output, "failed"), tally(journeys.output, "flaky")];
  const served = proxy.counts.map((count, index) => count - (before[index] ?? 0));
  // Which journeys failed, by title, so a miss in RESULTS.md can be followed up without the log.
  const failedTitles = journeys.output
    .split("\n")
    .filter((line) => line.includes("✘"))
    .map((line) =>
      line
        .replace(/^.*›\s*/, "")
        .replace(/\s*\(\d[^)]*\)\s*$/, "")
        .trim(),
    );
  if (journeys.code !== 0) ctx.log(journeys.output.split("\n").slice(-40).join("\n"));
  ctx.log(`scale-out: journeys ${passed} passed, ${failed} failed in ${seconds.toFixed(0)} s; requests served A ${served[0]}, B ${served[1]}`);

  const markdown = [
    `Two \`next start\` instances (A, B) behind a round-robin proxy written for this (\`tests/support/round-robin-proxy.ts\`, node:http: it appends the address it saw to \`X-Forwarded-For\`, and the instances trust one hop), with APP_URL set to the proxy's origin \`${appUrl}\`; one fresh Postgres database and one Redis (through the Upstash-protocol server) shared by both. The end-to-end environment is the browser suite's own (\`tests/e2e/support/server-env.ts\`: 20 s access tokens, so silent refresh happens within a test), and the admin is seeded into Postgres as \`scripts/e2e-server.ts\` seeds it.`,
    "",
    "| Check | Result |",
    "|---|---|",
    `| Browser journeys through the proxy (${JOURNEYS.map((file) => `\`${path.basename(file)}\``).join(", ")}) | ${passed} passed, ${failed} failed${flaky > 0 ? `, ${flaky} flaky` : ""}, in ${seconds.toFixed(0)} s; the proxy sent ${served[0]} requests to A and ${served[1]} to B |`,
    `| Signed up on A, refreshed on B, then on A again | ${onB.result}, ${backOnA.result} |`,
    `| Reuse race through the proxy (${RACERS} at once, split across A and B) | exactly one winner, the rest grace, in ${oneWinner} of ${RACES} races |`,
    `| Key rotation in progress: C signs with the new key, A and B with the old, all publish both | A's token on C ${statuses[0]}, C's token on A ${statuses[1]} and on B ${statuses[2]}; JWKS kids equal on A, B, C: ${kids.every((list) => list.join() === expectedKids.join()) ? "yes" : "no"} |`,
    "",
    ...(failedTitles.length === 0 ? [] : [`Failed: ${[...new Set(failedTitles)].map((title) => `"${title}"`).join("; ")}.`, ""]),
    "The subset of the browser suite is the journeys that cross instances on every step; the full suite (including OAuth, which needs its test provider on a port of its own) runs in `npm run test:e2e` against one instance. The same cross-instance properties run without a browser in `tests/integration/scale-out.test.ts` (part of `npm run test:integration`).",
  ].join("\n");

  const targets: BenchTarget[] = [
    {
      name: "end-to-end journeys through the proxy, two instances",
      target: "all pass",
      measured: `${passed} passed, ${failed} failed`,
      met: journeys.code === 0 && passed > 0 && failed === 0,
    },
    { name: "signed in on A, refreshed on B", target: "rotates", measured: `${onB.result}, then ${backOnA.result} on A`, met: aThenB },
    { name: `reuse race across instances: exactly one winner`, target: `${RACES} of ${RACES}`, measured: `${oneWinner} of ${RACES}`, met: oneWinner === RACES },
    { name: "a rotated key published by one instance verifies on the other", target: "both ways", measured: `${statuses.join(", ")}`, met: rotation },
  ];
  await proxy.close();
  await Promise.all([appA.stop(), appB.stop(), appC.stop()]);
  return { title: "Scale-out: two instances behind a round-robin proxy", markdown, targets };
}
