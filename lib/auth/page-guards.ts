/**
 * Route protection for pages: the server decides who sees a page before anything on it renders.
 *
 * Threat: a protected page whose server render runs for anyone, relying on the browser to hide
 * it or on hidden links, or on the edge middleware alone (a middleware can be skipped:
 * CVE-2025-29927). Defence: every protected page calls one of these first, and they go through
 * the very guards the route handlers use (./guards.ts), so a page and its API agree on who is
 * signed in, down to a revoked session or a disabled account.
 *
 * Expired access tokens. The access cookie lives as long as its token (15 minutes), while the
 * refresh cookie is scoped to `/api/auth`, so a page request never carries it: the server cannot
 * tell "signed out" from "token just expired" and must not try to refresh on its own (a refresh
 * rotates the token, and the rotated cookie would have to reach the browser from a page render).
 * So a page load without a working access token redirects to `/resume?next=<this page>`, a tiny
 * client page that runs the same single-flight refresh as the API client (lib/client/session-sync.ts)
 * and comes straight back, or goes on to sign-in when the refresh is refused. Nothing protected
 * has rendered at that point, and a user with a live session never sees the sign-in form.
 * Admin pages answer 403 on the server (`forbidden()`), not just by hiding the link.
 */
import "server-only";
import { cache } from "react";
import { headers } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { getDb } from "../db/client";
import { publicUserSelect, toPublicUser, type PublicUser } from "../users/public-user";
import { safeRedirect } from "../shared/safe-redirect";
import type { UserActor } from "../authz/policy";
import { getUser } from "./guards";
import { env } from "../env";
import { hasSecondFactor } from "./mfa/second-factor";

export interface Account extends PublicUser {
  /** False for accounts that sign in only through an identity provider. */
  hasPassword: boolean;
  sessionId: string;
  /** The caller as the guards found them, for owner-scoped reads (lib/authz/policy.ts). */
  actor: UserActor;
}

/**
 * The guards take a `Request`, as route handlers have one; a server component has the incoming
 * headers, which is all the guards read (the cookie or `Authorization`). The URL is a
 * placeholder that no guard looks at.
 */
async function requestFromHeaders(): Promise<Request> {
  return new Request("https://page.invalid/", { headers: await headers() });
}

/** The caller, or null. Cached per request, so a page and its layout share one lookup. */
export const currentUser = cache(async (): Promise<UserActor | null> => getUser(await requestFromHeaders()));

/** The caller's account for display, or null. Reads only the public columns. */
export const currentAccount = cache(async (): Promise<Account | null> => {
  const user = await currentUser();
  if (user === null) return null;
  const db = await getDb();
  const row = await db.user.findUnique({ where: { id: user.id }, select: publicUserSelect });
  if (row === null) return null;
  // A count, so the password hash itself is never read into a page render.
  const withPassword = await db.user.count({ where: { id: user.id, passwordHash: { not: null } } });
  return { ...toPublicUser(row), hasPassword: withPassword === 1, sessionId: user.sessionId, actor: user };
});

/** `/resume?next=…`: where a page sends a visitor whose access token did not work. */
export function resumeHref(next: string): string {
  return `/resume?${new URLSearchParams({ next: safeRedirect(next) }).toString()}`;
}

/**
 * The signed-in account, or a redirect through `/resume` (see above). `path` is this page's own
 * path and query, to come back to: a server component does not otherwise know its URL.
 */
export async function requireAccount(path: string): Promise<Account> {
  const account = await currentAccount();
  if (account === null) redirect(resumeHref(path));
  return account;
}

/** An admin's account; anyone else signed in gets the 403 page, with a 403 status. */
/** Where an administrator without a second factor is sent when the policy requires one (ADR 047). */
export const ADMIN_ENROLMENT_PATH = "/account/security?reason=admin-second-factor";

export async function requireAdminAccount(path: string): Promise<Account> {
  const account = await requireAccount(path);
  if (account.role !== "admin") forbidden();
  // The admin API refuses them anyway (lib/auth/guards.ts); the page sends them to enrol first.
  if (env.ADMIN_SECOND_FACTOR === "required" && !(await hasSecondFactor(await getDb(), account.id))) redirect(ADMIN_ENROLMENT_PATH);
  return account;
}
