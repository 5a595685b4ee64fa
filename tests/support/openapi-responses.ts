/**
 * Every response a test receives from a route handler, held to the committed OpenAPI document
 * (docs/openapi.json) by a validator this project did not write (Ajv, JSON Schema 2020-12, the
 * dialect OpenAPI 3.1 uses). The document is generated from the same contracts the handlers
 * enforce, so this is the check that generation itself is faithful: a status the document does not
 * list, a content type it does not name, or a body its schema refuses fails the test that received
 * it. `call()` (./http.ts) runs it on every handler it calls.
 */
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import document from "@/docs/openapi.json";
import type { ContractHandler } from "@/lib/http/contract";
import { routeOperations } from "@/lib/http/discover-routes";

const DOCUMENT_ID = "palisade-openapi";

// Not strict: the document is OpenAPI, with keywords (`openapi`, `x-problem-codes`, …) that are not JSON Schema.
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(document, DOCUMENT_ID);

interface ResponseObject {
  content?: Record<string, unknown>;
}

type Paths = Record<string, Record<string, { responses?: Record<string, ResponseObject> }>>;
const PATHS = document.paths as unknown as Paths;

type OperationOf = Map<unknown, { method: string; path: string }>;

async function discover(): Promise<OperationOf> {
  return new Map((await routeOperations()).map((operation) => [operation.handler, { method: operation.method, path: operation.path }]));
}

// Found on first use, not at import: the authorization page's generator imports this module too, as CommonJS.
let operationOf: OperationOf | undefined;

/**
 * The operation a handler serves. A suite that resets the module registry (tests/support/databases.ts)
 * holds new handler objects afterwards: discovering again imports the same fresh modules it did.
 */
async function operationFor(handler: unknown): Promise<{ method: string; path: string } | undefined> {
  operationOf ??= await discover();
  const known = operationOf.get(handler);
  if (known !== undefined || typeof (handler as Partial<ContractHandler>).contract !== "object") return known;
  operationOf = await discover();
  return operationOf.get(handler);
}

/** RFC 6901: `~` and `/` escaped in a pointer segment. */
const pointer = (segment: string) => segment.replaceAll("~", "~0").replaceAll("/", "~1");

const validators = new Map<string, ValidateFunction>();

function validatorFor(path: string, method: string, status: string, mediaType: string): ValidateFunction {
  const ref = `${DOCUMENT_ID}#/paths/${pointer(path)}/${method}/responses/${status}/content/${pointer(mediaType)}/schema`;
  let validate = validators.get(ref);
  if (validate === undefined) {
    validate = ajv.compile({ $ref: ref });
    validators.set(ref, validate);
  }
  return validate;
}

/** How many responses were checked, so a suite can show the check ran and was not skipped. */
export const checked = { responses: 0 };

/**
 * Throws when `response` is not what the document says `handler` answers. A handler that is not a
 * route's (a test's own) is left alone; a route's handler the document does not know is an error.
 */
export async function assertDocumented(handler: unknown, response: Response): Promise<void> {
  const operation = await operationFor(handler);
  if (operation === undefined) {
    if (typeof (handler as Partial<ContractHandler>).contract === "object") throw new Error("a route handler that routeOperations() did not find");
    return;
  }
  const method = operation.method.toLowerCase();
  const where = `${operation.method} ${operation.path} → ${response.status}`;
  const documented = PATHS[operation.path]?.[method]?.responses?.[String(response.status)];
  if (documented === undefined) throw new Error(`${where}: the OpenAPI document lists no such response`);
  const text = await response.clone().text();
  checked.responses++;
  const mediaType = (response.headers.get("content-type") ?? "").split(";")[0]!.trim();
  if (documented.content === undefined || Object.keys(documented.content).length === 0) {
    if (text !== "") throw new Error(`${where}: a body (${mediaType}) where the document describes none`);
    return;
  }
  if (!(mediaType in documented.content))
    throw new Error(`${where}: ${mediaType || "no content type"} is not among ${Object.keys(documented.content).join(", ")}`);
  if (!mediaType.endsWith("json")) return;
  const validate = validatorFor(operation.path, method, String(response.status), mediaType);
  if (!validate(JSON.parse(text))) throw new Error(`${where}: the body does not match the document: ${ajv.errorsText(validate.errors)}\n${text}`);
}
