/**
 * Every endpoint's inputs, as the app's own schemas define them: the body (JSON or form), the
 * query, the path parameters and, for the cookie-authenticated auth endpoints, the cookie. The
 * fuzzer and the SSRF probe both walk this table; a test checks it covers every method of every
 * route in the manifest, so a new endpoint cannot go unfuzzed.
 */
import { z } from "zod";
import { ChangePasswordSchema, AddPasswordSchema, LoginSchema, RegisterSchema } from "@/lib/auth/schemas";
import { ConfirmLinkSchema } from "@/lib/auth/oauth/confirm-link";
import { UnlinkParamsSchema } from "@/lib/auth/oauth/sign-in-methods";
import { CreateNoteSchema, NoteListQuerySchema, NoteParams, UpdateNoteSchema } from "@/lib/notes/public-note";
import { CreateUserSchema, UpdateUserSchema, UserListQuerySchema, UserParams } from "@/lib/admin/users";
import { AuditListQuerySchema } from "@/lib/audit";
import { ClientListQuerySchema, ClientParams, CreateClientSchema, UpdateClientSchema } from "@/lib/service-clients/clients";
import { DeleteAccountSchema } from "@/lib/users/delete-account";

export type Caller = "anonymous" | "user" | "admin";

export interface Endpoint {
  /** `METHOD /path/{param}`, as tests/support/response-schemas.ts names them. */
  key: string;
  method: string;
  /** The path with `{name}` placeholders. */
  path: string;
  caller: Caller;
  body?: { kind: "json" | "form"; schema: z.ZodType };
  /** The query schema; absent means the route takes none (and must refuse any). */
  query?: z.ZodType;
  params?: z.ZodType;
  /** The cookie this endpoint reads its credential from, fuzzed as an input of its own. */
  cookie?: string;
}

/** The OAuth 2.0 token request (RFC 6749 §4.4.2), as the form fields the endpoint reads. */
const TokenRequestForm = z.strictObject({
  grant_type: z.enum(["client_credentials", "password", "authorization_code"]),
  client_id: z.string().max(100),
  client_secret: z.string().max(200),
  scope: z.string().max(100).optional(),
});

const SessionParams = z.strictObject({ id: z.string().regex(/^[A-Za-z0-9_-]{22}$/) });
/** The identity broker's catch-all: only its reviewed endpoints answer (lib/auth/oauth/broker.ts). */
const BrokerParams = z.strictObject({ nextauth: z.enum(["csrf", "signin", "signin/github", "callback/oidc", "error", "session", "providers", "_log"]) });
const SignInForm = z.strictObject({ csrfToken: z.string().max(100), callbackUrl: z.string().max(200) });

