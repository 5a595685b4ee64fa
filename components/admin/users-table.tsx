"use client";

import { useState } from "react";
import { z } from "zod";
import { api } from "@/lib/client/browser";
import { pageOf, RoleSchema, type Role } from "@/lib/client/resources";
import { LoadError } from "../forms/load-error";
import { Badge } from "../ui/badge";
import { Button } from "../ui/button";
import { cn } from "../ui/cn";
import { ConfirmDialog } from "../ui/dialog";
import { LocalTime } from "../ui/local-time";
import { Pagination } from "../ui/pagination";
import { Skeleton } from "../ui/skeleton";
import { inputBase, inputBorder } from "../ui/styles";
import { SortableHeader, TableFrame, td, th } from "../ui/table";
import { FormStatus, type FormMessage } from "../forms/form-status";
import { errorMessage, isSilent } from "../forms/messages";
import { useRemote } from "../hooks/use-remote";

const AdminUserSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: RoleSchema,
  disabled: z.boolean(),
  createdAt: z.string(),
});
type AdminUser = z.infer<typeof AdminUserSchema>;
const AdminUserPageSchema = pageOf(AdminUserSchema);

/** The sorts GET /api/admin/users accepts (lib/admin/users.ts), and the order each starts in. */
type UserSort = "name" | "email" | "created_at";
const FIRST_ORDER: Record<UserSort, "asc" | "desc"> = { name: "asc", email: "asc", created_at: "desc" };
const PER_PAGE = 10;

/** The roles an admin can give: every role a person can hold (machine clients are not users). */
const ASSIGNABLE: readonly Role[] = ["user", "admin"];

type Pending = { kind: "role"; user: AdminUser; role: Role } | { kind: "disabled"; user: AdminUser; disabled: boolean };

/**
 * Every account, paged and sorted by the server. Role changes and disabling are confirmed in a
 * dialog first: both end every session of that account at once.
 */
