/**
 * The exact shape of every JSON body the API returns, as strict zod schemas: a field that is not
 * listed (a password hash, an `ownerId`, a secret hash, an internal flag) fails the parse. The
 * schemas for the authorization layer's own responses are the ones its modules serialize with,
 * so a serializer and its schema cannot drift apart; the older routes' shapes are written out here.
 */
import { z } from "zod";
import { TIER_NAMES } from "@/lib/edge/rate-limit/policy";
import { pageSchema } from "@/lib/http/query";
import { PublicNoteSchema } from "@/lib/notes/public-note";
import { NoteReportSchema } from "@/lib/notes/report";
import { AdminUserSchema } from "@/lib/admin/users";
import { PublicAuditEventSchema } from "@/lib/audit";
import { SignInMethodsSchema } from "@/lib/auth/oauth/sign-in-methods";
import { CreatedServiceClientSchema, PublicServiceClientSchema } from "@/lib/service-clients/clients";

export const ProblemSchema = z.strictObject({
  type: z.string().regex(/^\/problems\/[a-z-]+$/),
  title: z.string(),
  status: z.number().int().min(400).max(599),
  detail: z.string().optional(),
  requestId: z.string().min(1),
  errors: z.record(z.string(), z.array(z.string())).optional(),
  /** On a 429 or a limiter's 503: the tiers that refused, and nothing about whose limit it was. */
  "violated-policies": z.array(z.enum(TIER_NAMES)).min(1).optional(),
});

/** RFC 6749 §5.2; `error_description` limited to the characters §5.2 allows. */
export const OAuthErrorSchema = z.strictObject({
  error: z.enum(["invalid_request", "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type", "invalid_scope"]),
  error_description: z.string().regex(/^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/),
});

export const TokenResponseSchema = z.strictObject({
  access_token: z.string().min(1),
  token_type: z.literal("Bearer"),
  expires_in: z.number().int().positive(),
  scope: z.string(),
});

const PublicUserSchema = z.strictObject({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(["user", "admin", "service"]),
});

const SessionListSchema = z.strictObject({
  sessions: z.array(
    z.strictObject({
      id: z.string(),
      createdAt: z.iso.datetime(),
      lastUsedAt: z.iso.datetime(),
      userAgent: z.string().nullable(),
      ip: z.string().nullable(),
      current: z.boolean(),
    }),
  ),
});

const JwksSchema = z.strictObject({
  keys: z.array(
    z.strictObject({ kty: z.literal("RSA"), n: z.string(), e: z.string(), kid: z.string(), alg: z.literal("RS256"), use: z.literal("sig") }),
  ),
});

const PruneReportSchema = z.strictObject({
  deleted: z.strictObject({
    supersededTokens: z.number().int().nonnegative(),
    endedSessionTokens: z.number().int().nonnegative(),
    endedSessions: z.number().int().nonnegative(),
    auditEvents: z.number().int().nonnegative(),
    spentProofs: z.number().int().nonnegative(),
  }),
  batches: z.number().int().nonnegative(),
  complete: z.boolean(),
  milliseconds: z.number().int().nonnegative(),
});

/** The success body of each route (by `METHOD path`, as in tests/support/authz-matrix.ts). Routes answering 204 have none. */
export const SUCCESS_SCHEMAS: Record<string, z.ZodType> = {
  "GET /api/health": z.strictObject({ status: z.literal("ok"), db: z.literal("ok") }),
  "GET /.well-known/jwks.json": JwksSchema,
  "GET /api/cron/prune": PruneReportSchema,
  "POST /api/auth/register": z.strictObject({ user: PublicUserSchema }),
  "POST /api/auth/login": z.strictObject({ user: PublicUserSchema }),
  "POST /api/auth/refresh": z.strictObject({ user: PublicUserSchema }),
  "GET /api/auth/sessions": SessionListSchema,
  "GET /api/me": PublicUserSchema,
  "GET /api/auth/oauth/accounts": SignInMethodsSchema,
  "GET /api/auth/{...nextauth}": z.strictObject({ csrfToken: z.string() }),
  "GET /api/notes": pageSchema(PublicNoteSchema),
  "POST /api/notes": PublicNoteSchema,
  "GET /api/notes/{id}": PublicNoteSchema,
  "PATCH /api/notes/{id}": PublicNoteSchema,
  "GET /api/admin/users": pageSchema(AdminUserSchema),
  "POST /api/admin/users": AdminUserSchema,
  "PATCH /api/admin/users/{id}": AdminUserSchema,
  "GET /api/admin/audit": pageSchema(PublicAuditEventSchema),
  "GET /api/admin/clients": pageSchema(PublicServiceClientSchema),
  "POST /api/admin/clients": CreatedServiceClientSchema,
  "PATCH /api/admin/clients/{id}": PublicServiceClientSchema,
  "POST /api/oauth/token": TokenResponseSchema,
  "GET /api/reports/notes": NoteReportSchema,
};

/**
 * Check one response against its schema: problem+json for errors (RFC 6749 JSON on the token
 * endpoint), nothing for 204, the route's own schema for any other success. Throws with the
 * offending body on a mismatch.
 */
export async function assertExactShape(key: string, response: Response): Promise<void> {
  const text = await response.clone().text();
  if (response.status === 204) {
    if (text !== "") throw new Error(`${key}: 204 with a body: ${text}`);
    return;
  }
  const contentType = response.headers.get("content-type") ?? "";
  const body: unknown = JSON.parse(text);
  const schema =
    response.status >= 400
      ? key === "POST /api/oauth/token" && contentType === "application/json"
        ? OAuthErrorSchema
        : ProblemSchema
      : SUCCESS_SCHEMAS[key];
  if (schema === undefined) throw new Error(`${key}: no response schema for a ${response.status} body`);
  if (response.status >= 400 && schema === ProblemSchema && contentType !== "application/problem+json") {
    throw new Error(`${key}: a ${response.status} error must be application/problem+json, got ${contentType}`);
  }
  const result = schema.safeParse(body);
  if (!result.success) throw new Error(`${key}: ${response.status} body does not match its schema: ${z.prettifyError(result.error)}\n${text}`);
}
