/**
 * Calls next-auth with exactly the inputs the broker chose, and turns its answer into a
 * `Response` (docs/decisions/030-next-auth-v4-as-identity-broker.md).
 *
 * next-auth v4 offers two entry points. Its App Router one reads the request through
 * `next/headers` and passes every query parameter of a sign-in request on to the provider's
 * authorization URL (including `redirect_uri`). Its Node-style one,
 * `NextAuth(req, res, options)`, takes a plain request object and writes to a response object.
 * The broker uses the second, so:
 * - the caller decides which query parameters, body fields and headers next-auth sees at all
 *   (./broker.ts passes no headers, so no `Host` or `X-Forwarded-Host` can influence a URL);
 * - options are built per request, which is how the hand-off learns what happened;
 * - it runs the same in a route handler and in a test that calls one directly.
 */
import "server-only";
import type { NextApiRequest, NextApiResponse } from "next";
import NextAuth, { type AuthOptions } from "next-auth";
import { env } from "../../env";

/** Where next-auth is mounted (app/api/auth/[...nextauth]/route.ts), as an absolute URL. */
export const BROKER_URL = `${env.APP_URL}/api/auth`;

// next-auth v4 takes its own URL from `process.env.NEXTAUTH_URL` and from nothing else we can
// pass (next-auth/utils/detect-origin.js); unset, it would assume http://localhost:3000, and on
// Vercel it would trust the forwarded Host header. Pinning it to APP_URL makes every
// `redirect_uri` and internal redirect derive from validated configuration. This is the app's
// only write to the environment from a route module, and it writes a value derived from lib/env.ts.
// eslint-disable-next-line no-restricted-properties -- pins a library's base URL to APP_URL (see above)
process.env.NEXTAUTH_URL = BROKER_URL;

export interface NextAuthInput {
  method: "GET" | "POST";
  action: string;
  providerId: string | undefined;
  query: Record<string, string>;
  body: Record<string, string> | undefined;
  cookies: Record<string, string>;
}

/** The small part of Node's response API next-auth's handler writes to. */
class CollectingResponse {
  statusCode = 200;
  readonly headers = new Map<string, string | string[]>();
  body: string | null = null;

  status(code: number): this {
    this.statusCode = code;
    return this;
  }

  setHeader(name: string, value: string | string[]): this {
    this.headers.set(name.toLowerCase(), value);
    return this;
  }

  getHeader(name: string): string | string[] | undefined {
    return this.headers.get(name.toLowerCase());
  }

  end(): void {}

  send(body: unknown): void {
    if (typeof body === "string") this.body = body;
    else if (body !== undefined && body !== null) {
      this.body = JSON.stringify(body);
      if (!this.headers.has("content-type")) this.headers.set("content-type", "application/json");
    }
  }

  json(body: unknown): void {
    this.headers.set("content-type", "application/json");
    this.body = JSON.stringify(body);
  }

  toResponse(): Response {
    const headers = new Headers();
    for (const [name, value] of this.headers) {
      for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
    }
    return new Response(this.body, { status: this.statusCode, headers });
  }
}

export async function callNextAuth(input: NextAuthInput, options: AuthOptions): Promise<Response> {
  const request = {
    method: input.method,
    query: { ...input.query, nextauth: input.providerId === undefined ? [input.action] : [input.action, input.providerId] },
    body: input.body,
    cookies: input.cookies,
    // Nothing from the real request's headers: next-auth's URL is pinned (./broker.ts).
    headers: {},
  };
  const response = new CollectingResponse();
  // The Node-style entry point's parameter types are Next's Pages Router request and response;
  // these objects carry every member next-auth v4's handler reads (next-auth/next/index.js).
  await NextAuth(request as unknown as NextApiRequest, response as unknown as NextApiResponse, options);
  return response.toResponse();
}
