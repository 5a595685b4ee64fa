/**
 * Who sent a request, as far as the server can tell: the client IP (derived as configured by
 * TRUSTED_PROXY, lib/shared/client-ip.ts) and the user agent, with the request ID, for sessions and
 * audit events.
 */
import type { AuditContext } from "../audit";
import { env } from "../env";
import { clientIp } from "../shared/client-ip";

export function requestContext(request: Request, requestId: string): AuditContext {
  return {
    ip: clientIp(request.headers, env.TRUSTED_PROXY),
    userAgent: request.headers.get("user-agent"),
    requestId,
  };
}
