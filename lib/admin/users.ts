/**
 * Account administration: list, create, change a role, disable and enable.
 *
 * Threats and defences:
 * - Privilege escalation through the public sign-up: only this module, behind the `user:create`
 *   rule, creates an account with a chosen role; registration never can (lib/auth/credentials.ts).
 * - A stolen session outliving a demotion or a disable: both revoke every session of the account
 *   in the same transaction, so the change takes effect at once, not when a token expires.
 * - Locking everyone out: demoting or disabling the last enabled admin is refused (409). Two
 *   admins demoting each other at the same moment could each see the other still in place, so
 *   the enabled admins' rows are locked (`SELECT … FOR UPDATE`) before the count is taken: the
 *   second transaction waits, re-reads, and finds one admin left.
 * Every change is audited in the transaction that makes it.
 */
import "server-only";
import { z } from "zod";
import { recordAuditEvent, type AuditContext } from "../audit";
import type { Db } from "../db/client";
import type { Role } from "../db/generated/client";
import { isUniqueViolation } from "../db/errors";
import { AppError } from "../http/errors";
import { pagedQuery, pageWindow, type Page } from "../http/query";
import { assertAcceptablePassword } from "../auth/credentials";
import { hashPassword } from "../auth/password-hash";
import { PasswordSchema } from "../auth/password-policy";
import { revokeAllSessions } from "../auth/sessions";
import { EmailSchema, NameSchema } from "../auth/schemas";
import type { UserActor } from "../authz/policy";
import { sendVerificationLink } from "../users/email-verification";
import { roleName } from "../users/public-user";

/** The roles an admin can hand out. `service` belongs to service clients, never to a person. */
const AssignableRole = z.enum(["user", "admin"]);

export const UserListQuerySchema = pagedQuery({
  sorts: { name: "asc", email: "asc", created_at: "desc" },
  defaultSort: "created_at",
});

export const CreateUserSchema = z.strictObject({
  email: EmailSchema,
  name: NameSchema,
  password: PasswordSchema,
  role: AssignableRole.default("user"),
});

export const UpdateUserSchema = z
  .strictObject({ role: AssignableRole.optional(), disabled: z.boolean().optional() })
  .refine((input) => input.role !== undefined || input.disabled !== undefined, { message: "Send a role, disabled, or both." });

export const UserParams = z.strictObject({ id: z.string().regex(/^[a-z0-9]{20,32}$/, { message: "Not a user id." }) });

export type UserListQuery = z.output<typeof UserListQuerySchema>;
export type CreateUserInput = z.output<typeof CreateUserSchema>;
export type UpdateUserInput = z.output<typeof UpdateUserSchema>;

export const AdminUserSchema = z.strictObject({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(["user", "admin"]),
  disabled: z.boolean(),
  createdAt: z.iso.datetime(),
});

export type AdminUser = z.infer<typeof AdminUserSchema>;

const adminUserSelect = { id: true, email: true, name: true, role: true, disabledAt: true, createdAt: true } as const;

function toAdminUser(user: { id: string; email: string; name: string; role: Role; disabledAt: Date | null; createdAt: Date }): AdminUser {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: roleName(user.role),
    disabled: user.disabledAt !== null,
    createdAt: user.createdAt.toISOString(),
  };
}

const DB_ROLE = { user: "USER", admin: "ADMIN" } as const satisfies Record<z.infer<typeof AssignableRole>, Role>;
const SORT_COLUMN = { name: "name", email: "email", created_at: "createdAt" } as const;
const TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 10_000 } as const;

export async function listUsers(db: Db, query: UserListQuery): Promise<Page<AdminUser>> {
  const [rows, total] = await Promise.all([
    db.user.findMany({
      orderBy: [{ [SORT_COLUMN[query.sort]]: query.order }, { id: query.order }],
      ...pageWindow(query),
      select: adminUserSelect,
    }),
    db.user.count(),
  ]);
  return { items: rows.map(toAdminUser), page: query.page, limit: query.limit, total };
}

