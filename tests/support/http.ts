/**
 * Calling route handlers directly with real `Request` objects, and a tiny cookie jar that
 * follows Set-Cookie the way a browser would (by name; Max-Age=0 deletes). Every response is held
 * to the OpenAPI document on the way back (./openapi-responses.ts).
 */
import { assertDocumented } from "./openapi-responses";

export type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

export class CookieJar {
  readonly cookies = new Map<string, string>();

  store(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(";");
      const index = pair!.indexOf("=");
      const name = pair!.slice(0, index);
      const value = pair!.slice(index + 1);
      if (/;\s*Max-Age=0(;|$)/i.test(header) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  clone(): CookieJar {
    const copy = new CookieJar();
    for (const [name, value] of this.cookies) copy.cookies.set(name, value);
    return copy;
  }
}

export interface CallOptions {
  method?: string;
  body?: unknown;
  jar?: CookieJar;
  headers?: Record<string, string>;
  params?: Record<string, string>;
  url?: string;
}

export async function call(handler: Handler, options: CallOptions = {}): Promise<Response> {
  const headers = new Headers(options.headers);
  if (options.body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
  if (options.jar !== undefined && options.jar.cookies.size > 0) headers.set("cookie", options.jar.header());
  const request = new Request(options.url ?? "http://localhost:3000/api/test", {
    method: options.method ?? (options.body === undefined ? "GET" : "POST"),
    headers,
    ...(options.body === undefined ? {} : { body: typeof options.body === "string" ? options.body : JSON.stringify(options.body) }),
  });
  const response = await handler(request, { params: Promise.resolve(options.params ?? {}) });
  await assertDocumented(handler, response);
  options.jar?.store(response);
  return response;
}
