/**
 * A local HTTP listener that counts every request it receives. Attack tokens point their `jku`
 * and `x5u` at it and the SSRF tests put its URL in every input: the app must never call it.
 * It answers like an attacker's server would (a JWKS holding the attacker's key), so an app
 * that fetched would also be tempted to trust the answer.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { freePort } from "../../support/edge-app-server";
import { SECURITY_PORTS } from "./ports";

export interface CountingListener {
  url: string;
  /** Requests received so far, with their paths. */
  readonly hits: readonly string[];
  /** Waits briefly for late requests (a fetch the app might start after answering), then returns the hits. */
  settle(ms?: number): Promise<readonly string[]>;
  close(): Promise<void>;
}

export async function startCountingListener(body: unknown = { keys: [] }): Promise<CountingListener> {
  const hits: string[] = [];
  const server = http.createServer((request, response) => {
    hits.push(`${request.method} ${request.url}`);
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify(body));
  });
  // Another file's listener may take a port between the probe and the listen: try the next one.
  for (let from = SECURITY_PORTS.listenerFrom; ;) {
    const port = await freePort(from, SECURITY_PORTS.listenerTo);
    const listening = await new Promise<boolean>((resolve) => {
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => resolve(true));
    });
    if (listening) break;
    from = port + 1;
  }
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    async settle(ms = 500) {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return hits;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
