/**
 * Account enumeration by the clock: do sign-up and "forgot password" answer as fast for an address
 * that has an account as for one that has none (docs/decisions/045-verified-addresses-and-recovery.md)?
 *
 * The tests prove the work in the request is the same (one argon2 hash for sign-up, none for a
 * reset request, the same limits, one message each after the answer); this measures what a client
 * sees. Requests go one at a time, in A-B-B-A order (known, unknown, unknown, known), so drift on
 * a busy machine falls on both sides alike. Each round's ratio is the known side's median latency
 * over the unknown side's; the section reports the median and min–max of those ratios.
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { CONFIRMATION_SUBJECT } from "../tests/support/auth-client";
import { waitForOutboxMessage } from "../tests/support/outbox-reader";
import type { BenchApp, BenchContext } from "./context";
import { median } from "./measure";
import type { BenchSection, BenchTarget } from "./section";
import { showRatio, spread, table } from "./stats";

const RAISED = {
  RATE_LIMIT_MAIL_IP_MAX: "1000000",
  RATE_LIMIT_MAIL_ADDRESS_MAX: "1000000",
  RATE_LIMIT_CREDENTIAL_MAX: "1000000",
};
// Random, so it is on no common list and shares no word with the name or address.
const PASSWORD = randomBytes(18).toString("base64url");
/** A round's ratio within this band of 1 counts as equal: well inside one argon2 hash's own jitter. */
const BAND = 0.1;

type Flow = "sign-up" | "forgot password";

async function timedPost(app: BenchApp, ctx: BenchContext, path: string, body: unknown, client: number): Promise<number> {
  const start = performance.now();
  const response = await fetch(`${app.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: app.appUrl, "x-forwarded-for": ctx.clientIp(client) },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  const elapsed = performance.now() - start;
  if (response.status !== 202) throw new Error(`${path}: ${response.status}`);
  return elapsed;
}

const fresh = () => `bench-${randomBytes(6).toString("hex")}@example.com`;

function request(flow: Flow, email: string): { path: string; body: unknown } {
  return flow === "sign-up"
    ? { path: "/api/auth/register", body: { email, name: "Bench", password: PASSWORD } }
    : { path: "/api/auth/password/forgot", body: { email } };
}

async function rounds(ctx: BenchContext, app: BenchApp, flow: Flow, known: readonly string[], count: number): Promise<number[]> {
  const ratios: number[] = [];
  const perSide = 6;
  for (let round = 0; round < count; round++) {
    const sides = { known: [] as number[], unknown: [] as number[] };
    for (let i = 0; i < perSide; i++) {
      for (const side of ["known", "unknown", "unknown", "known"] as const) {
        const email = side === "known" ? (known[(round * perSide + i) % known.length] as string) : fresh();
        const { path, body } = request(flow, email);
        sides[side].push(await timedPost(app, ctx, path, body, 10 + i));
      }
    }
    ratios.push(median(sides.known) / median(sides.unknown));
  }
  return ratios;
}

export async function run(ctx: BenchContext): Promise<BenchSection> {
  const app = await ctx.startApp({ env: RAISED });
  try {
    const known: string[] = [];
    for (let i = 0; i < 6; i++) {
      const email = fresh();
      await timedPost(app, ctx, "/api/auth/register", { email, name: "Known", password: PASSWORD }, 1);
      await waitForOutboxMessage(app.url, email, CONFIRMATION_SUBJECT);
      known.push(email);
    }
    const count = Math.max(3, Math.round(8 * ctx.scale));
    // Warm-up: the first requests of a fresh server compile routes and fill caches.
    await rounds(ctx, app, "sign-up", known, 1);
    await rounds(ctx, app, "forgot password", known, 1);
    const rows: string[][] = [];
    const targets: BenchTarget[] = [];
    for (const flow of ["sign-up", "forgot password"] as const) {
      const ratios = spread(await rounds(ctx, app, flow, known, count));
      ctx.log(`${flow}: known ÷ unknown median latency ${showRatio(ratios)} over ${count} rounds`);
      rows.push([flow, String(count), showRatio(ratios)]);
      targets.push({
        name: `${flow}: latency for a known address ÷ an unknown one (median of rounds)`,
        target: `${(1 - BAND).toFixed(2)}–${(1 + BAND).toFixed(2)}`,
        measured: showRatio(ratios),
        met: Math.abs(ratios.median - 1) <= BAND,
      });
    }
    const markdown = [
      "Embedded database, in-memory limiter, mail kept in the outbox; one request at a time, A-B-B-A, 6 of each side a round.",
      "",
      table(["Flow", "Rounds", "Known ÷ unknown median latency (median, min–max)"], rows),
    ].join("\n");
    return { title: "Account enumeration by response time", markdown, targets };
  } finally {
    await app.stop();
  }
}
