import { buttonClasses } from "../ui/button";

/** One configured identity provider, as the server describes it. */
export interface OAuthProvider {
  /** Stable id: "github", "google", "oidc". */
  id: string;
  /** The label on the button: "GitHub". */
  name: string;
  /** Same-origin path that starts this provider's sign-in. */
  href: string;
}

/**
 * The slot for "Continue with …" buttons. The server passes the providers that are configured
 * (each needs its AUTH_* variables, lib/env.ts); with none, this renders nothing at all, not
 * even the divider, so an unconfigured starter shows a plain password form.
 */
export function OAuthProviders({ providers }: { providers: readonly OAuthProvider[] }) {
  if (providers.length === 0) return null;
  return (
    <div className="space-y-4">
      <ul className="grid gap-2">
        {providers.map((provider) => (
          <li key={provider.id}>
            <a href={provider.href} className={buttonClasses("secondary", "md", "w-full")}>
              Continue with {provider.name}
            </a>
          </li>
        ))}
      </ul>
      <div className="flex items-center gap-3 text-xs text-slate-500 uppercase dark:text-slate-400" role="separator">
        <span className="h-px flex-1 bg-slate-200 dark:bg-slate-800" />
        or
        <span className="h-px flex-1 bg-slate-200 dark:bg-slate-800" />
      </div>
    </div>
  );
}
