/**
 * The scopes a service client can be granted: the whole vocabulary of what a machine may do here.
 *
 * Least privilege for machines: a client is granted named scopes when it is created, a token
 * carries a subset of them, and each scope opens exactly the routes listed below, nothing more.
 * A scope that would open more later (say, `notes:read` one day reaching note content) silently
 * widens every existing client; so each scope is named after the narrow thing it grants, and a
 * new capability gets a new scope (docs/decisions/021-service-principals-client-credentials.md).
 */

export const SCOPES = {
  "reports:read": "Aggregate note statistics (counts only; never a note's content or a user's data).",
} as const;

export type Scope = keyof typeof SCOPES;

export const SCOPE_NAMES = Object.keys(SCOPES) as Scope[];

export function isScope(value: string): value is Scope {
  return Object.hasOwn(SCOPES, value);
}

/**
 * RFC 6749 §3.3: `scope = scope-token *( SP scope-token )`, where a scope-token is one or more of
 * %x21 / %x23-5B / %x5D-7E (visible ASCII except `"` and `\`). Returns the distinct tokens in
 * order, or null when the value is not well formed. Whether each token is a scope we know is the
 * caller's question.
 */
export function parseScopeParameter(value: string): string[] | null {
  if (!/^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/.test(value)) return null;
  return [...new Set(value.split(" "))];
}
