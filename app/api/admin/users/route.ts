import { endpoint } from "@/lib/http/endpoint";
import { json } from "@/lib/http/handler";
import { pageSchema } from "@/lib/http/query";
import { AdminUserSchema, createUser, CreateUserSchema, listUsers, UserListQuerySchema } from "@/lib/admin/users";

/** Every account, paged: `sort` is name, email or created_at; `limit` at most 100. */
export const GET = endpoint(
  {
    summary: "List every account",
    access: { permission: "user:list" },
    query: UserListQuerySchema,
    responses: { 200: { description: "A page of accounts", schema: pageSchema(AdminUserSchema) } },
  },
  async ({ query, db }) => json(await listUsers(db, query)),
);

/** Create an account with a chosen role: the only way an admin account is made over HTTP. */
export const POST = endpoint(
  {
    summary: "Create an account with any role",
    access: { permission: "user:create" },
    sensitive: true,
    body: {
      kind: "json",
      schema: CreateUserSchema,
      example: { email: "grace@example.com", name: "Grace", password: "a long passphrase for grace", role: "user" },
    },
    responses: { 201: { description: "The new account", schema: AdminUserSchema } },
    problems: ["ERR_EMAIL_TAKEN"],
  },
  async ({ actor, body, db, context }) => json(await createUser(db, actor, body, context), { status: 201 }),
);
