/**
 * Local HTTPS for the header scan: a certificate authority made on this machine, a server
 * certificate for the scan's public host signed by it, and the two listeners a TLS-terminating
 * proxy in front of a self-hosted deployment provides: https on 443, forwarding to the app with
 * one `X-Forwarded-For` hop (the app runs with TRUSTED_PROXY=1), and http on 80 answering every
 * request with a permanent redirect to https.
 *
 * The CA's private key never leaves `.data/scan/tls/` (git-ignored) and the CA is trusted only
 * by the scanner's process (NODE_EXTRA_CA_CERTS), never by the system.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import path from "node:path";

export interface LocalTls {
  caCertFile: string;
  key: string;
  cert: string;
}

const TLS_DIR = path.resolve(import.meta.dirname, "../../.data/scan/tls");
const DAYS = "30";

function openssl(args: string[]): void {
  execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
}

/** True while the certificate is valid for at least another day. */
function stillValid(certFile: string): boolean {
  try {
    openssl(["x509", "-checkend", "86400", "-noout", "-in", certFile]);
    return true;
  } catch {
    return false;
  }
}

/** A CA and a server certificate for `host` (and localhost), made once and reused while valid. */
export function localTls(host: string): LocalTls {
  mkdirSync(TLS_DIR, { recursive: true, mode: 0o700 });
  const file = (name: string) => path.join(TLS_DIR, name);
  const hostMarker = file("host.txt");
  const current = existsSync(hostMarker) && readFileSync(hostMarker, "utf8") === host && stillValid(file("server.pem"));
  if (!current) {
    // P-256 keys: what a public CA issues today, and fast to make.
    openssl([
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-days",
      DAYS,
      "-subj",
      "/CN=Palisade scan local CA",
      "-keyout",
      file("ca-key.pem"),
      "-out",
      file("ca.pem"),
      "-addext",
      "basicConstraints=critical,CA:TRUE,pathlen:0",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    openssl([
      "req",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-subj",
      `/CN=${host}`,
      "-keyout",
      file("server-key.pem"),
      "-out",
      file("server.csr"),
    ]);
    writeFileSync(
      file("server.ext"),
      [
        "basicConstraints=critical,CA:FALSE",
        "keyUsage=critical,digitalSignature",
        "extendedKeyUsage=serverAuth",
        `subjectAltName=DNS:${host},DNS:localhost`,
        "",
      ].join("\n"),
    );
    openssl([
      "x509",
      "-req",
      "-in",
      file("server.csr"),
      "-CA",
      file("ca.pem"),
      "-CAkey",
      file("ca-key.pem"),
      "-CAcreateserial",
      "-days",
      DAYS,
      "-sha256",
      "-extfile",
      file("server.ext"),
      "-out",
      file("server.pem"),
    ]);
    writeFileSync(hostMarker, host);
  }
  return { caCertFile: file("ca.pem"), key: readFileSync(file("server-key.pem"), "utf8"), cert: readFileSync(file("server.pem"), "utf8") };
}

export interface TlsFront {
  httpsPort: number;
  httpPort: number;
  close(): Promise<void>;
}

function listen(server: http.Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          `cannot listen on 127.0.0.1:${port} (${error.code ?? error.message}): the Observatory connects to ports 443 and 80, which need root or CAP_NET_BIND_SERVICE and must be free`,
        ),
      ),
    );
    server.listen(port, "127.0.0.1", () => resolve());
  });
}

/** https://host → the app at `upstream`; http://host → 301 to https. */
export async function startTlsFront(options: { host: string; tls: LocalTls; upstream: string; httpsPort?: number; httpPort?: number }): Promise<TlsFront> {
  const upstream = new URL(options.upstream);
  const secure = https.createServer({ key: options.tls.key, cert: options.tls.cert, minVersion: "TLSv1.2" }, (request, response) => {
    const forwardedFor = [request.headers["x-forwarded-for"], request.socket.remoteAddress].filter(Boolean).join(", ");
    const proxied = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: request.method,
        path: request.url,
        headers: { ...request.headers, "x-forwarded-for": forwardedFor, "x-forwarded-proto": "https", host: options.host },
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
        answer.pipe(response);
      },
    );
    proxied.on("error", () => {
      response.writeHead(502).end();
    });
    request.pipe(proxied);
  });
  const redirect = http.createServer((request, response) => {
    response.writeHead(301, { location: `https://${options.host}${request.url ?? "/"}` }).end();
  });
  const httpsPort = options.httpsPort ?? 443;
  const httpPort = options.httpPort ?? 80;
  await listen(secure, httpsPort);
  try {
    await listen(redirect, httpPort);
  } catch (error) {
    secure.close();
    throw error;
  }
  const closeServer = (server: http.Server) =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { httpsPort, httpPort, close: async () => void (await Promise.all([closeServer(secure), closeServer(redirect)])) };
}
