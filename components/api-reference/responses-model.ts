/**
 * An operation's responses, split the way a reader looks for them: what comes back when it works
 * (and any error body of the route's own, such as the token endpoint's RFC 6749 errors), and the
 * problem+json refusals with their codes. A problem response's description is one line per code,
 * `ERR_NOT_FOUND: Not found (why)`, which `x-problem-codes` lists as data.
 */
import type { ApiResponse, JsonSchema } from "./document";

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

export interface BodyContent {
  contentType: string;
  schema?: JsonSchema;
}

export interface ResponseView {
  status: string;
  /** The description without its problem-code lines. */
  prose: string;
  bodies: BodyContent[];
  headers: HeaderNote[];
}

export interface ProblemCode {
  code: string;
  /** The code's title and, where the edge can send it, why: `Not found`. */
  meaning: string;
}

export interface StatusProblems {
  status: string;
  codes: ProblemCode[];
  headers: HeaderNote[];
}

export interface HeaderNote {
  name: string;
  required: boolean;
}

const CODE_LINE = /^([A-Z][A-Z0-9_]*): (.*)$/;

function headersOf(response: ApiResponse): HeaderNote[] {
  return Object.entries(response.headers ?? {}).map(([name, header]) => ({ name, required: header.required === true }));
}

function split(response: ApiResponse): { prose: string; codes: ProblemCode[] } {
  const declared = response["x-problem-codes"] ?? [];
  const meanings = new Map<string, string>();
  const prose: string[] = [];
  for (const line of response.description.split("\n")) {
    const match = CODE_LINE.exec(line);
    if (match !== null && declared.includes(match[1] as string)) meanings.set(match[1] as string, match[2] as string);
    else prose.push(line);
  }
  return {
    prose: prose.join("\n").trim(),
    codes: declared.map((code) => ({ code, meaning: meanings.get(code) ?? "" })),
  };
}

function isError(status: string): boolean {
  return /^[45]/.test(status);
}

export interface ResponsesView {
  responses: ResponseView[];
  problems: StatusProblems[];
}

export function responsesView(responses: Readonly<Record<string, ApiResponse>>): ResponsesView {
  const out: ResponsesView = { responses: [], problems: [] };
  for (const [status, response] of Object.entries(responses)) {
    const { prose, codes } = split(response);
    const bodies = Object.entries(response.content ?? {})
      .filter(([contentType]) => contentType !== PROBLEM_CONTENT_TYPE)
      .map(([contentType, content]) => ({ contentType, ...(content.schema === undefined ? {} : { schema: content.schema }) }));
    // An error listed here has a shape of its own; a plain problem response is a row of the table.
    if (!isError(status) || bodies.length > 0) out.responses.push({ status, prose, bodies, headers: codes.length > 0 ? [] : headersOf(response) });
    if (codes.length > 0) out.problems.push({ status, codes, headers: headersOf(response) });
  }
  return out;
}