export async function createUser(db: Db, admin: UserActor, input: CreateUserInput, context: AuditContext): Promise<AdminUser> {
  assertAcceptablePassword(input.password, input);
  const passwordHash = await hashPassword(input.password);
  let user: AdminUser;
  try {
    user = await db.$transaction(async (tx) => {
      const created = await tx.user.create({
        data: { email: input.email, name: input.name, passwordHash, role: DB_ROLE[input.role] },
        select: adminUserSelect,
      });
      await recordAuditEvent(tx, context, { type: "user.created", actorId: admin.id, targetId: created.id, details: { role: input.role } });
      return toAdminUser(created);
    }, TRANSACTION_OPTIONS);
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError("ERR_EMAIL_TAKEN", { detail: "An account with this email address exists." });
    throw error;
  }
  // An address an admin typed is not yet proved: its owner confirms it from the message (ADR 045).
  await sendVerificationLink(db, user, context);
  return user;
}

/** Apply a role change and/or a disable or enable. Null when there is no such user. */
export async function updateUser(db: Db, admin: UserActor, id: string, input: UpdateUserInput, context: AuditContext): Promise<AdminUser | null> {
  return db.$transaction(async (tx) => {
    // Lock the enabled admins in id order (the same order in every transaction, so two cannot
    // deadlock), then the target. Until commit, no one else can demote, disable or promote them.
    // The role literal is SQL text, not input: the column is an enum, and a bound text parameter
    // would not compare with it.
    const admins = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM "User" WHERE role = 'ADMIN' AND "disabledAt" IS NULL ORDER BY id FOR UPDATE`;
    await tx.$queryRaw`SELECT id FROM "User" WHERE id = ${id} FOR UPDATE`;
    const found = await tx.user.findUnique({ where: { id }, select: { ...adminUserSelect, emailVerifiedAt: true } });
    if (found === null) return null;
    const { emailVerifiedAt, ...current } = found;

    const nextRole = input.role === undefined ? current.role : DB_ROLE[input.role];
    const wasDisabled = current.disabledAt !== null;
    const nextDisabled = input.disabled ?? wasDisabled;
    const wasEnabledAdmin = current.role === "ADMIN" && !wasDisabled;
    const staysEnabledAdmin = nextRole === "ADMIN" && !nextDisabled;
    if (wasEnabledAdmin && !staysEnabledAdmin && admins.length <= 1) {
      throw new AppError("ERR_LAST_ADMIN", { detail: "Make another account an administrator first." });
    }

    const roleChanged = nextRole !== current.role;
    // An address no one proved may be a squatter's (ADR 045): it gets no power over other accounts.
    if (roleChanged && nextRole === "ADMIN" && emailVerifiedAt === null) {
      throw new AppError("ERR_EMAIL_UNVERIFIED", { detail: "This account has not confirmed its email address, so it cannot be made an administrator." });
    }
    const disabledChanged = nextDisabled !== wasDisabled;
    if (!roleChanged && !disabledChanged) return toAdminUser(current);

    const user = await tx.user.update({
      where: { id },
      data: { role: nextRole, disabledAt: nextDisabled ? (current.disabledAt ?? new Date()) : null },
      select: adminUserSelect,
    });
    if (roleChanged) {
      // The guard re-reads the role on every request; revoking also ends refresh chains minted under the old role.
      const sessionsRevoked = await revokeAllSessions(tx, id, "role_changed");
      await recordAuditEvent(tx, context, {
        type: "role.changed",
        actorId: admin.id,
        targetId: id,
        details: { from: roleName(current.role), to: roleName(nextRole), sessionsRevoked },
      });
    }
    if (disabledChanged && nextDisabled) {
      const sessionsRevoked = await revokeAllSessions(tx, id, "account_disabled");
      await recordAuditEvent(tx, context, { type: "account.disabled", actorId: admin.id, targetId: id, details: { sessionsRevoked } });
    } else if (disabledChanged) {
      await recordAuditEvent(tx, context, { type: "account.enabled", actorId: admin.id, targetId: id });
    }
    return toAdminUser(user);
  }, TRANSACTION_OPTIONS);
}
