/**
 * Service clients: machines that call the API with the OAuth 2.0 client credentials grant.
 *
 * A client is created by an admin (POST /api/admin/clients) or by an operator at the command line
 * (`npm run clients:create`); both go through `createServiceClient`, which returns the secret
 * exactly once. Only its hash is stored (./credentials.ts), no read returns it, and every read
 * selects the public columns explicitly. A client holds only the scopes it was granted, and only
 * scopes the app still knows (lib/authz/scopes.ts) count.
 */
import "server-only";
import { z } from "zod";
import { recordAuditEvent, type AuditContext } from "../audit";
import type { Db } from "../db/client";
import { pagedQuery, pageWindow, type Page } from "../http/query";
import { storableText } from "../http/text";
import { isScope, SCOPE_NAMES, type Scope } from "../authz/scopes";
import { CLIENT_ID_FORMAT, CLIENT_SECRET_FORMAT, newClientCredentials, secretMatches, UNKNOWN_CLIENT_HASH } from "./credentials";

const ScopeName = z.enum(SCOPE_NAMES as [Scope, ...Scope[]], { message: `Unknown scope. Known scopes: ${SCOPE_NAMES.join(", ")}.` });

export const CreateClientSchema = z.strictObject({
  name: storableText(z.string().trim().min(1, { message: "Name the client." }).max(100, { message: "Use at most 100 characters." })),
  scopes: z
    .array(ScopeName)
    .min(1, { message: "Grant at least one scope." })
    .max(SCOPE_NAMES.length)
    .refine((scopes) => new Set(scopes).size === scopes.length, { message: "List each scope once." }),
});

export const UpdateClientSchema = z.strictObject({ disabled: z.boolean() });

export const ClientParams = z.strictObject({ id: z.string().regex(CLIENT_ID_FORMAT, { message: "Not a client id." }) });

export const ClientListQuerySchema = pagedQuery({ sorts: { created_at: "desc", name: "asc" }, defaultSort: "created_at" });

export type CreateClientInput = z.output<typeof CreateClientSchema>;
export type ClientListQuery = z.output<typeof ClientListQuerySchema>;

export const PublicServiceClientSchema = z.strictObject({
  clientId: z.string(),
  name: z.string(),
  scopes: z.array(ScopeName),
  disabled: z.boolean(),
  createdAt: z.iso.datetime(),
});

export type PublicServiceClient = z.infer<typeof PublicServiceClientSchema>;

/** The one response that carries a secret: the creation response, once. */
export const CreatedServiceClientSchema = z.strictObject({ client: PublicServiceClientSchema, clientSecret: z.string() });

export type CreatedServiceClient = z.infer<typeof CreatedServiceClientSchema>;

const clientSelect = { clientId: true, name: true, scopes: true, disabledAt: true, createdAt: true } as const;

/** Scopes the registry no longer knows are dropped: removing a scope from the code revokes it everywhere. */
function knownScopes(scopes: readonly string[]): Scope[] {
  return scopes.filter(isScope);
}

function toPublicServiceClient(row: { clientId: string; name: string; scopes: string[]; disabledAt: Date | null; createdAt: Date }): PublicServiceClient {
  return {
    clientId: row.clientId,
    name: row.name,
    scopes: knownScopes(row.scopes),
    disabled: row.disabledAt !== null,
    createdAt: row.createdAt.toISOString(),
  };
}

export async function createServiceClient(
  db: Db,
  input: CreateClientInput & { createdById: string | null },
  context: AuditContext,
): Promise<CreatedServiceClient> {
  const credentials = newClientCredentials();
  const client = await db.$transaction(async (tx) => {
    const row = await tx.serviceClient.create({
      data: { clientId: credentials.clientId, name: input.name, secretHash: credentials.secretHash, scopes: input.scopes, createdById: input.createdById },
      select: clientSelect,
    });
    // The event names the client and its grants; the secret and its hash stay out of the log.
    await recordAuditEvent(tx, context, {
      type: "client.created",
      actorId: input.createdById,
      targetId: row.clientId,
      details: { name: row.name, scopes: row.scopes.join(" ") },
    });
    return row;
  });
  return { client: toPublicServiceClient(client), clientSecret: credentials.clientSecret };
}

export async function listServiceClients(db: Db, query: ClientListQuery): Promise<Page<PublicServiceClient>> {
  const column = query.sort === "name" ? "name" : "createdAt";
  const [rows, total] = await Promise.all([
    db.serviceClient.findMany({ orderBy: [{ [column]: query.order }, { id: query.order }], ...pageWindow(query), select: clientSelect }),
    db.serviceClient.count(),
  ]);
  return { items: rows.map(toPublicServiceClient), page: query.page, limit: query.limit, total };
}

/** Disable or enable a client. A disabled client gets no new token, and its live tokens stop working at once. */
export async function setServiceClientDisabled(
  db: Db,
  adminId: string,
  clientId: string,
  disabled: boolean,
  context: AuditContext,
): Promise<PublicServiceClient | null> {
  return db.$transaction(async (tx) => {
    const current = await tx.serviceClient.findUnique({ where: { clientId }, select: { disabledAt: true } });
    if (current === null) return null;
    const changed = (current.disabledAt !== null) !== disabled;
    const row = await tx.serviceClient.update({
      where: { clientId },
      data: { disabledAt: disabled ? (current.disabledAt ?? new Date()) : null },
      select: clientSelect,
    });
    if (changed) {
      await recordAuditEvent(tx, context, { type: disabled ? "client.disabled" : "client.enabled", actorId: adminId, targetId: clientId });
    }
    return toPublicServiceClient(row);
  });
}

export type ClientAuthentication =
  { ok: true; clientId: string; scopes: Scope[] } | { ok: false; reason: "unknown_client" | "bad_secret" | "disabled"; clientExists: boolean };

/**
 * Check a client id and secret. Never throws for bad credentials. An unknown id still costs one
 * hash comparison, and a disabled client is reported only after its secret checked out, so the
 * answer's timing and content reveal nothing to someone without the secret.
 */
export async function authenticateClient(db: Db, clientId: string, clientSecret: string): Promise<ClientAuthentication> {
  const row = CLIENT_ID_FORMAT.test(clientId)
    ? await db.serviceClient.findUnique({ where: { clientId }, select: { secretHash: true, scopes: true, disabledAt: true } })
    : null;
  const wellFormed = CLIENT_SECRET_FORMAT.test(clientSecret);
  const matches = secretMatches(row?.secretHash ?? UNKNOWN_CLIENT_HASH, clientSecret) && wellFormed;
  if (row === null) return { ok: false, reason: "unknown_client", clientExists: false };
  if (!matches) return { ok: false, reason: "bad_secret", clientExists: true };
  if (row.disabledAt !== null) return { ok: false, reason: "disabled", clientExists: true };
  return { ok: true, clientId, scopes: knownScopes(row.scopes) };
}

/** The scopes a client holds right now, or null when it no longer exists or is disabled (the service guard's question). */
export async function activeClientScopes(db: Db, clientId: string): Promise<Scope[] | null> {
  const row = await db.serviceClient.findUnique({ where: { clientId }, select: { scopes: true, disabledAt: true } });
  return row === null || row.disabledAt !== null ? null : knownScopes(row.scopes);
}