export const ENDPOINTS: readonly Endpoint[] = [
  { key: "GET /api/health", method: "GET", path: "/api/health", caller: "anonymous" },
  { key: "GET /.well-known/jwks.json", method: "GET", path: "/.well-known/jwks.json", caller: "anonymous" },
  { key: "GET /api/cron/prune", method: "GET", path: "/api/cron/prune", caller: "anonymous" },
  { key: "POST /api/auth/register", method: "POST", path: "/api/auth/register", caller: "anonymous", body: { kind: "json", schema: RegisterSchema } },
  { key: "POST /api/auth/login", method: "POST", path: "/api/auth/login", caller: "anonymous", body: { kind: "json", schema: LoginSchema } },
  { key: "POST /api/auth/refresh", method: "POST", path: "/api/auth/refresh", caller: "anonymous", cookie: "__Secure-palisade-rt" },
  { key: "POST /api/auth/logout", method: "POST", path: "/api/auth/logout", caller: "anonymous", cookie: "__Secure-palisade-rt" },
  { key: "POST /api/auth/logout-all", method: "POST", path: "/api/auth/logout-all", caller: "anonymous", cookie: "__Host-palisade-at" },
  { key: "POST /api/auth/password", method: "POST", path: "/api/auth/password", caller: "user", body: { kind: "json", schema: ChangePasswordSchema } },
  { key: "GET /api/auth/sessions", method: "GET", path: "/api/auth/sessions", caller: "user" },
  { key: "DELETE /api/auth/sessions/{id}", method: "DELETE", path: "/api/auth/sessions/{id}", caller: "user", params: SessionParams },
  { key: "GET /api/me", method: "GET", path: "/api/me", caller: "user" },
  { key: "DELETE /api/me", method: "DELETE", path: "/api/me", caller: "user", body: { kind: "json", schema: DeleteAccountSchema } },
  { key: "POST /api/auth/oauth/password", method: "POST", path: "/api/auth/oauth/password", caller: "user", body: { kind: "json", schema: AddPasswordSchema } },
  { key: "GET /api/auth/oauth/accounts", method: "GET", path: "/api/auth/oauth/accounts", caller: "user" },
  { key: "DELETE /api/auth/oauth/accounts/{provider}", method: "DELETE", path: "/api/auth/oauth/accounts/{provider}", caller: "user", params: UnlinkParamsSchema },
  { key: "GET /api/auth/oauth/link", method: "GET", path: "/api/auth/oauth/link", caller: "anonymous", cookie: "__Host-palisade-oauth-link" },
  { key: "POST /api/auth/oauth/link", method: "POST", path: "/api/auth/oauth/link", caller: "anonymous", body: { kind: "json", schema: ConfirmLinkSchema }, cookie: "__Host-palisade-oauth-link" },
  { key: "GET /api/auth/{...nextauth}", method: "GET", path: "/api/auth/{nextauth}", caller: "anonymous", params: BrokerParams },
  { key: "POST /api/auth/{...nextauth}", method: "POST", path: "/api/auth/{nextauth}", caller: "anonymous", params: BrokerParams, body: { kind: "form", schema: SignInForm } },
  { key: "GET /api/notes", method: "GET", path: "/api/notes", caller: "user", query: NoteListQuerySchema },
  { key: "POST /api/notes", method: "POST", path: "/api/notes", caller: "user", body: { kind: "json", schema: CreateNoteSchema } },
  { key: "GET /api/notes/{id}", method: "GET", path: "/api/notes/{id}", caller: "user", params: NoteParams },
  { key: "PATCH /api/notes/{id}", method: "PATCH", path: "/api/notes/{id}", caller: "user", params: NoteParams, body: { kind: "json", schema: UpdateNoteSchema } },
  { key: "DELETE /api/notes/{id}", method: "DELETE", path: "/api/notes/{id}", caller: "user", params: NoteParams },
  { key: "GET /api/admin/users", method: "GET", path: "/api/admin/users", caller: "admin", query: UserListQuerySchema },
  { key: "POST /api/admin/users", method: "POST", path: "/api/admin/users", caller: "admin", body: { kind: "json", schema: CreateUserSchema } },
  { key: "PATCH /api/admin/users/{id}", method: "PATCH", path: "/api/admin/users/{id}", caller: "admin", params: UserParams, body: { kind: "json", schema: UpdateUserSchema } },
  { key: "GET /api/admin/audit", method: "GET", path: "/api/admin/audit", caller: "admin", query: AuditListQuerySchema },
  { key: "GET /api/admin/clients", method: "GET", path: "/api/admin/clients", caller: "admin", query: ClientListQuerySchema },
  { key: "POST /api/admin/clients", method: "POST", path: "/api/admin/clients", caller: "admin", body: { kind: "json", schema: CreateClientSchema } },
  { key: "PATCH /api/admin/clients/{id}", method: "PATCH", path: "/api/admin/clients/{id}", caller: "admin", params: ClientParams, body: { kind: "json", schema: UpdateClientSchema } },
  { key: "POST /api/oauth/token", method: "POST", path: "/api/oauth/token", caller: "anonymous", body: { kind: "form", schema: TokenRequestForm } },
  { key: "GET /api/reports/notes", method: "GET", path: "/api/reports/notes", caller: "anonymous" },
];

/** `/api/notes/{id}` with `params` filled in, each value URL-encoded (a catch-all keeps its slashes). */
export function fillPath(template: string, params: Record<string, unknown>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) =>
    String(params[name] ?? "x")
      .split("/")
      .map(encodeURIComponent)
      .join(name === "nextauth" ? "/" : "%2F"),
  );
}

/** The manifest's route path for an endpoint key's path (`{id}` → `[id]`, the broker's catch-all). */
export function manifestPathOf(endpoint: Endpoint): string {
  return endpoint.path.replace("{nextauth}", "[...nextauth]").replace(/\{(\w+)\}/g, "[$1]");
}
