/**
 * `npm run bench`: every benchmark of the security layers against a production build, one after
 * another in one run, appended as one dated section to bench/RESULTS.md.
 *
 *   npm run bench                      # everything (under 15 minutes on a 2-core machine)
 *   npm run bench -- ladder login      # a subset, by name
 *   BENCH_SCALE=0.2 npm run bench      # fewer requests: a smoke run, not a published one
 *
 * Modules (each exports `run(ctx: BenchContext): Promise<BenchSection>`, bench/context.ts):
 * ladder, login, refresh, rate-limit, scale-out, human-session, enumeration, hot-paths. A module whose file is missing is skipped; one
 * that throws is recorded as failed and the others still run.
 *
 * Runs under `tsx --conditions=react-server`: the app's server modules import `server-only`,
 * which refuses to load outside a server build unless that condition is set.
 */
import { appendFileSync, existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { ensureEdgeBuild } from "../tests/support/edge-app-server";
import { benchModuleExists, createBenchContext, type BenchContext } from "./context";
import type { BenchSection } from "./section";

const MODULES = ["ladder", "login", "refresh", "rate-limit", "scale-out", "human-session", "enumeration", "hot-paths"] as const;
type ModuleName = (typeof MODULES)[number];

const RESULTS = path.resolve(import.meta.dirname, "RESULTS.md");
const RESULTS_PREAMBLE = `# Benchmark results

Appended by \`npm run bench\` (bench/run.ts), newest last. Each section is one run on one
machine; compare ratios within a section, never absolute numbers across sections. How to read
and reproduce them: the Benchmarks section of the README.
`;

const log = (line: string) => process.stdout.write(`${line}\n`);

function parsePorts(value: string | undefined): { from: number; to: number } {
  const match = /^(\d+)-(\d+)$/.exec(value ?? "");
  return match === null ? { from: 3700, to: 3749 } : { from: Number(match[1]), to: Number(match[2]) };
}

function selected(args: string[]): ModuleName[] {
  const unknown = args.filter((arg) => !(MODULES as readonly string[]).includes(arg));
  if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.join(", ")}; choose from ${MODULES.join(", ")}`);
  return args.length === 0 ? [...MODULES] : MODULES.filter((name) => args.includes(name));
}

async function runModule(name: ModuleName, ctx: BenchContext): Promise<BenchSection> {
  const loaded = (await import(`./${name}.ts`)) as { run?: (ctx: BenchContext) => Promise<BenchSection> };
  if (typeof loaded.run !== "function") throw new Error(`bench/${name}.ts exports no run(ctx)`);
  return loaded.run(ctx);
}

function targetsTable(section: BenchSection): string {
  if (section.targets.length === 0) return "";
  const mark = (met: boolean | null) => (met === null ? "not judged" : met ? "**met**" : "**missed**");
  const rows = section.targets.map((t) => `| ${t.name} | ${t.target} | ${t.measured} | ${mark(t.met)} |`);
  return ["| Target | Goal | Measured | |", "|---|---|---|---|", ...rows].join("\n");
}

function render(sections: { name: string; section: BenchSection; seconds: number }[], header: string): string {
  const all = sections.flatMap(({ section }) => section.targets);
  const summary =
    all.length === 0
      ? ""
      : `\n\nTargets: ${all.filter((t) => t.met === true).length} met, ${all.filter((t) => t.met === false).length} missed, ${all.filter((t) => t.met === null).length} not judged.`;
  const parts = sections.map(({ section, seconds }) => {
    const table = targetsTable(section);
    return `### ${section.title}\n\n${section.markdown.trim()}${table === "" ? "" : `\n\n${table}`}\n\n_(${seconds.toFixed(0)} s)_`;
  });
  return `\n${header}${summary}\n\n${parts.join("\n\n")}\n`;
}

async function main(): Promise<void> {
  const names = selected(process.argv.slice(2));
  // Each embedded database migrated for an instance adds an exit hook; a run starts a dozen.
  process.setMaxListeners(50);
  const started = performance.now();
  const scale = Number(process.env.BENCH_SCALE ?? "1");
  if (!(scale > 0)) throw new Error("BENCH_SCALE must be a positive number");
  log("building (or reusing) the production build…");
  await ensureEdgeBuild();
  const { ctx, close } = await createBenchContext({ ports: parsePorts(process.env.BENCH_PORTS), scale, log });
  const m = ctx.machine;
  log(`machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}, ${m.kernel}, load ${m.loadAverage.toFixed(2)}`);
  log(
    `services: Postgres ${ctx.services.postgresAdminUrl === null ? "not reachable" : "yes"}, Redis ${ctx.services.redisUrl === null ? "not reachable" : "yes"}; cores: server ${ctx.cores.server ?? "any"}, load generator ${ctx.cores.client ?? "any"}`,
  );

  const sections: { name: string; section: BenchSection; seconds: number }[] = [];
  try {
    for (const name of names) {
      if (!benchModuleExists(name)) {
        log(`\n== ${name}: bench/${name}.ts does not exist yet, skipped`);
        continue;
      }
      log(`\n== ${name}`);
      const begin = performance.now();
      let section: BenchSection;
      try {
        section = await runModule(name, ctx);
      } catch (error) {
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        log(`${name} failed:\n${message}`);
        section = { title: `${name}: failed`, markdown: "```\n" + message.split("\n").slice(0, 12).join("\n") + "\n```", targets: [] };
      }
      const seconds = (performance.now() - begin) / 1000;
      sections.push({ name, section, seconds });
      for (const t of section.targets) log(`  target ${t.met === null ? "n/a   " : t.met ? "met   " : "MISSED"} ${t.name}: ${t.measured} (goal ${t.target})`);
    }
  } finally {
    await close();
  }

  const minutes = (performance.now() - started) / 60_000;
  const date = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const subset = names.length === MODULES.length ? "" : ` (subset: ${names.join(", ")})`;
  const header = [
    `## ${date}${subset}`,
    "",
    `- Machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}, ${m.kernel}; 1-minute load ${m.loadAverage.toFixed(2)} at the start (the machine is shared).`,
    `- Pinning: ${ctx.cores.server === null ? "none (no taskset, or one core)" : `server on core ${ctx.cores.server}, load generator on core ${ctx.cores.client} (taskset)`}.`,
    `- Services: Postgres ${ctx.services.postgresAdminUrl === null ? "not reachable" : "real"}, Redis ${ctx.services.redisUrl === null ? "not reachable" : "real, through the Upstash-protocol server"}; embedded defaults: PGlite and the in-memory limiter.`,
    `- Scale ${scale}; whole run ${minutes.toFixed(1)} min.`,
  ].join("\n");
  if (!existsSync(RESULTS)) writeFileSync(RESULTS, RESULTS_PREAMBLE);
  appendFileSync(RESULTS, render(sections, header));
  log(`\nappended to ${path.relative(process.cwd(), RESULTS)}; ${minutes.toFixed(1)} min in all`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