export function UsersTable({ selfId }: { selfId: string }) {
  const [query, setQuery] = useState<{ page: number; sort: UserSort; order: "asc" | "desc" }>({ page: 1, sort: "created_at", order: "desc" });
  const path = `/api/admin/users?${new URLSearchParams({ page: String(query.page), limit: String(PER_PAGE), sort: query.sort, order: query.order }).toString()}`;
  const { state, reload } = useRemote(path, (signal) => api.get(path, AdminUserPageSchema, { signal }));
  const [pending, setPending] = useState<Pending | null>(null);
  const [working, setWorking] = useState(false);
  const [message, setMessage] = useState<FormMessage | null>(null);

  function sortBy(sort: UserSort) {
    setQuery((current) => ({ page: 1, sort, order: current.sort === sort ? (current.order === "asc" ? "desc" : "asc") : FIRST_ORDER[sort] }));
  }

  async function apply() {
    if (pending === null) return;
    setWorking(true);
    const body = pending.kind === "role" ? { role: pending.role } : { disabled: pending.disabled };
    try {
      await api.patch(`/api/admin/users/${encodeURIComponent(pending.user.id)}`, body, AdminUserSchema);
      setMessage({
        tone: "success",
        title:
          pending.kind === "role"
            ? `${pending.user.name} is now ${pending.role === "admin" ? "an admin" : "a user"}.`
            : `${pending.user.name} is ${pending.disabled ? "disabled" : "enabled"}.`,
        detail: pending.kind === "role" || pending.disabled ? "Their sessions were ended; they sign in again with the new rights." : undefined,
      });
      reload();
    } catch (error) {
      if (!isSilent(error)) setMessage(errorMessage(error, "Could not change the account"));
    } finally {
      setWorking(false);
      setPending(null);
    }
  }

  const data = state.status === "ready" ? state.data : state.previous;

  return (
    <div className="space-y-4">
      <FormStatus message={message} />
      {state.status === "error" ? (
        <LoadError what="the users" error={state.error} onRetry={reload} />
      ) : (
        <TableFrame label="Users" busy={state.status === "loading"}>
          <thead className="border-b border-slate-200 dark:border-slate-800">
            <tr>
              <SortableHeader label="Name" sort="name" current={query.sort} order={query.order} onSort={sortBy} />
              <SortableHeader label="Email" sort="email" current={query.sort} order={query.order} onSort={sortBy} />
              <th scope="col" className={th}>
                Role
              </th>
              <th scope="col" className={th}>
                Status
              </th>
              <SortableHeader label="Created" sort="created_at" current={query.sort} order={query.order} onSort={sortBy} />
              <th scope="col" className={cn(th, "text-right")}>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
            {data === null
              ? [0, 1, 2].map((row) => (
                  <tr key={row}>
                    {[0, 1, 2, 3, 4, 5].map((cell) => (
                      <td key={cell} className={td}>
                        <Skeleton className="h-5 w-full min-w-12" />
                      </td>
                    ))}
                  </tr>
                ))
              : data.items.map((user) => <UserRow key={user.id} user={user} self={user.id === selfId} onChange={setPending} />)}
          </tbody>
        </TableFrame>
      )}
      {data === null ? null : (
        <Pagination
          label="User pages"
          page={query.page}
          limit={PER_PAGE}
          total={data.total}
          disabled={state.status === "loading"}
          onPage={(page) => setQuery((current) => ({ ...current, page }))}
        />
      )}
      <ConfirmDialog
        open={pending !== null}
        title={
          pending === null
            ? ""
            : pending.kind === "role"
              ? `Make ${pending.user.name} ${pending.role === "admin" ? "an admin" : "a user"}?`
              : `${pending.disabled ? "Disable" : "Enable"} ${pending.user.name}?`
        }
        description={
          pending === null
            ? undefined
            : pending.kind === "role"
              ? pending.role === "admin"
                ? "Admins manage every account, service client and the audit log (but never anyone's notes). Their sessions end now."
                : "They lose access to administration. Their sessions end now."
              : pending.disabled
                ? "They are signed out everywhere and cannot sign in until enabled again."
                : "They can sign in again."
        }
        confirmLabel={pending?.kind === "role" ? "Change role" : pending?.kind === "disabled" && pending.disabled ? "Disable account" : "Enable account"}
        tone={pending?.kind === "disabled" && pending.disabled ? "danger" : "primary"}
        pending={working}
        onConfirm={() => void apply()}
        onCancel={() => setPending(null)}
      />
    </div>
  );
}

function UserRow({ user, self, onChange }: { user: AdminUser; self: boolean; onChange: (pending: Pending) => void }) {
  return (
    <tr>
      <td className={cn(td, "font-medium")}>
        <span className="break-words">{user.name}</span>
        {self ? <span className="ml-2 text-xs font-normal text-slate-500 dark:text-slate-400">(you)</span> : null}
      </td>
      <td className={cn(td, "wrap-anywhere text-slate-600 dark:text-slate-400")}>{user.email}</td>
      <td className={td}>
        <select
          aria-label={`Role of ${user.name}`}
          value={user.role}
          onChange={(event) => onChange({ kind: "role", user, role: event.target.value as Role })}
          className={cn(inputBase, inputBorder, "w-28 py-1")}
        >
          {ASSIGNABLE.map((role) => (
            <option key={role} value={role}>
              {role}
            </option>
          ))}
        </select>
      </td>
      <td className={td}>{user.disabled ? <Badge tone="danger">disabled</Badge> : <Badge tone="success">active</Badge>}</td>
      <td className={cn(td, "whitespace-nowrap text-slate-600 dark:text-slate-400")}>
        <LocalTime iso={user.createdAt} />
      </td>
      <td className={cn(td, "text-right")}>
        <Button size="sm" tone={user.disabled ? "secondary" : "ghost"} onClick={() => onChange({ kind: "disabled", user, disabled: !user.disabled })}>
          {user.disabled ? "Enable" : "Disable"}
          <span className="sr-only"> {user.name}</span>
        </Button>
      </td>
    </tr>
  );
}
