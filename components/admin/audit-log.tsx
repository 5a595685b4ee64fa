"use client";

import { useState, type FormEvent } from "react";
import { z } from "zod";
import { api } from "@/lib/client/browser";
import { pageOf } from "@/lib/client/resources";
import { Badge, type BadgeTone } from "../ui/badge";
import { Button } from "../ui/button";
import { SubmitButton } from "../ui/submit-button";
import { cn } from "../ui/cn";
import { EmptyState } from "../ui/empty-state";
import { LocalTime } from "../ui/local-time";
import { Pagination } from "../ui/pagination";
import { Skeleton } from "../ui/skeleton";
import { inputBase, inputBorder } from "../ui/styles";
import { TableFrame, td, th } from "../ui/table";
import { LoadError } from "../forms/load-error";
import { useRemote } from "../hooks/use-remote";

const AuditEventSchema = z.object({
  id: z.string(),
  type: z.string(),
  actorId: z.string().nullable(),
  targetId: z.string().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  requestId: z.string().nullable(),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).nullable(),
  createdAt: z.string(),
  count: z.number(),
  lastSeenAt: z.string().nullable(),
});
type AuditEvent = z.infer<typeof AuditEventSchema>;
const AuditPageSchema = pageOf(AuditEventSchema);

const PER_PAGE = 20;

interface Filters {
  type: string;
  userId: string;
}

/** Events that mean "look at this": theft, lockouts, privilege changes. */
function toneOf(type: string): BadgeTone {
  if (type === "refresh.reuse_detected" || type.endsWith(".failed") || type.endsWith("_failed") || type === "login.rate_limited") return "danger";
  if (type.startsWith("role.") || type.startsWith("account.") || type.startsWith("client.")) return "warning";
  return "neutral";
}

/**
 * The security event log, newest first, filtered on the server by event type and by a user id
 * (as actor or target). Every value is rendered as text: a user agent or a detail is attacker
 * input, and it reaches the page only through React's escaping.
 */
export function AuditLog({ types }: { types: readonly string[] }) {
  const [filters, setFilters] = useState<Filters>({ type: "", userId: "" });
  const [draft, setDraft] = useState<Filters>(filters);
  const [page, setPage] = useState(1);
  const params = new URLSearchParams({ page: String(page), limit: String(PER_PAGE) });
  if (filters.type !== "") params.set("type", filters.type);
  if (filters.userId !== "") params.set("userId", filters.userId);
  const path = `/api/admin/audit?${params.toString()}`;
  const { state, reload } = useRemote(path, (signal) => api.get(path, AuditPageSchema, { signal }));

  function apply(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setFilters({ type: draft.type, userId: draft.userId.trim() });
    setPage(1);
  }

  const data = state.status === "ready" ? state.data : state.previous;

  return (
    <div className="space-y-4">
      <form onSubmit={apply} className="flex flex-wrap items-end gap-3" aria-label="Filter events">
        <div className="space-y-1.5">
          <label htmlFor="audit-type" className="block text-sm font-medium">
            Event type
          </label>
          <select
            id="audit-type"
            value={draft.type}
            onChange={(event) => setDraft({ ...draft, type: event.target.value })}
            className={cn(inputBase, inputBorder, "w-56")}
          >
            <option value="">All events</option>
            {types.map((type) => (
              <option key={type} value={type}>
                {type}
              </option>
            ))}
          </select>
        </div>
        <div className="space-y-1.5">
          <label htmlFor="audit-user" className="block text-sm font-medium">
            User or session id
          </label>
          <input
            id="audit-user"
            value={draft.userId}
            onChange={(event) => setDraft({ ...draft, userId: event.target.value })}
            placeholder="Actor or target"
            spellCheck={false}
            className={cn(inputBase, inputBorder, "w-64 font-mono")}
          />
        </div>
        <SubmitButton tone="secondary">Apply filters</SubmitButton>
        {filters.type !== "" || filters.userId !== "" ? (
          <Button
            tone="ghost"
            onClick={() => {
              setDraft({ type: "", userId: "" });
              setFilters({ type: "", userId: "" });
              setPage(1);
            }}
          >
            Clear
          </Button>
        ) : null}
      </form>

      {state.status === "error" ? (
        <LoadError what="the audit log" error={state.error} onRetry={reload} />
      ) : data !== null && data.items.length === 0 ? (
        <EmptyState title="No events match">Try another event type, or clear the filters.</EmptyState>
      ) : (
        <TableFrame label="Security events" busy={state.status === "loading"}>
          <thead className="border-b border-slate-200 dark:border-slate-800">
            <tr>
              {["When", "Event", "Actor", "Target", "Address", "Details"].map((heading) => (
                <th key={heading} scope="col" className={th}>
                  {heading}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
            {data === null
              ? [0, 1, 2, 3].map((row) => (
                  <tr key={row}>
                    {[0, 1, 2, 3, 4, 5].map((cell) => (
                      <td key={cell} className={td}>
                        <Skeleton className="h-5 w-full min-w-16" />
                      </td>
                    ))}
                  </tr>
                ))
              : data.items.map((event) => <EventRow key={event.id} event={event} />)}
          </tbody>
        </TableFrame>
      )}
      {data === null || data.total === 0 ? null : (
        <Pagination label="Audit log pages" page={page} limit={PER_PAGE} total={data.total} disabled={state.status === "loading"} onPage={setPage} />
      )}
    </div>
  );
}

function Id({ value }: { value: string | null }) {
  return value === null ? <span className="text-slate-500 dark:text-slate-400">—</span> : <code className="font-mono text-xs break-all">{value}</code>;
}

function EventRow({ event }: { event: AuditEvent }) {
  const details = Object.entries(event.details ?? {});
  return (
    <tr data-testid="audit-row">
      <td className={cn(td, "whitespace-nowrap text-slate-600 dark:text-slate-400")}>
        <LocalTime iso={event.createdAt} />
        {event.requestId === null ? null : (
          <span className="block font-mono text-[0.7rem] text-slate-500 dark:text-slate-400" title={`Request ID ${event.requestId}`}>
            req {event.requestId.slice(0, 8)}
          </span>
        )}
      </td>
      <td className={td}>
        <Badge tone={toneOf(event.type)}>{event.type}</Badge>
        {event.count > 1 && event.lastSeenAt !== null ? (
          <span className="mt-1 block text-xs text-slate-600 dark:text-slate-400" data-testid="audit-repeat">
            ×{event.count.toLocaleString()}, last <LocalTime iso={event.lastSeenAt} />
          </span>
        ) : null}
      </td>
      <td className={cn(td, "max-w-40")}>
        <Id value={event.actorId} />
      </td>
      <td className={cn(td, "max-w-40")}>
        <Id value={event.targetId} />
      </td>
      <td className={cn(td, "max-w-40")}>
        <span className="font-mono text-xs">{event.ip ?? "—"}</span>
      </td>
      <td className={td}>
        {details.length === 0 ? (
          <span className="text-slate-500 dark:text-slate-400">—</span>
        ) : (
          <dl className="grid grid-cols-[auto_1fr] gap-x-2 text-xs">
            {details.map(([key, value]) => (
              <div key={key} className="contents">
                <dt className="text-slate-500 dark:text-slate-400">{key}</dt>
                <dd className="font-mono break-all">{String(value)}</dd>
              </div>
            ))}
          </dl>
        )}
      </td>
    </tr>
  );
}
