/**
 * The Upstash-protocol server (tests/support/upstash-rest-server.ts) as a process of its own, for
 * the benchmarks: started by bench/context.ts, it prints `{"url","token"}` on one line and serves
 * until it is sent SIGTERM. Run in-process, it would share the load generator's core.
 */
import { startUpstashRestServer } from "../tests/support/upstash-rest-server";

async function main(): Promise<void> {
  const redisUrl = process.argv[2];
  if (redisUrl === undefined) throw new Error("usage: upstash-server.ts <redis url>");
  const server = await startUpstashRestServer({ redisUrl });
  process.stdout.write(`${JSON.stringify({ url: server.url, token: server.token })}\n`);
  process.once("SIGTERM", () => void server.close().then(() => process.exit(0)));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
