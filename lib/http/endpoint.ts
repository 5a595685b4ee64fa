/**
 * `endpoint(contract, handler)`: the one way a route handler is written.
 *
 * The wrapper does, in this order, what every handler would otherwise repeat by hand, and so
 * could forget:
 * 1. the guard the contract's permission names (lib/auth/guards.ts), before anything else reads
 *    the request: a caller who may not be here learns nothing about what the route accepts;
 *    then, for a `sensitive` action, the step-up check (lib/auth/step-up.ts);
 * 2. the path parameters, the query (none unless declared: an unknown key is a 400 on every
 *    route) and the body, each parsed by its strict schema;
 * 3. the handler, with a typed `{ actor, params, query, body, db }`;
 * 4. outside production, the response is held to the contract: a status it does not declare, a
 *    problem code it does not list, a body its schema refuses, or a header it documents and does
 *    not send is a 500 with the reason logged,
 *    so the tests that exercise a route prove its documentation too.
 * Around all of it, ./handler.ts's `route()` adds the request ID, the duplicate-cookie refusal and
 * the mapping of errors to problem+json.
 */
import "server-only";
import type { Logger } from "pino";
import type { z } from "zod";
import type { AuditContext } from "../audit";
import type { Actor, ActorFor, Action } from "../authz/policy";
import { requireSecondFactorIfEnrolled } from "../auth/step-up";
import { requireCaller } from "../auth/guards";
import { getDb, type Db } from "../db/client";
import { env } from "../env";
import { allowedProblems, type Access, type BodySpec, type Contract, type ContractHandler } from "./contract";
import { AppError, ERROR_CODES, isAppError, problemSlug, type ErrorCode } from "./errors";
import { route } from "./handler";
import { PROBLEM_CONTENT_TYPE } from "./problem";
import { assertNoQuery, parseQuery } from "./query";
import { readForm } from "./read-form";
import { readJson } from "./read-json";
import { requestContext } from "./request-context";
import { parseInput } from "./validate";

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;
type BodyOf<B> = B extends { readBy: "handler" } ? undefined : B extends BodySpec ? z.output<B["schema"]> : undefined;
type ActorOf<A extends Access> = A extends { permission: infer P extends Action } ? ActorFor<P> : null;

export interface EndpointContext<C extends Contract> {
  request: Request;
  requestId: string;
  log: Logger;
  /** Who asked and from where, for sessions and audit events. */
  context: AuditContext;
  actor: ActorOf<C["access"]>;
  params: Parsed<C["params"]>;
  query: Parsed<C["query"]>;
  body: BodyOf<C["body"]>;
  db: C["database"] extends false ? undefined : Db;
}

export type EndpointHandler<C extends Contract> = ContractHandler & { readonly contract: C };

/** In development and tests every response is held to its contract; production trusts the tests. */
const checkResponses = env.NODE_ENV !== "production";

export function endpoint<const C extends Contract>(contract: C, handler: (context: EndpointContext<C>) => Promise<Response>): EndpointHandler<C> {
  const allowed = allowedProblems(contract);
  if (checkResponses) assertExampleFits(contract);
  const run = route<unknown>(
    async ({ request, params: rawParams, requestId, log }) => {
      const actor = await authorize(request, contract.access);
      if (contract.sensitive === true) await requireFreshProof(actor);
      const params = contract.params === undefined ? undefined : parseInput(contract.params, rawParams);
      const query = readQuery(new URL(request.url), contract);
      const body = await readBody(request, contract.body);
      const db = contract.database === false ? undefined : await getDb();
      const context = requestContext(request, requestId);
      let response: Response;
      try {
        response = await handler({ request, requestId, log, context, actor, params, query, body, db } as EndpointContext<C>);
      } catch (error) {
        if (checkResponses && isAppError(error) && !allowed.has(error.code)) throw undocumented(`problem ${error.code}`);
        throw error;
      }
      if (checkResponses) await holdToContract(contract, allowed, response);
      return response;
    },
    { duplicateCookiesAllowed: contract.duplicateCookiesAllowed ?? [] },
  );
  return Object.assign(run as ContractHandler, { contract });
}

/** The signed-in caller a permission names; null for a public route, once its own check (if any) passed. */
async function authorize(request: Request, access: Access): Promise<unknown> {
  if ("permission" in access) return requireCaller(request, access.permission);
  await access.authenticate?.(request);
  return null;
}

/** A person with a second factor must have proved it lately; a service client has none to prove. */
async function requireFreshProof(actor: unknown): Promise<void> {
  const caller = actor as Actor | null;
  if (caller === null || caller.kind !== "user") return;
  await requireSecondFactorIfEnrolled(await getDb(), caller);
}

function readQuery(url: URL, contract: Contract): unknown {
  if (contract.body?.readBy === "handler") return undefined;
  if (contract.query === undefined) return assertNoQuery(url);
  return parseQuery(contract.query, url);
}

async function readBody(request: Request, spec: BodySpec | undefined): Promise<unknown> {
  if (spec === undefined || spec.readBy === "handler") return undefined;
  const raw = spec.kind === "json" ? await readJson(request) : Object.fromEntries(await readForm(request));
  return parseInput(spec.schema, raw);
}

/** A contract whose body example its own schema refuses would document, and derive tests from, a request that cannot succeed. */
function assertExampleFits(contract: Contract): void {
  if (contract.body === undefined) return;
  const result = contract.body.schema.safeParse(contract.body.example);
  if (!result.success) throw new Error(`${contract.summary}: the contract's body example does not fit its schema: ${result.error.message}`);
}

function undocumented(what: string): Error {
  return new Error(`the response breaks its endpoint contract: ${what}`);
}

const CODE_OF_SLUG = new Map((Object.keys(ERROR_CODES) as ErrorCode[]).map((code) => [`/problems/${problemSlug(code)}`, code]));

async function holdToContract(contract: Contract, allowed: ReadonlySet<ErrorCode>, response: Response): Promise<void> {
  const spec = contract.responses[response.status];
  const text = await response.clone().text();
  if (spec === undefined) {
    if (response.headers.get("content-type") !== PROBLEM_CONTENT_TYPE) throw undocumented(`status ${response.status}`);
    const code = CODE_OF_SLUG.get((JSON.parse(text) as { type?: string }).type ?? "");
    if (code === undefined || !allowed.has(code)) throw undocumented(`problem ${code ?? "of an unknown type"} (${response.status})`);
    return;
  }
  for (const name of Object.keys(spec.headers ?? {})) {
    if (!response.headers.has(name)) throw undocumented(`a ${response.status} without the ${name} header it documents`);
  }
  if (spec.schema !== undefined) {
    const result = spec.schema.safeParse(JSON.parse(text));
    if (!result.success) throw undocumented(`a ${response.status} body its schema refuses: ${result.error.message}`);
  } else if (spec.contentType === undefined && text !== "") {
    throw undocumented(`a body on a ${response.status} that declares none`);
  }
}

/** The problem a handler throws for an object that is not the caller's, or does not exist: one answer for both. */
export function notFound(detail?: string): AppError {
  return new AppError("ERR_NOT_FOUND", detail === undefined ? {} : { detail });
}
