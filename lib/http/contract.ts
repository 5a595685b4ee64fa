/**
 * An endpoint's contract: everything a caller, a reviewer or a test needs to know about one
 * route handler, declared once beside it (`endpoint(contract, handler)`, ./endpoint.ts).
 *
 * The contract is data, and everything else reads it: the wrapper enforces it (the guard, the
 * parsing, the statuses and problem codes a handler may answer), the OpenAPI document is
 * generated from it (lib/http/openapi.ts), and the authorization, fuzzing and inventory tests
 * walk it. There is no second table to keep in step, so a route cannot be documented one way and
 * guarded another.
 *
 * This module has no server dependency, so tools and tests can read contracts anywhere.
 */
import type { z } from "zod";
import type { Action } from "../authz/policy";
import { isAdminOnly } from "../authz/admin-actions";
import type { ErrorCode } from "./errors";

/**
 * Who may call. A permission names a rule of the policy table (lib/authz/policy.ts); `public`
 * says, in words reviewed like code, what authenticates the route instead of an access token.
 */
export type Access =
  | { readonly permission: Action }
  | {
      readonly public: string;
      /**
       * The check that stands in for the guard, when the route has one of its own (a shared
       * secret): it runs first, like a guard, so an unauthenticated caller learns nothing about
       * what the route accepts. It throws to refuse.
       */
      readonly authenticate?: (request: Request) => void | Promise<void>;
    };

export interface BodySpec {
  readonly kind: "json" | "form";
  readonly schema: z.ZodType;
  /**
   * `handler`: the handler reads the body itself, because its errors have a shape of their own
   * (the OAuth token endpoint answers RFC 6749 JSON, not problem+json). It then reads the query
   * too, for the same reason. The schema still documents the body and the fuzzers still send it.
   */
  readonly readBy?: "handler";
  /**
   * A body a legitimate caller would send, which the schema accepts (the wrapper refuses a
   * contract whose example it does not: ./endpoint.ts). It is the OpenAPI example, and the
   * request the derived tests and scans start from: the authorization matrix creates an owned
   * object with it, the write-attack suite smuggles fields into it, the scanner mutates it.
   */
  readonly example: Readonly<Record<string, unknown>>;
}

export interface ResponseSpec {
  readonly description: string;
  /** The exact JSON body. Absent: no body at all, unless `contentType` says what else is sent. */
  readonly schema?: z.ZodType;
  /** A body that is not this API's JSON (the identity broker's pages and redirects). */
  readonly contentType?: string;
  /** Headers a client may rely on in this answer, by name, with what each says. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface Contract {
  /** One line, for the API reference. */
  readonly summary: string;
  readonly description?: string;
  readonly access: Access;
  /** The path parameters. A dynamic route declares them; a static one has none. */
  readonly params?: z.ZodType;
  /** The query. Absent: the route takes none, and any query parameter at all is a 400. */
  readonly query?: z.ZodType;
  readonly body?: BodySpec;
  /** The cookie the route reads its credential from, when that is not the access token. */
  readonly cookie?: string;
  /** Each status the handler answers on success, or with a body of its own shape. */
  readonly responses: Readonly<Partial<Record<number, ResponseSpec>>>;
  /** Problem codes the handler answers beyond those its contract implies (impliedProblems). */
  readonly problems?: readonly ErrorCode[];
  /** Security cookies the handler reads every copy of itself (only logout: lib/auth/logout.ts). */
  readonly duplicateCookiesAllowed?: readonly string[];
  /** `false`: the handler never touches the database, so it keeps answering when it is down. */
  readonly database?: false;
  /**
   * `true`: an action that would let a thief keep the account (a new password or address, a
   * removed sign-in method, an admin write). After the guard, the wrapper asks a caller whose
   * account has a second factor to have proved it within the last 10 minutes, or answers the
   * RFC 9470 step-up challenge (lib/auth/step-up.ts; docs/decisions/047-…md).
   */
  readonly sensitive?: true;
}

/** Problems any handler can answer: a conflicting cookie, the database down, a crash. */
const ALWAYS: readonly ErrorCode[] = ["ERR_COOKIE_DUPLICATE", "ERR_DB_UNAVAILABLE", "ERR_INTERNAL"];
const GUARDED: readonly ErrorCode[] = ["ERR_UNAUTHENTICATED", "ERR_TOKEN_INVALID", "ERR_TOKEN_EXPIRED", "ERR_FORBIDDEN"];
const JSON_BODY: readonly ErrorCode[] = ["ERR_MALFORMED_JSON", "ERR_BODY_TOO_DEEP", "ERR_FORBIDDEN_KEY", "ERR_BODY_TOO_LARGE", "ERR_UNSUPPORTED_MEDIA_TYPE"];
const FORM_BODY: readonly ErrorCode[] = ["ERR_FORBIDDEN_KEY", "ERR_BODY_TOO_LARGE", "ERR_UNSUPPORTED_MEDIA_TYPE"];

/** The problem codes a contract lets its handler answer: those its parts imply, and its own. */
export function allowedProblems(contract: Contract): ReadonlySet<ErrorCode> {
  const codes = new Set<ErrorCode>(ALWAYS);
  if ("permission" in contract.access) for (const code of GUARDED) codes.add(code);
  if (contract.sensitive === true) codes.add("ERR_STEP_UP_REQUIRED");
  if ("permission" in contract.access && isAdminOnly(contract.access.permission)) codes.add("ERR_SECOND_FACTOR_REQUIRED");
  // Every route refuses a query it does not declare, and a bad parameter, with a 400.
  codes.add("ERR_VALIDATION");
  if (contract.body !== undefined && contract.body.readBy !== "handler") {
    for (const code of contract.body.kind === "json" ? JSON_BODY : FORM_BODY) codes.add(code);
  }
  for (const code of contract.problems ?? []) codes.add(code);
  return codes;
}

/** The HTTP methods a route module can export a handler for. */
export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** A handler made by `endpoint()`: callable by the router, carrying its contract. */
export interface ContractHandler {
  (request: Request, context: { params: Promise<unknown> }): Promise<Response>;
  readonly contract: Contract;
}

export function isContractHandler(value: unknown): value is ContractHandler {
  return typeof value === "function" && typeof (value as Partial<ContractHandler>).contract === "object";
}
