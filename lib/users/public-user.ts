/**
 * The one shape a user takes in a response. Reads select exactly these columns, so a password
 * hash or an internal flag cannot reach a response even by accident.
 */
import { z } from "zod";
import type { Role } from "../db/generated/client";

export const publicUserSelect = { id: true, email: true, name: true, role: true, emailVerifiedAt: true } as const;

export interface PublicUser {
  id: string;
  email: string;
  name: string;
  role: "user" | "admin";
  /** The owner of `email` proved it (docs/decisions/045-verified-addresses-and-recovery.md). */
  emailVerified: boolean;
}

export function roleName(role: Role): PublicUser["role"] {
  return role.toLowerCase() as PublicUser["role"];
}

export function toPublicUser(user: { id: string; email: string; name: string; role: Role; emailVerifiedAt: Date | null }): PublicUser {
  return { id: user.id, email: user.email, name: user.name, role: roleName(user.role), emailVerified: user.emailVerifiedAt !== null };
}

/** The response shape of a user, exactly: a field not listed here cannot be sent. */
export const PublicUserSchema = z.strictObject({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(["user", "admin"]),
  emailVerified: z.boolean(),
});
