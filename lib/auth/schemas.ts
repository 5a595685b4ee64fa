/**
 * Request schemas for the auth endpoints. Shared with the browser, so the sign-up form shows the
 * same messages the server would. Strict objects: an unexpected field (`role`, `id`, `isAdmin`)
 * is a 400, never silently dropped and never applied. The source article's CreateUserSchema
 * accepted `role` from the client, a mass-assignment hole (docs/decisions/005-password-policy.md).
 */
import { z } from "zod";
import { storableText } from "../http/text";
import { PasswordSchema } from "./password-policy";

/** Trimmed and lowercased before validation, so `Ann@Example.com ` and `ann@example.com` are one account. */
export const EmailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: "Enter a valid email address." }).max(254, { message: "Use at most 254 characters." }));

export const NameSchema = storableText(z.string().trim().min(1, { message: "Enter your name." }).max(100, { message: "Use at most 100 characters." }));

export const RegisterSchema = z.strictObject({
  email: EmailSchema,
  name: NameSchema,
  password: PasswordSchema,
});

export const LoginSchema = z.strictObject({
  email: EmailSchema,
  // No policy here: old passwords must still work. The cap only bounds hashing work.
  password: z.string().min(1, { message: "Enter your password." }).max(1024),
});

export const ChangePasswordSchema = z.strictObject({
  currentPassword: z.string().min(1).max(1024),
  newPassword: PasswordSchema,
});

/** A first password for an account that signs in only through a provider (lib/auth/oauth/add-password.ts). */
export const AddPasswordSchema = z.strictObject({ newPassword: PasswordSchema });

export type RegisterInput = z.output<typeof RegisterSchema>;
export type LoginInput = z.output<typeof LoginSchema>;
export type ChangePasswordInput = z.output<typeof ChangePasswordSchema>;
export type AddPasswordInput = z.output<typeof AddPasswordSchema>;
