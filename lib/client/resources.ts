/**
 * The shapes the browser expects back from the API (DESIGN.md §3), checked at the boundary by
 * the API client (./api.ts). Objects are not strict: a field the server adds later is ignored,
 * a field it drops is an error state instead of a crash.
 */
import { z } from "zod";

export const RoleSchema = z.enum(["user", "admin"]);
export type Role = z.infer<typeof RoleSchema>;

export const PublicUserSchema = z.object({ id: z.string(), email: z.string(), name: z.string(), role: RoleSchema });
export type PublicUser = z.infer<typeof PublicUserSchema>;

/** login and refresh answer `{ user }`. */
export const AuthResponseSchema = z.object({ user: PublicUserSchema });

/** 202 from a request that mails a link (sign-up, forgot password, a new link, an address change): where it went. */
export const MailAcceptedSchema = z.object({ email: z.string() });
/** 200 from a spent mailed link: the address it confirmed, brought back, or reset the password of. */
export const EmailResultSchema = z.object({ email: z.string() });

export const SessionSchema = z.object({
  id: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string(),
  userAgent: z.string().nullable(),
  ip: z.string().nullable(),
  current: z.boolean(),
});
export type Session = z.infer<typeof SessionSchema>;
export const SessionListSchema = z.object({ sessions: z.array(SessionSchema) });

export const NoteSchema = z.object({ id: z.string(), title: z.string(), body: z.string(), createdAt: z.string(), updatedAt: z.string() });
export type Note = z.infer<typeof NoteSchema>;

/** The paged list shape every list endpoint shares: `{ items, page, limit, total }`. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), page: z.number().int().min(1), limit: z.number().int().min(1), total: z.number().int().min(0) });
}
export interface Page<T> {
  items: T[];
  page: number;
  limit: number;
  total: number;
}

export const NotePageSchema = pageOf(NoteSchema);

/**
 * 202 from login for an account with a second factor: the password was right, but no session
 * exists until the second step (`/signin/second-factor`) is done (ADR 047).
 */
export const SecondFactorChallengeSchema = z.object({ secondFactor: z.object({ methods: z.array(z.string()) }) });
/** What `POST /api/auth/login` answers: a session (200) or the second step (202). */
export const LoginResultSchema = z.union([AuthResponseSchema, SecondFactorChallengeSchema]);

/** One of the account's passkeys, as the security page lists it: never its key or credential id. */
export const PasskeySchema = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  /** `multiDevice` (synced by its provider) or `singleDevice` (kept on one device or key). */
  deviceType: z.string(),
  backedUp: z.boolean(),
});
export type Passkey = z.infer<typeof PasskeySchema>;

/** `GET /api/auth/mfa`: the account's second factors, newest passkey first. */
export const MfaStatusSchema = z.object({
  totp: z.object({ enabled: z.boolean(), confirmedAt: z.string().nullable() }),
  recoveryCodes: z.object({ remaining: z.number().int().min(0) }),
  passkeys: z.array(PasskeySchema),
});
export type MfaStatus = z.infer<typeof MfaStatusSchema>;

/** 201 from starting a TOTP enrolment: the key URI for the QR code and the same secret to type in. */
export const TotpEnrolmentSchema = z.object({ keyUri: z.string().startsWith("otpauth://totp/"), manualKey: z.string().min(16) });
export type TotpEnrolment = z.infer<typeof TotpEnrolmentSchema>;

/** A fresh set of recovery codes: the only time the server ever sends them. */
export const RecoveryCodesSchema = z.object({ recoveryCodes: z.array(z.string()).min(1) });

/**
 * 201 from adding a passkey. `recoveryCodes` only when it gave the account its first second
 * factor (ADR 047 decision 13): shown once, like the codes that come with an authenticator app.
 */
export const PasskeyRegisteredSchema = PasskeySchema.extend({ recoveryCodes: z.array(z.string()).min(1).optional() });

/** 200 from `POST /api/auth/step-up`: when the person last proved who they are. */
export const StepUpResultSchema = z.object({ authTime: z.string() });
