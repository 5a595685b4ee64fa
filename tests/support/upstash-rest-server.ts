/**
 * A small server that speaks the Upstash Redis REST protocol to a real Redis, so the real
 * `@upstash/redis` and `@upstash/ratelimit` code runs in tests against real Redis, and two app
 * instances can share one limit.
 *
 * What it implements (the subset those clients use):
 * - `POST /` with a JSON command array (`["SET","k","v","EX",60]`) → `{"result": …}`, or
 *   `{"error": "…"}` with status 400 when Redis refuses the command;
 * - `POST /pipeline` with an array of command arrays → an array of `{result}` / `{error}`;
 * - `POST /multi-exec`, the same shape, run atomically inside MULTI/EXEC;
 * - `Upstash-Encoding: base64`: every string in a result is base64, except a bare "OK";
 * - `Authorization: Bearer <token>`, compared in constant time; anything else is 401;
 * - scripts with Upstash's own shebang flag `allow-key-locking` (stock Redis refuses flags it
 *   does not know): the flag is dropped before the script reaches Redis, and EVALSHA with the
 *   hash of the original text is mapped to the hash of what Redis actually cached.
 * For failure tests, `setMode("hang")` accepts requests and never answers, and `setMode("error")`
 * answers 500; `close()` makes the port refuse connections.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import Redis from "ioredis";

export type ServerMode = "normal" | "hang" | "error";

export interface UpstashRestServer {
  url: string;
  token: string;
  /** Requests received so far, answered or not. */
  readonly requests: number;
  setMode(mode: ServerMode): void;
  close(): Promise<void>;
}

type Command = [string, ...(string | number)[]];
type Reply = { result: unknown } | { error: string };

const MAX_BODY_BYTES = 1024 * 1024;
// Script flags only Upstash understands; they tune its key locking and mean nothing to Redis.
const UPSTASH_ONLY_FLAGS = new Set(["allow-key-locking"]);

function sha1(text: string): string {
  return createHash("sha1").update(text).digest("hex");
}

/** The script without Upstash-only shebang flags (`#!lua flags=a,b`). */
function forRedis(script: string): string {
  const match = /^#!lua flags=([^\n]*)\n/.exec(script);
  if (match === null) return script;
  const flags = (match[1] as string)
    .split(",")
    .map((flag) => flag.trim())
    .filter((flag) => flag !== "" && !UPSTASH_ONLY_FLAGS.has(flag));
  return `#!lua${flags.length > 0 ? ` flags=${flags.join(",")}` : ""}\n${script.slice(match[0].length)}`;
}

function isCommand(value: unknown): value is Command {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    typeof value[0] === "string" &&
    value.every((part) => typeof part === "string" || (typeof part === "number" && Number.isFinite(part)))
  );
}

/** Redis replies as JSON: Buffers become text (or base64), nested arrays recurse, errors become null. */
function encode(value: unknown, base64: boolean): unknown {
  if (Buffer.isBuffer(value)) {
    const text = value.toString("utf8");
    // The one exception the clients expect: a status "OK" is never encoded.
    return base64 && text !== "OK" ? value.toString("base64") : text;
  }
  if (typeof value === "string") return base64 && value !== "OK" ? Buffer.from(value).toString("base64") : value;
  if (Array.isArray(value)) return value.map((item) => encode(item, base64));
  if (typeof value === "number" || value === null) return value;
  return null;
}

function sameToken(presented: string, expected: string): boolean {
  // Hash both sides so the comparison is constant-time whatever the lengths.
  const a = createHash("sha256").update(presented).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

async function readBody(request: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error("body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function startUpstashRestServer(options: { redisUrl: string; token?: string; port?: number }): Promise<UpstashRestServer> {
  const token = options.token ?? randomBytes(18).toString("base64url");
  const redis = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  let mode: ServerMode = "normal";
  let requests = 0;
  const sockets = new Set<Socket>();

  // EVALSHA hashes as the client computed them (original text) → as Redis cached them.
  const scriptHashes = new Map<string, string>();

  /** The command as stock Redis needs it: Upstash-only script flags removed, hashes mapped. */
  function translate([name, ...rawArgs]: Command): [string, string[]] {
    const args = rawArgs.map(String);
    const verb = name.toLowerCase();
    if ((verb === "eval" || verb === "eval_ro") && args[0] !== undefined) {
      const rewritten = forRedis(args[0]);
      scriptHashes.set(sha1(args[0]), sha1(rewritten));
      args[0] = rewritten;
    } else if ((verb === "evalsha" || verb === "evalsha_ro") && args[0] !== undefined) {
      args[0] = scriptHashes.get(args[0].toLowerCase()) ?? args[0];
    }
    return [name, args];
  }

  async function run(command: Command): Promise<Reply> {
    const [name, args] = translate(command);
    try {
      return { result: await redis.callBuffer(name, args) };
    } catch (error) {
      return { error: errorMessage(error) };
    }
  }

  async function runAtomically(commands: Command[]): Promise<Reply[] | { error: string }> {
    const transaction = redis.multi();
    for (const command of commands) transaction.callBuffer(...translate(command));
    const results = await transaction.exec();
    if (results === null) return { error: "EXECABORT Transaction discarded" };
    return results.map(([error, result]) => (error === null ? { result } : { error: errorMessage(error) }));
  }

  const server = http.createServer((request, response) => {
    requests++;
    if (mode === "hang") return; // never answer; the client's own deadline must save it
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    };
    if (mode === "error") return send(500, { error: "ERR injected failure" });
    if (request.method !== "POST") return send(405, { error: "ERR only POST is supported" });
    const authorization = request.headers.authorization ?? "";
    if (!authorization.startsWith("Bearer ") || !sameToken(authorization.slice("Bearer ".length), token)) {
      return send(401, { error: "Unauthorized" });
    }
    const base64 = String(request.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";
    const encodeReply = (reply: Reply) => ("error" in reply ? reply : { result: encode(reply.result, base64) });

    void (async () => {
      let body: unknown;
      try {
        body = JSON.parse(await readBody(request));
      } catch {
        return send(400, { error: "ERR failed to parse the request body" });
      }
      const path = new URL(request.url ?? "/", "http://localhost").pathname;
      if (path === "/") {
        if (!isCommand(body)) return send(400, { error: "ERR the body must be a command array" });
        const reply = await run(body);
        return send("error" in reply ? 400 : 200, encodeReply(reply));
      }
      if (path === "/pipeline" || path === "/multi-exec") {
        if (!Array.isArray(body) || body.length === 0 || !body.every(isCommand)) {
          return send(400, { error: "ERR the body must be an array of command arrays" });
        }
        if (path === "/pipeline") {
          const replies: Reply[] = [];
          // One connection, in order: what Redis pipelining guarantees, and no more.
          for (const command of body) replies.push(await run(command));
          return send(200, replies.map(encodeReply));
        }
        const replies = await runAtomically(body);
        return Array.isArray(replies) ? send(200, replies.map(encodeReply)) : send(400, replies);
      }
      return send(404, { error: `ERR unknown path ${path}` });
    })().catch((error: unknown) => send(500, { error: errorMessage(error) }));
  });

  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    get requests() {
      return requests;
    },
    setMode(next) {
      mode = next;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await redis.quit();
    },
  };
}
