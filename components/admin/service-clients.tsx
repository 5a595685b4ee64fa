"use client";

import { useState, type FormEvent } from "react";
import { z } from "zod";
import { SCOPES, type Scope } from "@/lib/authz/scopes";
import { api } from "@/lib/client/browser";
import { isApiError } from "@/lib/client/problem";
import { pageOf } from "@/lib/client/resources";
import { LoadError } from "../forms/load-error";
import { LiveRegion } from "../ui/alert";
import { Badge } from "../ui/badge";
import { Button } from "../ui/button";
import { SubmitButton } from "../ui/submit-button";
import { cn } from "../ui/cn";
import { EmptyState } from "../ui/empty-state";
import { Field } from "../ui/field";
import { LocalTime } from "../ui/local-time";
import { Pagination } from "../ui/pagination";
import { card, focusRing } from "../ui/styles";
import { TableFrame, td, th } from "../ui/table";
import { FormStatus, type FormMessage } from "../forms/form-status";
import { errorMessage, isSilent } from "../forms/messages";
import { errorsFor, type FieldErrors } from "../forms/validation";
import { useRemote } from "../hooks/use-remote";

const ClientSchema = z.object({
  clientId: z.string(),
  name: z.string(),
  scopes: z.array(z.string()),
  disabled: z.boolean(),
  createdAt: z.string(),
});
type ServiceClient = z.infer<typeof ClientSchema>;
const ClientPageSchema = pageOf(ClientSchema);
const CreatedSchema = z.object({ client: ClientSchema, clientSecret: z.string() });

const PER_PAGE = 10;
const SCOPE_ENTRIES = Object.entries(SCOPES) as [Scope, string][];

/**
 * Machine clients of the client-credentials grant. A new client's secret is in the creation
 * response only, and the server keeps nothing but its hash; so it is shown here exactly once,
 * held only in this component's memory, and gone when dismissed or when the page is left.
 */
