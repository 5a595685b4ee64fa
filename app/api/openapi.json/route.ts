import { z } from "zod";
import { endpoint } from "@/lib/http/endpoint";
import { json } from "@/lib/http/handler";
import document from "@/docs/openapi.json";

// The committed file, not one generated per request: what is served is what review saw, and a
// stale one fails `npm run openapi -- --check` and the unit tests (tests/unit/openapi-document.test.ts).
const OpenApiDocumentSchema = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});

/** The OpenAPI 3.1 description of this API, generated from the route contracts (lib/http/openapi.ts). */
export const GET = endpoint(
  {
    summary: "The OpenAPI description of this API",
    access: { public: "the API description: no secrets, the same for everyone" },
    database: false,
    responses: { 200: { description: "An OpenAPI 3.1 document", schema: OpenApiDocumentSchema } },
  },
  async () => json(document, { headers: { "cache-control": "public, max-age=300" } }),
);
