/**
 * The OpenAPI document as the reference page reads it. The types are a structural subset of what
 * lib/http/openapi.ts writes, loose where the JSON import is (strings, not literal unions), so the
 * committed docs/openapi.json is checked against them by the compiler: a generator change that
 * drops a field the page reads fails `tsc`, not the page at request time.
 */
import committed from "@/docs/openapi.json";

export interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly $ref?: string;
  readonly description?: string;
  /**
   * `undefined` members come from the JSON import's inferred type, not the document: for a union
   * of objects, TypeScript gives each branch the other branches' keys as optional `undefined`.
   */
  readonly properties?: Readonly<Record<string, JsonSchema | undefined>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly items?: JsonSchema;
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly allOf?: readonly JsonSchema[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly default?: unknown;
  readonly format?: string;
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
}

export interface ApiParameter {
  readonly name: string;
  readonly in: string;
  readonly required?: boolean;
  readonly description?: string;
  readonly schema: JsonSchema;
}

export interface ApiHeader {
  readonly description?: string;
  readonly required?: boolean;
  readonly $ref?: string;
}

export interface ApiResponse {
  readonly description: string;
  readonly headers?: Readonly<Record<string, ApiHeader>>;
  readonly content?: Readonly<Record<string, { readonly schema?: JsonSchema }>>;
  readonly "x-problem-codes"?: readonly string[];
}

export type ApiAccess = { readonly permission: string } | { readonly public: string };

export interface ApiOperation {
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags?: readonly string[];
  /** Each entry is one way to authenticate; an empty list means no token is needed. */
  readonly security: readonly Readonly<Record<string, readonly string[] | undefined>>[];
  readonly parameters?: readonly ApiParameter[];
  readonly requestBody?: {
    readonly content: Readonly<Record<string, { readonly schema?: JsonSchema; readonly example?: Readonly<Record<string, unknown>> }>>;
  };
  readonly responses: Readonly<Record<string, ApiResponse>>;
  readonly "x-access": ApiAccess;
}

export interface ApiSecurityScheme {
  readonly type: string;
  readonly description?: string;
  readonly name?: string;
  readonly flows?: { readonly clientCredentials?: { readonly tokenUrl: string; readonly scopes: Readonly<Record<string, string>> } };
}

export interface ApiDocument {
  readonly info: { readonly title: string; readonly version: string; readonly description?: string };
  readonly paths: Readonly<Record<string, Readonly<Record<string, ApiOperation>>>>;
  readonly components: {
    readonly schemas: Readonly<Record<string, JsonSchema>>;
    readonly securitySchemes: Readonly<Record<string, ApiSecurityScheme>>;
  };
}

export const apiDocument: ApiDocument = committed;
