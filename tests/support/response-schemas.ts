/**
 * The exact shape of every JSON body the API returns. A route's own bodies are the schemas its
 * contract declares (lib/http/contract.ts), the ones its serializers are typed by, so a serializer,
 * its documentation and this check cannot drift apart; they are strict, so a field that is not
 * listed (a password hash, an `ownerId`, a secret hash, an internal flag) fails the parse. Errors
 * are held to the problem+json shape written out independently here.
 */
import { z } from "zod";
import { TIER_NAMES } from "@/lib/edge/rate-limit/policy";
import { routeOperations } from "@/lib/http/discover-routes";

export const ProblemSchema = z.strictObject({
  type: z.string().regex(/^\/problems\/[a-z-]+$/),
  title: z.string(),
  status: z.number().int().min(400).max(599),
  detail: z.string().optional(),
  requestId: z.string().min(1),
  errors: z.record(z.string(), z.array(z.string())).optional(),
  /** On a 429 or a limiter's 503: the tiers that refused, and nothing about whose limit it was. */
  "violated-policies": z.array(z.enum(TIER_NAMES)).min(1).optional(),
  /** On a step-up challenge: the proofs that would satisfy it, and how recent one must be. */
  stepUp: z.strictObject({ methods: z.array(z.enum(["totp", "recovery-code", "passkey", "password"])), maxAge: z.number().int() }).optional(),
});

export { OAuthErrorSchema, TokenResponseSchema } from "@/lib/service-clients/token-endpoint";

const OPERATIONS = await routeOperations();

/**
 * A success body of each route (by `METHOD path`, as in tests/support/authz-matrix.ts), read
 * from its contract; a route with two (sign-in's 200 and 202) is checked by its status below.
 * Routes answering 204 have none.
 */
export const SUCCESS_SCHEMAS: Record<string, z.ZodType> = Object.fromEntries(
  OPERATIONS.flatMap((operation) =>
    Object.entries(operation.contract.responses)
      .filter(([status, spec]) => Number(status) < 300 && spec?.schema !== undefined)
      .map(([, spec]) => [`${operation.method} ${operation.path}`, spec!.schema!] as const),
  ),
);

/** The body a route declares for one status: each success, and the token endpoint's RFC 6749 errors. */
function declaredSchema(key: string, status: number): z.ZodType | undefined {
  return OPERATIONS.find((operation) => `${operation.method} ${operation.path}` === key)?.contract.responses[status]?.schema;
}

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
  const declared = response.status >= 400 && contentType === "application/json" ? declaredSchema(key, response.status) : undefined;
  const schema = response.status >= 400 ? (declared ?? ProblemSchema) : (declaredSchema(key, response.status) ?? SUCCESS_SCHEMAS[key]);
  if (schema === undefined) throw new Error(`${key}: no response schema for a ${response.status} body`);
  if (response.status >= 400 && schema === ProblemSchema && contentType !== "application/problem+json") {
    throw new Error(`${key}: a ${response.status} error must be application/problem+json, got ${contentType}`);
  }
  const result = schema.safeParse(body);
  if (!result.success) throw new Error(`${key}: ${response.status} body does not match its schema: ${z.prettifyError(result.error)}\n${text}`);
}
