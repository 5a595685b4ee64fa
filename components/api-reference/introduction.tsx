import type { ReactNode } from "react";
import { card } from "../ui/styles";
import { cn } from "../ui/cn";
import type { ApiDocument, ApiSecurityScheme } from "./document";
import { findOperation, type OperationEntry } from "./operations";
import { schemeAnchor } from "./security";
import { InlineText, inlineCode, textLink } from "./text";

export const AUTHENTICATION_ID = "authentication";

/** `POST /api/auth/login`, linked to the operation when the document has it. */
function OperationRef({ entries, method, path }: { entries: readonly OperationEntry[]; method: string; path: string }) {
  const entry = findOperation(entries, method, path);
  const label = <code className={inlineCode}>{`${method} ${path}`}</code>;
  return entry === undefined ? (
    label
  ) : (
    <a href={`#${entry.operation.operationId}`} className={textLink}>
      {label}
    </a>
  );
}

function SchemeCard({ name, title, children }: { name: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={schemeAnchor(name)} className={cn(card, "space-y-2 p-5 text-sm text-slate-700 dark:text-slate-300")}>
      <h3 id={schemeAnchor(name)} className="scroll-mt-6 text-base font-semibold text-slate-900 dark:text-slate-100">
        {title}
      </h3>
      {children}
    </section>
  );
}

function TokenRequest({ tokenUrl, scope }: { tokenUrl: string; scope: string | undefined }) {
  const lines = [
    `POST ${tokenUrl}`,
    "Authorization: Basic <base64 of client_id:client_secret>",
    "Content-Type: application/x-www-form-urlencoded",
    "",
    `grant_type=client_credentials${scope === undefined ? "" : `&scope=${scope}`}`,
  ];
  return (
    <pre className="overflow-x-auto rounded-lg bg-slate-100 p-3 font-mono text-xs text-slate-800 dark:bg-slate-950 dark:text-slate-200">
      <code>{lines.join("\n")}</code>
    </pre>
  );
}

/** One card per security scheme, in the document's order; the prose depends on the scheme's kind. */
function Scheme({ name, scheme, entries }: { name: string; scheme: ApiSecurityScheme; entries: readonly OperationEntry[] }) {
  const flow = scheme.flows?.clientCredentials;
  if (scheme.type === "apiKey" && scheme.name !== undefined) {
    return (
      <SchemeCard name={name} title="In the browser: the access cookie">
        <p>
          Signing in with <OperationRef entries={entries} method="POST" path="/api/auth/login" /> sets the access token in the{" "}
          <code className={inlineCode}>{scheme.name}</code> cookie. It is HttpOnly, so page scripts never see it, and the browser sends it with every request;
          when it expires, <OperationRef entries={entries} method="POST" path="/api/auth/refresh" /> issues a new one from the refresh cookie. This is how the
          app&apos;s own pages call the API.
        </p>
        <p>
          A state-changing request that carries the cookies must come from this origin, and a JSON body must be sent as{" "}
          <code className={inlineCode}>application/json</code>: cross-site requests are refused at the edge (403, 415).
        </p>
      </SchemeCard>
    );
  }
  if (scheme.type === "http") {
    return (
      <SchemeCard name={name} title="API clients: a Bearer token">
        <p>
          The same access token is accepted in a header, <code className={inlineCode}>Authorization: Bearer &lt;token&gt;</code>, which the handlers read before
          the cookie. A browser never attaches a bearer token on its own, so a request without the cookies is not held to the cross-site checks.
        </p>
      </SchemeCard>
    );
  }
  if (flow !== undefined) {
    const scopes = Object.entries(flow.scopes);
    return (
      <SchemeCard name={name} title="Services: client credentials">
        <p>
          An admin creates a service client with <OperationRef entries={entries} method="POST" path="/api/admin/clients" /> and sees its secret once. The
          service exchanges its id and secret at <OperationRef entries={entries} method="POST" path={flow.tokenUrl} /> for a short-lived token, sends it as{" "}
          <code className={inlineCode}>Authorization: Bearer &lt;token&gt;</code>, and may call only the operations its scopes grant.
        </p>
        <TokenRequest tokenUrl={flow.tokenUrl} scope={scopes[0]?.[0]} />
        {scopes.length === 0 ? null : (
          <dl className="space-y-1">
            {scopes.map(([scope, description]) => (
              <div key={scope} className="flex flex-wrap gap-x-2">
                <dt>
                  <code className={inlineCode}>{scope}</code>
                </dt>
                <dd className="text-slate-600 dark:text-slate-400">
                  <InlineText text={description} />
                </dd>
              </div>
            ))}
          </dl>
        )}
      </SchemeCard>
    );
  }
  return (
    <SchemeCard name={name} title={name}>
      {scheme.description === undefined ? null : (
        <p>
          <InlineText text={scheme.description} />
        </p>
      )}
    </SchemeCard>
  );
}

export function Authentication({ document, entries }: { document: ApiDocument; entries: readonly OperationEntry[] }) {
  return (
    <section aria-labelledby={AUTHENTICATION_ID} className="space-y-4">
      <h2 id={AUTHENTICATION_ID} className="scroll-mt-6 text-xl font-semibold tracking-tight">
        Authentication
      </h2>
      <p className="text-slate-600 dark:text-slate-400">
        Most operations need an access token; each one below names the permission it checks and the ways it accepts the token.
      </p>
      <div className="space-y-4">
        {Object.entries(document.components.securitySchemes).map(([name, scheme]) => (
          <Scheme key={name} name={name} scheme={scheme} entries={entries} />
        ))}
      </div>
    </section>
  );
}
