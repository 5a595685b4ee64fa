/**
 * The edge layer. It composes modules from lib/edge/ in a fixed order and holds no policy of
 * its own (docs/decisions/003-edge-middleware-under-next-16.md). It is the first layer, never the
 * only one: route handlers repeat every check that protects data (CVE-2025-29927).
 */
import { NextResponse, type NextRequest } from "next/server";
import { REQUEST_ID_HEADER, requestIdFrom } from "./lib/edge/request-id";

export function middleware(request: NextRequest): NextResponse {
  // 1. Request ID: validated or replaced, forwarded to the handler and echoed to the client.
  const requestId = requestIdFrom(request.headers);
  const forwarded = new Headers(request.headers);
  forwarded.set(REQUEST_ID_HEADER, requestId);

  const response = NextResponse.next({ request: { headers: forwarded } });
  response.headers.set(REQUEST_ID_HEADER, requestId);
  return response;
}

export const config = {
  // Everything except Next's own static assets. `/api` is deliberately included.
  matcher: ["/((?!_next/static|_next/image).*)"],
};
