/**
 * The route handlers the authorization tests call, loaded after `useDatabase` so they bind to the
 * suite's database, plus a one-call suite setup on top of ./authz-world.ts.
 */
import { afterAll, beforeAll, vi } from "vitest";
import { provisionDatabase, useDatabase, type DatabaseKind, type ProvisionedDatabase } from "./databases";
import { settleAfterResponse } from "@/lib/http/after-response";
import { call, type CookieJar, type Handler } from "./http";
import { testKeyPair } from "./keys";
import { worldKit, type WorldKit } from "./authz-world";

export async function loadRoutes() {
  const [notes, note, users, user, audit, clients, client, token, reports, me, register, login, refresh, password, logout, logoutAll, sessions, session] =
    await Promise.all([
      import("@/app/api/notes/route"),
      import("@/app/api/notes/[id]/route"),
      import("@/app/api/admin/users/route"),
      import("@/app/api/admin/users/[id]/route"),
      import("@/app/api/admin/audit/route"),
      import("@/app/api/admin/clients/route"),
      import("@/app/api/admin/clients/[id]/route"),
      import("@/app/api/oauth/token/route"),
      import("@/app/api/reports/notes/route"),
      import("@/app/api/me/route"),
      import("@/app/api/auth/register/route"),
      import("@/app/api/auth/login/route"),
      import("@/app/api/auth/refresh/route"),
      import("@/app/api/auth/password/route"),
      import("@/app/api/auth/logout/route"),
      import("@/app/api/auth/logout-all/route"),
      import("@/app/api/auth/sessions/route"),
      import("@/app/api/auth/sessions/[id]/route"),
    ]);
  // Handlers with typed params are called with plain string params here; the shapes match at run time.
  const h = (handler: unknown) => handler as Handler;
  return {
    listNotes: h(notes.GET),
    createNote: h(notes.POST),
    readNote: h(note.GET),
    updateNote: h(note.PATCH),
    deleteNote: h(note.DELETE),
    listUsers: h(users.GET),
    createUser: h(users.POST),
    updateUser: h(user.PATCH),
    listAudit: h(audit.GET),
    listClients: h(clients.GET),
    createClient: h(clients.POST),
    updateClient: h(client.PATCH),
    token: h(token.POST),
    noteReport: h(reports.GET),
    me: h(me.GET),
    deleteMe: h(me.DELETE),
    register: h(register.POST),
    login: h(login.POST),
    refresh: h(refresh.POST),
    changePassword: h(password.POST),
    logout: h(logout.POST),
    logoutAll: h(logoutAll.POST),
    sessions: h(sessions.GET),
    revokeSession: h(session.DELETE),
  };
}

export type Routes = Awaited<ReturnType<typeof loadRoutes>>;

export interface Suite {
  kit: WorldKit;
  routes: Routes;
}

/**
 * A fresh migrated database of `kind` for the enclosing describe block, the app bound to it, and
 * a world kit; torn down afterwards. `env` adds variables (for example TRUSTED_PROXY).
 */
export function integrationSuite(kind: DatabaseKind, env: Record<string, string> = {}): Suite {
  const suite = {} as Suite;
  let database: ProvisionedDatabase;
  beforeAll(async () => {
    database = await provisionDatabase(kind);
    await useDatabase(database);
    vi.stubEnv("JWT_PRIVATE_KEY", testKeyPair("integration").privateKeyPem);
    for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
    suite.kit = await worldKit();
    suite.routes = await loadRoutes();
  });
  afterAll(async () => {
    await suite.kit.disconnect();
    await database.drop();
    vi.unstubAllEnvs();
  });
  return suite;
}

/**
 * Sign up as a person does: sign-up answers 202 and sets no cookie, the account is made after the
 * answer (lib/users/registration.ts), then the person signs in. Returns the sign-in's response.
 */
export async function signUpThenSignIn(
  routes: Pick<Routes, "register" | "login">,
  input: { email: string; name: string; password: string },
  options: { jar?: CookieJar; headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers = options.headers ?? {};
  const accepted = await call(routes.register, { body: input, headers });
  if (accepted.status !== 202) throw new Error(`sign-up of ${input.email}: ${accepted.status} ${await accepted.text()}`);
  await settleAfterResponse();
  return call(routes.login, { body: { email: input.email, password: input.password }, headers, ...(options.jar === undefined ? {} : { jar: options.jar }) });
}
