/**
 * A closed-loop HTTP load generator: `concurrency` keep-alive connections, each sending its next
 * request as soon as the previous answer has been read, for a number of requests or a duration.
 * node:http with a keep-alive agent costs the client little per request, so on its own core it
 * can saturate one server core. Latencies are measured per request, from send to last byte.
 */
import http from "node:http";
import { performance } from "node:perf_hooks";
import { percentile } from "./measure";

export interface LoadRequest {
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadOptions {
  /** Base URL of the server: http://127.0.0.1:port. */
  url: string;
  /** The request for sequence number i (0, 1, 2, …), or one fixed request. */
  request: LoadRequest | ((i: number, connection: number) => LoadRequest);
  concurrency: number;
  /** Stop after this many requests in total… */
  requests?: number;
  /** …or after this long (whichever comes first; at least one must be set). */
  durationMs?: number;
  /** Statuses that count as success (default: 2xx). Anything else is counted in `unexpected`. */
  ok?: (status: number) => boolean;
}

export interface LoadResult {
  requests: number;
  /** Answers with a status `ok` refused, by status; network errors under "error". */
  unexpected: Record<string, number>;
  seconds: number;
  requestsPerSecond: number;
  latenciesMs: number[];
  p50: number;
  p99: number;
}

function send(agent: http.Agent, base: URL, request: LoadRequest): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { agent, host: base.hostname, port: base.port, path: request.path, method: request.method ?? "GET", headers: request.headers },
      (response) => {
        response.on("data", () => undefined);
        response.on("end", () => resolve(response.statusCode ?? 0));
        response.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(request.body);
  });
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  if (options.requests === undefined && options.durationMs === undefined) throw new Error("runLoad needs requests or durationMs");
  const base = new URL(options.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const ok = options.ok ?? ((status: number) => status >= 200 && status < 300);
  const build = typeof options.request === "function" ? options.request : () => options.request as LoadRequest;
  const latencies: number[] = [];
  const unexpected: Record<string, number> = {};
  const limit = options.requests ?? Number.POSITIVE_INFINITY;
  const started = performance.now();
  const deadline = options.durationMs === undefined ? Number.POSITIVE_INFINITY : started + options.durationMs;
  let issued = 0;

  const connection = async (id: number) => {
    while (issued < limit && performance.now() < deadline) {
      const i = issued++;
      const begin = performance.now();
      try {
        const status = await send(agent, base, build(i, id));
        if (!ok(status)) unexpected[String(status)] = (unexpected[String(status)] ?? 0) + 1;
      } catch {
        unexpected.error = (unexpected.error ?? 0) + 1;
      }
      latencies.push(performance.now() - begin);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, id) => connection(id)));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return {
    requests: latencies.length,
    unexpected,
    seconds,
    requestsPerSecond: latencies.length / seconds,
    latenciesMs: latencies,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

/** Sum of the unexpected answers, for a "zero errors" check. */
export function unexpectedCount(result: LoadResult): number {
  return Object.values(result.unexpected).reduce((sum, n) => sum + n, 0);
}
