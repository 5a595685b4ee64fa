/**
 * A small round-robin reverse proxy (node:http), standing in for the load balancer in front of a
 * multi-instance deployment: each request goes to the next upstream in turn, so consecutive
 * requests of one client (a sign-in, then its refresh) land on different instances.
 *
 * It behaves as a proxy the app can trust with `TRUSTED_PROXY=1`: it appends the address it saw to
 * `X-Forwarded-For` (never replacing what the client wrote, docs/edge.md "Client IP"), and it
 * keeps the client's `Host`, so each instance sees the origin the browser used (APP_URL).
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface RoundRobinProxy {
  url: string;
  port: number;
  /** Requests sent to each upstream so far, in the order the upstreams were given. */
  readonly counts: readonly number[];
  close(): Promise<void>;
}

// Hop-by-hop headers (RFC 9110 §7.6.1) describe one connection and are not forwarded.
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"]);

function forwardable(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));
}

export async function startRoundRobinProxy(upstreams: readonly string[], options: { port?: number; host?: string } = {}): Promise<RoundRobinProxy> {
  const targets = upstreams.map((upstream) => new URL(upstream));
  const counts = targets.map(() => 0);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const sockets = new Set<Socket>();
  let next = 0;

  const server = http.createServer((request, response) => {
    const index = next;
    next = (next + 1) % targets.length;
    counts[index] = (counts[index] ?? 0) + 1;
    const target = targets[index] as URL;
    const seen = (request.socket.remoteAddress ?? "").replace(/^::ffff:/, "");
    const prior = request.headers["x-forwarded-for"];
    const headers = { ...forwardable(request.headers), "x-forwarded-for": prior === undefined ? seen : `${String(prior)}, ${seen}` };
    const upstream = http.request({ agent, host: target.hostname, port: target.port, method: request.method, path: request.url, headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, forwardable(answer.headers));
      answer.pipe(response);
    });
    upstream.on("error", () => {
      // An unreachable instance is the proxy's 502, as a load balancer would answer.
      if (!response.headersSent) response.writeHead(502, { "content-type": "text/plain" });
      response.end("bad gateway");
    });
    request.pipe(upstream);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get counts() {
      return counts;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
