/**
 * Confirming a pending link with the existing account's password (POST /api/auth/oauth/link).
 *
 * Threat: this endpoint checks passwords, so it is a password-guessing oracle like the login
 * endpoint, and must cost an attacker exactly as much. It takes the same path, the one password
 * check (lib/auth/password-attempt.ts: the sign-in limits keyed on the pending link's email, one
 * argon2 verification, an audit event), and one generic 401. It also needs the pending-link
 * cookie, which only a browser that just completed the provider sign-in holds
 * (./pending-link.ts), and which the first confirmation past the password spends.
 */
import "server-only";
import { z } from "zod";
import type { AuditContext } from "../../audit";
import type { Db } from "../../db/client";
import { AppError } from "../../http/errors";
import { problemResponse } from "../../http/problem";
import { readCookie } from "../cookies";
import { sessionResponse } from "../issue";
import { secondStepResponse } from "../mfa/second-step-response";
import { attemptPassword } from "../password-attempt";
import { isSpent, spendProof } from "../spent-proofs";
import { configuredProviders, type SignInProvider } from "./configured";
import { linkWithPassword } from "./linking";
import { OAUTH_MESSAGES } from "./sign-in-page";
import { clearedPendingLinkCookie, openPendingLink, PENDING_LINK_COOKIE, type OpenedPendingLink } from "./pending-link";

export const ConfirmLinkSchema = z.strictObject({
  // No policy here, as for a sign-in: the account's existing password must still work.
  password: z.string().min(1, { message: "Enter your password." }).max(1024),
});

async function pendingLinkOf(db: Db, request: Request): Promise<OpenedPendingLink> {
  const pending = await openPendingLink(readCookie(request.headers, PENDING_LINK_COOKIE));
  if (pending === null || (await isSpent(db, { id: pending.id, purpose: "pending-link" }))) {
    throw new AppError("ERR_LINK_EXPIRED", { detail: "Start the sign-in with your provider again." });
  }
  return pending;
}

function withClearedLink(response: Response): Response {
  response.headers.append("set-cookie", clearedPendingLinkCookie());
  return response;
}

/** What `GET /api/auth/oauth/link` answers: which provider, and which account (the asserted email). */
export const PendingLinkSchema = z.strictObject({
  provider: z.strictObject({ id: z.string(), name: z.string() }),
  email: z.string(),
});

/** What the confirmation form shows: which provider, and which account (the asserted email). */
export async function describePendingLink(db: Db, request: Request): Promise<z.infer<typeof PendingLinkSchema>> {
  const pending = await pendingLinkOf(db, request);
  const provider: SignInProvider = configuredProviders().find((entry) => entry.id === pending.provider) ?? { id: pending.provider, name: pending.provider };
  return { provider, email: pending.email };
}

export async function confirmPendingLink(db: Db, request: Request, { password }: z.output<typeof ConfirmLinkSchema>, context: AuditContext): Promise<Response> {
  const pending = await pendingLinkOf(db, request);
  const requestId = context.requestId;

  const check = await attemptPassword(
    db,
    { account: { email: pending.email }, password, purpose: "link-confirmation", details: { provider: pending.provider } },
    context,
  );
  let response: Response;
  if (!check.ok) {
    // The pending link stays: a typo should not send the person back through the provider.
    response = problemResponse(new AppError("ERR_INVALID_CREDENTIALS", { detail: "That password is not correct." }), requestId);
  } else if (!(await spendProof(db, { id: pending.id, purpose: "pending-link", expiresAt: pending.expiresAt }))) {
    // Another request confirmed this very link a moment ago: it has done its job.
    response = withClearedLink(problemResponse(new AppError("ERR_LINK_EXPIRED", { detail: "Start the sign-in with your provider again." }), requestId));
  } else {
    const outcome = await linkWithPassword(db, pending, check.user, context);
    if (outcome.kind === "signed-in") response = await sessionResponse(outcome.user, outcome.session, outcome.session);
    // Linked, and the account asks for its second factor before anything opens.
    else if (outcome.kind === "second-factor") response = await secondStepResponse(db, outcome.userId, outcome.cookie);
    // The rules refused after all (something changed meanwhile): say which, and end the link.
    else response = problemResponse(new AppError("ERR_CONFLICT", { detail: OAUTH_MESSAGES[outcome.code] }), requestId, { outcome: outcome.code });
    withClearedLink(response);
  }
  for (const [name, value] of check.headers) response.headers.set(name, value);
  return response;
}
