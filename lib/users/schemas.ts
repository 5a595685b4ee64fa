/**
 * Request and response schemas of the address and recovery endpoints, shared with the browser
 * so its forms show the server's own messages. Strict objects, like every input here.
 */
import { z } from "zod";
import { EmailSchema } from "../auth/schemas";
import { PasswordSchema } from "../auth/password-policy";

/** A mailed token as the page reads it from the link: 32 random bytes in base64url. */
export const EmailTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, { message: "This link is incomplete. Open it again from the message." });

export const ForgotPasswordSchema = z.strictObject({ email: EmailSchema });
export const ResetPasswordSchema = z.strictObject({ token: EmailTokenSchema, newPassword: PasswordSchema });
export const EmailLinkSchema = z.strictObject({ token: EmailTokenSchema });
export const ChangeEmailSchema = z.strictObject({ email: EmailSchema });

/** 202: a message is on its way to `email` (which is all the answer says, whatever happened). */
export const MailAcceptedSchema = z.strictObject({ email: z.string() });
/** 200: the address the link confirmed, restored or had its password reset. */
export const EmailResultSchema = z.strictObject({ email: z.string() });

export type ForgotPasswordInput = z.output<typeof ForgotPasswordSchema>;
export type ResetPasswordInput = z.output<typeof ResetPasswordSchema>;