export function ServiceClients() {
  const [page, setPage] = useState(1);
  const path = `/api/admin/clients?${new URLSearchParams({ page: String(page), limit: String(PER_PAGE) }).toString()}`;
  const { state, reload } = useRemote(path, (signal) => api.get(path, ClientPageSchema, { signal }));
  const [created, setCreated] = useState<z.infer<typeof CreatedSchema> | null>(null);
  const [message, setMessage] = useState<FormMessage | null>(null);
  const [toggling, setToggling] = useState<string | null>(null);

  async function toggle(client: ServiceClient) {
    setToggling(client.clientId);
    try {
      await api.patch(`/api/admin/clients/${encodeURIComponent(client.clientId)}`, { disabled: !client.disabled }, ClientSchema);
      setMessage({ tone: "success", title: `${client.name} is ${client.disabled ? "enabled" : "disabled"}.` });
      reload();
    } catch (error) {
      if (!isSilent(error)) setMessage(errorMessage(error, "Could not change the client"));
    } finally {
      setToggling(null);
    }
  }

  const data = state.status === "ready" ? state.data : state.previous;

  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_20rem]">
      <div className="min-w-0 space-y-4">
        {created === null ? null : <SecretOnce created={created} onDismiss={() => setCreated(null)} />}
        <FormStatus message={message} />
        {state.status === "error" ? (
          <LoadError what="the service clients" error={state.error} onRetry={reload} />
        ) : data !== null && data.total === 0 ? (
          <EmptyState title="No service clients yet">Create one for a job that needs to call the API without a person signed in.</EmptyState>
        ) : (
          <TableFrame label="Service clients" busy={state.status === "loading"}>
            <thead className="border-b border-slate-200 dark:border-slate-800">
              <tr>
                {["Name", "Client id", "Scopes", "Status", "Created"].map((heading) => (
                  <th key={heading} scope="col" className={th}>
                    {heading}
                  </th>
                ))}
                <th scope="col" className={th}>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
              {(data?.items ?? []).map((client) => (
                <tr key={client.clientId}>
                  <td className={cn(td, "font-medium break-words")}>{client.name}</td>
                  <td className={td}>
                    <code className="font-mono text-xs break-all">{client.clientId}</code>
                  </td>
                  <td className={td}>
                    <span className="flex flex-wrap gap-1">
                      {client.scopes.map((scope) => (
                        <Badge key={scope} tone="accent">
                          {scope}
                        </Badge>
                      ))}
                    </span>
                  </td>
                  <td className={td}>{client.disabled ? <Badge tone="danger">disabled</Badge> : <Badge tone="success">active</Badge>}</td>
                  <td className={cn(td, "whitespace-nowrap text-slate-600 dark:text-slate-400")}>
                    <LocalTime iso={client.createdAt} />
                  </td>
                  <td className={cn(td, "text-right")}>
                    <Button size="sm" tone="ghost" pending={toggling === client.clientId} onClick={() => void toggle(client)}>
                      {client.disabled ? "Enable" : "Disable"}
                      <span className="sr-only"> {client.name}</span>
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </TableFrame>
        )}
        {data === null || data.total === 0 ? null : (
          <Pagination label="Service client pages" page={page} limit={PER_PAGE} total={data.total} disabled={state.status === "loading"} onPage={setPage} />
        )}
      </div>
      <aside className={cn(card, "h-fit p-5")}>
        <NewClientForm
          onCreated={(result) => {
            setMessage(null);
            setCreated(result);
            setPage(1);
            reload();
          }}
        />
      </aside>
    </div>
  );
}

function NewClientForm({ onCreated }: { onCreated: (created: z.infer<typeof CreatedSchema>) => void }) {
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<Scope[]>([]);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<FormMessage | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const local: FieldErrors = {};
    if (name.trim() === "") local.name = ["Name the client."];
    if (scopes.length === 0) local.scopes = ["Grant at least one scope."];
    setErrors(local);
    if (Object.keys(local).length > 0) return;
    setMessage(null);
    setPending(true);
    try {
      const result = await api.post("/api/admin/clients", { name: name.trim(), scopes }, CreatedSchema);
      setName("");
      setScopes([]);
      onCreated(result);
    } catch (error) {
      if (isSilent(error)) return;
      if (isApiError(error) && error.problem.errors !== undefined) setErrors(error.problem.errors);
      setMessage(errorMessage(error, "Could not create the client"));
    } finally {
      setPending(false);
    }
  }

  const scopeErrors = errorsFor(errors, "scopes");
  return (
    <form noValidate onSubmit={(event) => void submit(event)} className="space-y-4" aria-labelledby="new-client-heading">
      <h2 id="new-client-heading" className="text-base font-semibold">
        New service client
      </h2>
      <Field label="Name" name="name" required value={name} errors={errorsFor(errors, "name")} onChange={(event) => setName(event.target.value)} />
      <fieldset className="space-y-2" aria-describedby={scopeErrors.length > 0 ? "scope-errors" : undefined}>
        <legend className="text-sm font-medium">Scopes</legend>
        {SCOPE_ENTRIES.map(([scope, description]) => (
          <label key={scope} className="flex gap-2 text-sm">
            <input
              type="checkbox"
              checked={scopes.includes(scope)}
              onChange={(event) => setScopes((current) => (event.target.checked ? [...current, scope] : current.filter((item) => item !== scope)))}
              className={cn("mt-0.5 size-4 accent-indigo-600", focusRing)}
            />
            <span>
              <code className="font-mono text-xs">{scope}</code>
              <span className="block text-slate-600 dark:text-slate-400">{description}</span>
            </span>
          </label>
        ))}
        {scopeErrors.length > 0 ? (
          <p id="scope-errors" className="text-sm text-red-700 dark:text-red-300">
            {scopeErrors.join(" ")}
          </p>
        ) : null}
      </fieldset>
      <FormStatus message={message} />
      <SubmitButton pending={pending}>Create client</SubmitButton>
    </form>
  );
}

function SecretOnce({ created, onDismiss }: { created: z.infer<typeof CreatedSchema>; onDismiss: () => void }) {
  const [copied, setCopied] = useState<"secret" | "failed" | null>(null);

  async function copy() {
    try {
      await navigator.clipboard.writeText(created.clientSecret);
      setCopied("secret");
    } catch {
      setCopied("failed");
    }
  }

  return (
    <LiveRegion politeness="assertive">
      <div
        className="space-y-3 rounded-xl border border-amber-300 bg-amber-50 p-5 text-amber-950 dark:border-amber-800 dark:bg-amber-950/50 dark:text-amber-50"
        data-testid="client-secret-panel"
      >
        <h2 className="font-semibold">Copy the secret for {created.client.name} now</h2>
        <p className="text-sm">It is shown this once. The server keeps only a hash of it; if it is lost, create a new client.</p>
        <dl className="space-y-2 text-sm">
          <div>
            <dt className="font-medium">Client id</dt>
            <dd>
              <code className="font-mono text-xs break-all">{created.client.clientId}</code>
            </dd>
          </div>
          <div>
            <dt className="font-medium">Client secret</dt>
            <dd>
              <code className="block rounded-md bg-white px-2 py-1.5 font-mono text-xs break-all select-all dark:bg-slate-950" data-testid="client-secret">
                {created.clientSecret}
              </code>
            </dd>
          </div>
        </dl>
        <div className="flex flex-wrap items-center gap-2">
          <Button size="sm" onClick={() => void copy()}>
            Copy secret
          </Button>
          <Button size="sm" tone="secondary" onClick={onDismiss}>
            I have stored it
          </Button>
          <span className="text-sm" aria-live="polite">
            {copied === "secret" ? "Copied." : copied === "failed" ? "Copy failed; select the secret and copy it by hand." : ""}
          </span>
        </div>
      </div>
    </LiveRegion>
  );
}
